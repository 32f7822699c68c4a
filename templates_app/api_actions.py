"""Email template actions of the HTTP API, over the console's services.

Tencent reviews every template, so a template created or updated through the
API goes to review at once. It is written as the API key's creator, who must
still be an owner or operator of the account.

TemplateStatus is the status of the template's current (newest) version,
whose content GetEmailTemplate returns: 0 approved, 1 pending review,
2 rejected, 3 draft (only the console makes drafts; Tencent documents values
other than 0 to 2 as "not available"). An approved version stays sendable
while a newer one is pending or rejected.
"""

import base64
import binascii
from collections.abc import Iterator
from contextlib import contextmanager

from accounts.models import User
from sesconsole.api.errors import ApiError
from sesconsole.api.registry import ApiContext, api_action, optional, required
from templates_app import services
from templates_app.errors import (
    KeyCreatorNotAuthor,
    NotAllowed,
    TemplateContentIsNull,
    TemplateContentIsWrong,
    TemplateNameIsNull,
    TemplateNotExist,
)
from templates_app.models import EmailTemplate, Kind, Status

TEMPLATE_CONTENT = {"Html": optional(str), "Text": optional(str)}
TEMPLATE_STATUS = {
    Status.APPROVED: 0,
    Status.PENDING: 1,
    Status.REJECTED: 2,
    Status.DRAFT: 3,
}
MAX_LIMIT = 100


def _decode(value: str | None, name: str) -> str:
    """The text of a base64 field; empty when absent."""
    if not value:
        return ""
    try:
        raw = base64.b64decode("".join(value.split()), validate=True)
        return raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise TemplateContentIsWrong(
            f"TemplateContent.{name} must be UTF-8 text encoded in base64."
        ) from None


def _encode(text: str) -> str:
    return base64.b64encode(text.encode()).decode("ascii")


def _content(params: dict) -> dict:
    """The services' kind, body and text alternative from a TemplateContent."""
    content = params["TemplateContent"]
    html = _decode(content.get("Html"), "Html")
    text = _decode(content.get("Text"), "Text")
    if html.strip():
        return {"kind": Kind.HTML, "body": html, "text_alternative": text}
    if text.strip():
        return {"kind": Kind.TEXT, "body": text}
    raise TemplateContentIsNull("TemplateContent needs an Html or a Text part.")


def _name(params: dict) -> str:
    name = params["TemplateName"]
    if not name.strip():
        raise TemplateNameIsNull
    return name


def _template(context: ApiContext, template_id: int) -> EmailTemplate:
    template = (
        EmailTemplate.objects.for_account(context.account)
        .with_versions()
        .filter(pk=template_id)
        .first()
    )
    if template is None:
        raise TemplateNotExist(f"Template {template_id} does not exist.")
    return template


def _author(context: ApiContext) -> User:
    if context.api_key.created_by is None:
        raise KeyCreatorNotAuthor
    return context.api_key.created_by


@contextmanager
def _as_key_creator() -> Iterator[None]:
    """Report the services' role refusal as the API key's problem."""
    try:
        yield
    except NotAllowed:
        raise KeyCreatorNotAuthor from None


@api_action(
    "CreateEmailTemplate",
    TemplateName=required(str),
    TemplateContent=required(TEMPLATE_CONTENT),
)
def create_email_template(context: ApiContext, params: dict) -> dict:
    name = _name(params)
    content = _content(params)
    with _as_key_creator():
        template = services.create_template(
            account=context.account,
            author=_author(context),
            name=name,
            submit=True,
            **content,
        )
    return {"TemplateID": template.pk}


@api_action("GetEmailTemplate", TemplateID=required(int))
def get_email_template(context: ApiContext, params: dict) -> dict:
    template = _template(context, params["TemplateID"])
    version = template.current_version
    return {
        "TemplateContent": {
            "Html": _encode(version.body_html if version else ""),
            "Text": _encode(version.body_text if version else ""),
        },
        "TemplateStatus": TEMPLATE_STATUS[template.status],
        "TemplateName": template.name,
    }


@api_action("ListEmailTemplates", Limit=optional(int), Offset=optional(int))
def list_email_templates(context: ApiContext, params: dict) -> dict:
    limit = params.get("Limit", MAX_LIMIT)
    offset = params.get("Offset", 0)
    if limit < 0 or offset < 0:
        raise ApiError("InvalidParameterValue", "Limit and Offset cannot be negative.")
    templates = (
        EmailTemplate.objects.for_account(context.account)
        .select_related("current_version")
        .order_by("-created_at", "-pk")
    )
    page = templates[offset : offset + min(limit, MAX_LIMIT)]
    return {
        "TemplatesMetadata": [
            {
                "CreatedTimestamp": int(template.created_at.timestamp()),
                "TemplateName": template.name,
                "TemplateStatus": TEMPLATE_STATUS[template.status],
                "TemplateID": template.pk,
                "ReviewReason": (
                    template.current_version.reason if template.current_version else ""
                ),
            }
            for template in page
        ],
        "TotalCount": templates.count(),
    }


@api_action(
    "UpdateEmailTemplate",
    TemplateContent=required(TEMPLATE_CONTENT),
    TemplateID=required(int),
    TemplateName=required(str),
)
def update_email_template(context: ApiContext, params: dict) -> dict:
    template = _template(context, params["TemplateID"])
    name = _name(params)
    content = _content(params)
    with _as_key_creator():
        services.update_template(
            template=template,
            author=_author(context),
            name=name,
            summary=template.summary,
            submit=True,
            **content,
        )
    return {}


@api_action("DeleteEmailTemplate", TemplateID=required(int))
def delete_email_template(context: ApiContext, params: dict) -> dict:
    template = _template(context, params["TemplateID"])
    with _as_key_creator():
        services.delete_template(template=template, author=_author(context))
    return {}
