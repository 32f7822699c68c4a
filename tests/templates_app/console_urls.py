"""Console URLs of the templates_app app, for the shared isolation test."""

from tests.console_urls import ConsoleUrl

URLS = [
    ConsoleUrl("templates_app:list"),
    ConsoleUrl("templates_app:review_queue"),
]
