"""Console URLs of the templates_app app, for the shared isolation test."""

from accounts.models import Account, User
from tests.console_urls import ConsoleUrl
from tests.factories import EmailTemplateFactory


def _template(account: Account, owner: User) -> dict:
    template = EmailTemplateFactory(account=account, author=owner)
    return {"template_id": template.pk}


def _pending_template(account: Account, owner: User) -> dict:
    template = EmailTemplateFactory(account=account, author=owner, status="pending")
    return {"template_id": template.pk}


def _version(account: Account, owner: User) -> dict:
    return {**_template(account, owner), "number": 1}


def _pending_version(account: Account, owner: User) -> dict:
    template = EmailTemplateFactory(account=account, author=owner, status="pending")
    return {"version_id": template.current_version_id}


URLS = [
    ConsoleUrl("templates_app:list"),
    ConsoleUrl("templates_app:create"),
    ConsoleUrl(
        "templates_app:create",
        method="post",
        data={"name": "Outsider's", "kind": "text", "body": "Hello"},
    ),
    ConsoleUrl("templates_app:detail", _template),
    ConsoleUrl("templates_app:edit", _template),
    ConsoleUrl(
        "templates_app:edit",
        _template,
        method="post",
        data={"name": "Taken over", "kind": "text", "body": "Mine now"},
    ),
    ConsoleUrl("templates_app:submit", _template, method="post"),
    ConsoleUrl("templates_app:withdraw", _pending_template, method="post"),
    ConsoleUrl("templates_app:preview", _version),
    ConsoleUrl("templates_app:preview_frame", _version),
    ConsoleUrl("templates_app:review_queue"),
    ConsoleUrl("templates_app:review", _pending_version),
    ConsoleUrl("templates_app:approve", _pending_version, method="post"),
    ConsoleUrl(
        "templates_app:reject",
        _pending_version,
        method="post",
        data={"reason": "Outsider says no"},
    ),
]
