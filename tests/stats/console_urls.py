"""Console URLs of the stats app, for the shared isolation test."""

from tests.console_urls import ConsoleUrl

URLS = [
    ConsoleUrl("stats:overview"),
]
