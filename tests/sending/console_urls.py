"""Console URLs of the sending app, for the shared isolation test."""

from accounts.models import Account, User
from tests.console_urls import ConsoleUrl
from tests.factories import MessageFactory, SuppressionFactory


def _request(account: Account, owner: User) -> dict:
    return {"request_id": MessageFactory(domain__account=account).request_id}


def _message(account: Account, owner: User) -> dict:
    return {"message_id": MessageFactory(domain__account=account).message_id}


def _suppression(account: Account, owner: User) -> dict:
    return {"suppression_id": SuppressionFactory(account=account).pk}


URLS = [
    ConsoleUrl("sending:send"),
    ConsoleUrl("sending:request", _request),
    ConsoleUrl("sending:messages"),
    ConsoleUrl("sending:message", _message),
    ConsoleUrl("sending:suppression"),
    ConsoleUrl("sending:suppression_add", method="post", data={"address": "x"}),
    ConsoleUrl("sending:suppression_remove", _suppression, method="post"),
    ConsoleUrl("sending:batches"),
    ConsoleUrl("sending:recipient_lists"),
]
