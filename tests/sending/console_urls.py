"""Console URLs of the sending app, for the shared isolation test."""

from tests.console_urls import ConsoleUrl

URLS = [
    ConsoleUrl("sending:send"),
    ConsoleUrl("sending:batches"),
    ConsoleUrl("sending:recipient_lists"),
    ConsoleUrl("sending:messages"),
    ConsoleUrl("sending:suppression"),
]
