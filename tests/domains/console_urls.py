"""Console URLs of the domains app, for the shared isolation test."""

from tests.console_urls import ConsoleUrl

URLS = [
    ConsoleUrl("domains:list"),
    ConsoleUrl("domains:addresses"),
]
