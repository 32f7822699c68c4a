"""Accept a whole MIME message (SMTP submission) into the sending pipeline.

The message keeps its own content — SMTP carries its own body, no template —
but goes through the same checks as everything else: the sender addresses
and their domain, the recipient limit, the template content checks, the size
limit, suppression and the daily limit.
"""

from email import policy
from email.parser import BytesParser

from django.conf import settings
from django.db import transaction

from accounts.models import Account
from domains.models import SenderAddress
from sending.errors import NoSuchSender, SenderNotAllowed
from sending.models import SubmittedContent
from sending.services import (
    API_MAX_RECIPIENTS,
    SendResult,
    accept,
    clean_recipients,
    find_sender,
)
from sesconsole.errors import ServiceError
from templates_app.content_checks import check_content
from templates_app.errors import ContainsBlockedContent


class MessageTooBig(ServiceError):
    code = "FailedOperation.EmailContentToolarge"
    default_message = "The message is too large."


def send_submitted_email(
    *,
    account: Account,
    envelope_from: str,
    recipients: list[str],
    data: bytes,
    source: str = "smtp",
) -> SendResult:
    """Accept a submitted message for `recipients`, whole or not at all."""
    limit = settings.SES_SMTP_MAX_BYTES
    if len(data) > limit:
        raise MessageTooBig(
            f"The message has {len(data):,} bytes; the limit is {limit:,}."
        )
    addresses = clean_recipients(recipients, limit=API_MAX_RECIPIENTS)
    envelope_sender = own_sender(account, envelope_from, "envelope sender")
    message = BytesParser(policy=policy.default).parsebytes(data)
    from_name, from_sender = _from_header(account, message)
    if envelope_sender.domain_id != from_sender.domain_id:
        raise SenderNotAllowed(
            "The envelope sender and the From address must be on the same domain."
        )
    _check_content(message)
    # One transaction: a refused request (the daily limit) keeps no content.
    with transaction.atomic():
        content = SubmittedContent.objects.create(
            account=account, data=data, size=len(data)
        )
        return accept(
            account=account,
            sender=from_sender,
            addresses=addresses,
            from_name=from_name,
            submitted=content,
            subject=str(message.get("Subject", ""))[:998],
            source=source,
        )


def own_sender(account: Account, address: str, what: str) -> SenderAddress:
    """The account's sender address `address`, or SenderNotAllowed naming `what`."""
    try:
        return find_sender(account, address)
    except NoSuchSender:
        raise SenderNotAllowed(
            f"The {what} {address or '<>'} is not a sender address of this account."
        ) from None


def _from_header(account: Account, message: object) -> tuple[str, SenderAddress]:
    header = message.get("From")
    addresses = getattr(header, "addresses", ()) if header is not None else ()
    if len(addresses) != 1:
        raise SenderNotAllowed("The message needs exactly one From address.")
    address = addresses[0]
    return address.display_name, own_sender(account, address.addr_spec, "From address")


def _body(message: object, subtype: str) -> str:
    part = message.get_body((subtype,))
    if part is None:
        return ""
    try:
        return part.get_content()
    except (LookupError, UnicodeError):
        return ""


def _check_content(message: object) -> None:
    findings = check_content(text=_body(message, "plain"), html=_body(message, "html"))
    blocking = [f for f in findings if f.blocking]
    if blocking:
        raise ContainsBlockedContent(
            "The message contains content that cannot be sent: "
            + ", ".join(f.label for f in blocking)
        )
