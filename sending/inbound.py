"""Mail arriving for the bounce domain (the SMTP service's inbound port).

Everything is stored first (`InboundMail`), then read:

- a delivery status notification (RFC 3464, `multipart/report;
  report-type=delivery-status`) for a message's VERP address `b-<id>@…`
  bounces that message if its Action is `failed` and its Final-Recipient is
  the message's recipient;
- a feedback-loop report (ARF, RFC 5965, `report-type=feedback-report`)
  complains about the message it names (VERP address, or the original's
  X-SES-Message-ID header), again only for that message's recipient;
- mail to `unsubscribe-<id>@…` (the List-Unsubscribe mailto) unsubscribes.

Message ids are random 128-bit values, and a report is only ever applied to
the message it names and to that message's own recipient, so a report can
never touch another account's mail. What could not be matched is kept with
the reason in `outcome`.
"""

import logging
import re
from email import message_from_bytes, policy
from email.message import EmailMessage

from django.conf import settings
from django.utils import timezone

from sending import events
from sending.delivery.outcomes import classify
from sending.models import BounceType, InboundMail, Message, MessageStatus

log = logging.getLogger(__name__)

_SMTP_CODE = re.compile(r"\b([245]\d\d)\b")


def receive_inbound(
    *, peer: str, mail_from: str, rcpt_tos: list[str], data: bytes
) -> InboundMail:
    """Store what arrived, then apply it; the outcome is kept on the row."""
    mail = InboundMail.objects.create(
        peer=peer, mail_from=mail_from, rcpt_tos=rcpt_tos, data=data
    )
    try:
        outcome = process(mail)
    except Exception:  # stored is stored: a parser bug must not lose mail
        log.exception("Inbound mail %s could not be processed", mail.pk)
        outcome = "error while processing; kept for review"
    InboundMail.objects.filter(pk=mail.pk).update(
        processed_at=timezone.now(), outcome=outcome[:200]
    )
    mail.outcome = outcome
    log.info("Inbound mail %s from %s: %s", mail.pk, mail_from or "<>", outcome)
    return mail


def process(mail: InboundMail) -> str:
    parsed = message_from_bytes(bytes(mail.data), policy=policy.default)
    local_parts = _our_local_parts(mail.rcpt_tos)
    for local in local_parts:
        if local.startswith("unsubscribe-"):
            message = _message(local.removeprefix("unsubscribe-"))
            if message is None:
                return "unsubscribe for an unknown message"
            events.record_unsubscribe(message, detail="mailto unsubscribe")
            return f"unsubscribe of {message.message_id}"
    verp_id = next((local[2:] for local in local_parts if local.startswith("b-")), None)
    report_type = parsed.get_param("report-type", "", header="content-type")
    if parsed.get_content_type() == "multipart/report":
        if report_type == "delivery-status":
            return _delivery_status(parsed, verp_id)
        if report_type == "feedback-report":
            return _feedback_report(parsed, verp_id)
    return "not a delivery status notification or feedback report"


def _our_local_parts(rcpt_tos: list[str]) -> list[str]:
    domain = settings.SES_BOUNCE_DOMAIN.lower()
    locals_ = []
    for address in rcpt_tos:
        local, _, host = address.strip("<>").rpartition("@")
        if host.lower() == domain:
            locals_.append(local.lower())
    return locals_


def _message(message_id: str | None) -> Message | None:
    if not message_id:
        return None
    return (
        Message.objects.select_related("account", "sender")
        .filter(message_id=message_id)
        .first()
    )


def _part(report: EmailMessage, content_type: str) -> EmailMessage | None:
    for part in report.walk():
        if part.get_content_type() == content_type:
            return part
    return None


def _field_blocks(part: EmailMessage) -> list[dict[str, str]]:
    """The header blocks of a message/delivery-status or feedback-report part."""
    payload = part.get_payload()
    if isinstance(payload, list):  # the email package parsed the blocks
        blocks = [{k.lower(): str(v) for k, v in block.items()} for block in payload]
    else:
        text = payload if isinstance(payload, str) else ""
        blocks = []
        for chunk in re.split(r"\r?\n\s*\r?\n", text.strip()):
            fields = {}
            for line in re.sub(r"\r?\n[ \t]+", " ", chunk).splitlines():
                name, _, value = line.partition(":")
                if value:
                    fields[name.strip().lower()] = value.strip()
            blocks.append(fields)
    return blocks


def _address(field: str) -> str:
    """The address of a `rfc822; user@example.com` field."""
    return field.rpartition(";")[2].strip().strip("<>").lower()


def _delivery_status(report: EmailMessage, verp_id: str | None) -> str:
    message = _message(verp_id)
    if message is None:
        return "delivery status notification for an unknown message"
    part = _part(report, "message/delivery-status")
    if part is None:
        return "delivery status notification without its status part"
    recipients = [b for b in _field_blocks(part)[1:] if "final-recipient" in b]
    block = next(
        (
            b
            for b in recipients
            if _address(b["final-recipient"]) == message.recipient.lower()
        ),
        None,
    )
    if block is None:
        return f"refused: no Final-Recipient is {message.message_id}'s recipient"
    action = block.get("action", "").lower()
    if action != "failed":
        return f"{action or 'no'} action for {message.message_id}: nothing to do"
    diagnostic = block.get("diagnostic-code", "").partition(";")[2].strip()
    status = block.get("status", "")
    text = f"{status} {diagnostic}".strip()
    code_match = _SMTP_CODE.search(diagnostic)
    code = int(code_match.group(1)) if code_match else 550
    bounce_type = classify(code, text).bounce_type or BounceType.OTHER
    if events.record_late_bounce(
        message, bounce_type=bounce_type, detail=f"DSN: {text}"[:1000]
    ):
        return f"bounce ({bounce_type}) of {message.message_id}"
    return f"bounce of {message.message_id} ignored: it is {message.status}"


def _feedback_report(report: EmailMessage, verp_id: str | None) -> str:
    part = _part(report, "message/feedback-report")
    fields = _field_blocks(part)[0] if part is not None else {}
    message = _message(verp_id) or _message(_original_message_id(report))
    if message is None:
        return "feedback report for an unknown message"
    reported = _address(fields.get("original-rcpt-to", ""))
    if reported and reported != message.recipient.lower():
        return f"refused: the report's recipient is not {message.message_id}'s"
    if message.status in (MessageStatus.QUEUED, MessageStatus.DROPPED):
        return f"refused: {message.message_id} was never sent"
    feedback_type = fields.get("feedback-type", "abuse")
    if events.record_complaint(message, detail=f"ARF: {feedback_type}"):
        return f"complaint ({feedback_type}) about {message.message_id}"
    return f"complaint about {message.message_id} already recorded"


def _original_message_id(report: EmailMessage) -> str | None:
    for content_type in ("message/rfc822", "text/rfc822-headers"):
        part = _part(report, content_type)
        if part is None:
            continue
        payload = part.get_payload()
        if isinstance(payload, list) and payload:
            headers = payload[0]
        else:
            headers = message_from_bytes(
                part.get_payload(decode=True) or b"", policy=policy.default
            )
        value = headers.get("X-SES-Message-ID")
        if value:
            return str(value).strip()
    return None
