"""Sending actions of the HTTP API: SendEmail and GetSendEmailStatus.

The suppression-list and unsubscribe-configuration actions live in
`sending.api_suppression`, batch sending in `sending.api_batch` and the
complaint report in `sending.api_abuse`, imported here so the registry
finds them.
"""

import base64
import binascii
from datetime import date, datetime, timedelta

from django.db.models import Q

from sending import api_abuse, api_batch, api_suppression  # noqa: F401
from sending.api_formats import address_of, midnight, template_data
from sending.errors import NoRecipients, TooManyRecipients
from sending.models import Message, MessageStatus
from sending.services import send_email
from sesconsole.api.errors import ApiError
from sesconsole.api.registry import ApiContext, api_action, optional, required

# Tencent's Unsubscribe codes ("0" none, then languages by number): one
# table for SendEmail and the unsubscribe-configuration actions.
UNSUBSCRIBE_LANGUAGES = api_suppression.UNSUBSCRIBE_CONFIG

TEMPLATE = {
    "TemplateID": required(int),
    "TemplateData": required(str),
    "Html": optional(str),
    "Text": optional(str),
}
ATTACHMENT = {
    "FileName": optional(str),
    "Content": optional(str),
    "FileURL": optional(str),
}


@api_action(
    "SendEmail",
    FromEmailAddress=required(str),
    Destination=optional([str]),
    Subject=required(str),
    ReplyToAddresses=optional(str),
    Cc=optional([str]),
    Bcc=optional([str]),
    Template=optional(TEMPLATE),
    Simple=optional({"Html": optional(str), "Text": optional(str)}),
    Attachments=optional([ATTACHMENT]),
    Unsubscribe=optional(str),
    TriggerType=optional(int),
    SmtpMessageId=optional(str),
    SmtpHeaders=optional(str),
    HeaderFrom=optional(str),
)
def send(context: ApiContext, params: dict) -> dict:
    if "Template" not in params:
        raise ApiError(
            "FailedOperation.WithOutPermission",
            "Send with a Template: custom (Simple) content is not enabled for "
            "this account.",
        )
    for unsupported in ("SmtpHeaders",):
        if params.get(unsupported):
            raise ApiError(
                "UnsupportedOperation",
                f"{unsupported} is not supported yet by this platform.",
            )
    destination = params.get("Destination") or []
    if not destination:
        raise NoRecipients("Destination needs at least one address.")
    overlap = {a.lower() for a in destination} & {
        a.lower() for a in params.get("Bcc", [])
    }
    if overlap:
        raise ApiError(
            "InvalidParameterValue",
            f"Bcc repeats Destination addresses: {', '.join(sorted(overlap))}.",
        )
    if len(destination) > 50:
        raise TooManyRecipients("Destination takes at most 50 addresses.")
    unsubscribe = params.get("Unsubscribe", "0")
    if unsubscribe not in UNSUBSCRIBE_LANGUAGES:
        raise ApiError(
            "InvalidParameterValue",
            f"Unsubscribe `{unsubscribe}` is not supported; use one of "
            + ", ".join(UNSUBSCRIBE_LANGUAGES),
        )
    template = params["Template"]
    result = send_email(
        account=context.account,
        from_email=address_of(params["FromEmailAddress"]),
        recipients=destination,
        template_id=template["TemplateID"],
        template_data=template_data(template["TemplateData"]),
        subject=params["Subject"],
        unsubscribe_language=UNSUBSCRIBE_LANGUAGES[unsubscribe],
        source="api",
        attachments=_attachments(params.get("Attachments", [])),
        cc=params.get("Cc", []),
        bcc=params.get("Bcc", []),
        reply_to=params.get("ReplyToAddresses", ""),
    )
    return {"MessageId": result.request_id}


def _attachments(items: list[dict]) -> list[tuple[str, bytes]]:
    files = []
    for item in items:
        if item.get("FileURL"):
            raise ApiError(
                "UnsupportedOperation", "FileURL attachments are not supported."
            )
        try:
            data = base64.b64decode(item.get("Content", ""), validate=True)
        except binascii.Error:
            raise ApiError(
                "InvalidParameterValue.AttachContentIsWrong",
                f"The Content of {item.get('FileName', 'an attachment')} is not "
                "base64.",
            ) from None
        files.append((item.get("FileName", ""), data))
    return files


# Tencent's DeliverStatus: 0 queued, 1 delivered, 2 dropped, 3 rejected
# (bounced), 8 delayed (deferred).
DELIVER_STATUS = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 0,
    MessageStatus.SENT: 0,
    MessageStatus.DELIVERED: 1,
    MessageStatus.DROPPED: 2,
    MessageStatus.FAILED: 2,
    MessageStatus.BOUNCED: 3,
    MessageStatus.DEFERRED: 8,
}
# Tencent's SendStatus: 0 accepted; 1007 on the blocklist.
SUPPRESSED_SEND_STATUS = 1007


def _timestamp(value: datetime | None) -> int:
    return int(value.timestamp()) if value else 0


def status_row(message: Message) -> dict:
    return {
        "MessageId": message.request_id,
        "ToEmailAddress": message.recipient,
        "FromEmailAddress": message.from_email,
        "SendStatus": (
            SUPPRESSED_SEND_STATUS if message.status == MessageStatus.DROPPED else 0
        ),
        "DeliverStatus": DELIVER_STATUS[message.status],
        "DeliverMessage": message.final_response or message.status_reason,
        "RequestTime": _timestamp(message.created_at),
        "DeliverTime": _timestamp(message.finished_at),
        "UserOpened": message.opened_at is not None,
        "UserClicked": message.clicked_at is not None,
        "UserUnsubscribed": message.unsubscribed_at is not None,
        "UserComplainted": message.complained_at is not None,
        "UserComplained": message.complained_at is not None,
    }


@api_action(
    "GetSendEmailStatus",
    RequestDate=required(str),
    Offset=required(int),
    Limit=required(int),
    MessageId=optional(str),
    ToEmailAddress=optional(str),
)
def get_send_email_status(context: ApiContext, params: dict) -> dict:
    try:
        day = date.fromisoformat(params["RequestDate"])
    except ValueError:
        raise ApiError(
            "InvalidParameterValue.WrongDate", "RequestDate must be YYYY-MM-DD."
        ) from None
    if not 0 < params["Limit"] <= 100:
        raise ApiError("FailedOperation.InvalidLimit", "Limit must be 1 to 100.")
    # The day is the sending day, in SES_TIME_ZONE.
    start = midnight(day)
    found = Message.objects.for_account(context.account).filter(
        created_at__gte=start, created_at__lt=start + timedelta(days=1)
    )
    if params.get("MessageId"):
        found = found.filter(Q(request_id=params["MessageId"]))
    if params.get("ToEmailAddress"):
        found = found.filter(recipient__iexact=params["ToEmailAddress"])
    page = list(
        found.order_by("created_at", "pk")[
            params["Offset"] : params["Offset"] + params["Limit"]
        ]
    )
    return {"EmailStatusList": [status_row(m) for m in page]}
