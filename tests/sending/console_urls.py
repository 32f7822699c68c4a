"""Console URLs of the sending app, for the shared isolation test."""

from accounts.models import Account, User
from sending import recipients, webhooks
from tests.console_urls import ConsoleUrl
from tests.factories import MessageFactory, SuppressionFactory
from tests.sending.batch_helpers import filled_list, new_task
from tests.sending.helpers import approved_template, verified_sender


def _request(account: Account, owner: User) -> dict:
    return {"request_id": MessageFactory(domain__account=account).request_id}


def _message(account: Account, owner: User) -> dict:
    return {"message_id": MessageFactory(domain__account=account).message_id}


def _suppression(account: Account, owner: User) -> dict:
    return {"suppression_id": SuppressionFactory(account=account).pk}


def _recipient_list(account: Account, owner: User) -> dict:
    return {"list_id": recipients.create_list(account=account, name="Readers").pk}


def _batch(account: Account, owner: User) -> dict:
    task = new_task(
        account,
        verified_sender(account),
        approved_template(account),
        filled_list(account, 3),
    )
    return {"task_id": task.pk}


URLS = [
    ConsoleUrl("sending:send"),
    ConsoleUrl("sending:request", _request),
    ConsoleUrl("sending:messages"),
    ConsoleUrl("sending:message", _message),
    ConsoleUrl("sending:suppression"),
    ConsoleUrl("sending:suppression_add", method="post", data={"address": "x"}),
    ConsoleUrl("sending:suppression_remove", _suppression, method="post"),
    # Batch sending: every member views; owners and operators change.
    ConsoleUrl("sending:recipient_lists"),
    ConsoleUrl("sending:recipient_list_create", method="post", data={"name": ""}),
    ConsoleUrl("sending:recipient_list", _recipient_list),
    ConsoleUrl("sending:recipient_list_upload", _recipient_list, method="post"),
    ConsoleUrl("sending:recipient_list_invalid_rows", _recipient_list),
    ConsoleUrl("sending:recipient_list_delete", _recipient_list, method="post"),
    ConsoleUrl("sending:batches"),
    ConsoleUrl("sending:batch_create", method="post", data={"subject": "x"}),
    ConsoleUrl("sending:batch", _batch),
    ConsoleUrl("sending:batch_pause", _batch, method="post"),
    ConsoleUrl("sending:batch_resume", _batch, method="post"),
    ConsoleUrl("sending:batch_cancel", _batch, method="post"),
    ConsoleUrl("sending:batch_stop", _batch, method="post"),
    ConsoleUrl("sending:queue"),
]


def _webhook(account: Account, owner: User) -> dict:
    endpoint = webhooks.create_endpoint(
        account=account, url="https://hooks.acme.example/ses", event_kinds=[]
    )
    return {"endpoint_id": endpoint.pk}


# Event webhooks: every member views; owners change.
URLS += [
    ConsoleUrl("sending:webhooks"),
    ConsoleUrl("sending:webhook_add", method="post", data={"url": "x"}),
    ConsoleUrl("sending:webhook", _webhook),
    ConsoleUrl("sending:webhook_edit", _webhook, method="post", data={"url": "x"}),
    ConsoleUrl("sending:webhook_toggle", _webhook, method="post"),
    ConsoleUrl("sending:webhook_delete", _webhook, method="post"),
    ConsoleUrl("sending:webhook_test", _webhook, method="post"),
]
