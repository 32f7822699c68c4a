"""Accepting mail: `send_email` is the one way in, for console, API, SMTP, batch."""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from domains.models import SenderAddress
from sending import events, quota, suppression, tasks
from sending.attachments import check_attachments
from sending.errors import (
    IllegalEmailAddress,
    InvalidSubject,
    NoRecipients,
    NoSuchSender,
    TemplateNotExist,
    TemplateStatusError,
    TooManyRecipients,
)
from sending.models import (
    AttachmentSet,
    EventKind,
    Message,
    MessageStatus,
    SuppressionReason,
)
from sesconsole import row_cache, statements
from sesconsole.inserts import insert_rows
from stats.counters import NewEvent, record_events
from templates_app.errors import SubjectLineBreak
from templates_app.models import EmailTemplate, TemplateVersion
from templates_app.variables import render_subject, render_version

API_MAX_RECIPIENTS = 50
CC_MAX = 20


@dataclass(frozen=True)
class SendResult:
    request_id: str
    messages: list[Message]

    @property
    def accepted(self) -> list[Message]:
        return [m for m in self.messages if m.status != MessageStatus.DROPPED]

    @property
    def dropped(self) -> list[Message]:
        return [m for m in self.messages if m.status == MessageStatus.DROPPED]


def clean_recipients(
    raw: Iterable[str], *, limit: int, allow_empty: bool = False
) -> list[str]:
    """Valid, de-duplicated recipients (first spelling kept), or an error."""
    recipients: dict[str, str] = {}
    for entry in raw:
        address = entry.strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise IllegalEmailAddress(
                f"“{address}” is not a valid email address."
            ) from None
        recipients.setdefault(address.lower(), address)
    if not recipients and not allow_empty:
        raise NoRecipients
    if len(recipients) > limit:
        raise TooManyRecipients(
            f"{len(recipients)} recipients; one request takes at most {limit}."
        )
    return list(recipients.values())


def find_sender(account: Account, from_email: str) -> SenderAddress:
    """The account's sender address (a shared copy, read-only).

    Its domain may be stale: limits and blocks change by UPDATE. The daily
    limit reservation reads the domain's state itself; elsewhere use
    `domains.services.current_domain`.
    """
    local, _, domain = from_email.strip().lower().rpartition("@")
    sender = row_cache.lookup(
        ("sender", account.pk, local, domain),
        lambda: (
            SenderAddress.objects.for_account(account)
            .select_related("domain")
            .filter(local_part=local, domain__name=domain)
            .first()
        ),
    )
    if sender is None:
        raise NoSuchSender(f"{from_email} is not a sender address of this account.")
    return sender


def approved_version(account: Account, template_id: int) -> TemplateVersion:
    template = row_cache.lookup(
        ("template", account.pk, template_id),
        lambda: (
            EmailTemplate.objects.for_account(account)
            .select_related("approved_version")
            .filter(pk=template_id)
            .first()
        ),
    )
    if template is None:
        raise TemplateNotExist(f"Template {template_id} does not exist.")
    if template.approved_version is None:
        raise TemplateStatusError(
            f"Template “{template.name}” has no approved version: submit it for "
            "review first."
        )
    return template.approved_version


def send_email(
    *,
    account: Account,
    from_email: str,
    recipients: Iterable[str],
    template_id: int,
    template_data: Mapping[str, object],
    subject: str,
    unsubscribe_language: str = "",
    max_recipients: int = API_MAX_RECIPIENTS,
    source: str = "console",
    cc: Iterable[str] = (),
    bcc: Iterable[str] = (),
    reply_to: str = "",
    attachments: list[tuple[str, bytes]] = (),
) -> SendResult:
    """Accept one request whole (a message per recipient) or refuse it whole.

    Suppressed recipients are accepted as `dropped`, with the reason, and
    never delivered; they do not count against the daily limit.
    """
    addresses = clean_recipients(recipients, limit=max_recipients)
    cc_list = clean_recipients(cc, limit=CC_MAX, allow_empty=True)
    bcc_list = clean_recipients(bcc, limit=CC_MAX, allow_empty=True)
    if reply_to:
        clean_recipients([reply_to], limit=1)
    sender = find_sender(account, from_email)
    version = approved_version(account, template_id)
    values = {name: str(value) for name, value in template_data.items()}
    try:
        rendered_subject = render_subject(subject, values)
        render_version(version, values)  # proves the values cover every variable
    except SubjectLineBreak as error:
        raise InvalidSubject(error.message) from None
    if not rendered_subject.strip():
        raise InvalidSubject("Enter a subject.")

    visible = {"to_header": "", "cc_header": "", "reply_to": reply_to}
    if cc_list or bcc_list:
        # Everyone sees the same To and Cc lines; Bcc recipients appear nowhere.
        visible["to_header"] = ", ".join(addresses)
        visible["cc_header"] = ", ".join(cc_list)
    everyone = list({a.lower(): a for a in [*addresses, *cc_list, *bcc_list]}.values())
    files = check_attachments(list(attachments)) if attachments else []
    with transaction.atomic():
        attachment_set = (
            AttachmentSet.objects.create(
                account=account,
                files=files,
                size=sum(len(data) for _, data in attachments),
            )
            if files
            else None
        )
        return accept(
            account=account,
            sender=sender,
            addresses=everyone,
            **visible,
            attachments=attachment_set,
            template_version=version,
            subject=rendered_subject,
            variables=values,
            unsubscribe_language=unsubscribe_language,
            source=source,
        )


def accept(
    *,
    account: Account,
    sender: SenderAddress,
    addresses: list[str],
    from_name: str | None = None,
    **content: object,
) -> SendResult:
    """Create the messages of a validated request, in one transaction.

    Suppressed recipients become `dropped`; the rest are reserved against the
    daily limit (or the whole request fails) and queued for delivery.
    """
    request_id = uuid.uuid4().hex
    day = quota.sending_day()
    # No savepoint: a failure anywhere undoes the caller's whole transaction.
    with transaction.atomic(savepoint=False):
        # One round trip: the suppression check, and a reservation for every
        # recipient, as most requests suppress none; the rest give some back.
        blocked, taken = statements.run(
            suppression.looking_up(account=account, sender=sender, addresses=addresses),
            quota.taking(sender.domain, len(addresses), day=day),
        )
        deliverable = [a for a in addresses if a.lower() not in blocked]
        quota.settle(
            sender.domain, taken, day=day, took=len(addresses), needed=len(deliverable)
        )
        messages = create_messages(
            account=account,
            sender=sender,
            request_id=request_id,
            recipients=[(address, content) for address in addresses],
            suppressed=blocked,
            from_name=sender.sender_name if from_name is None else from_name,
        )
    return SendResult(request_id=request_id, messages=messages)


def create_messages(
    *,
    account: Account,
    sender: SenderAddress,
    request_id: str,
    recipients: list[tuple[str, Mapping[str, object]]],
    suppressed: Mapping[str, SuppressionReason],
    from_name: str,
    **common: object,
) -> list[Message]:
    """Store one message per (address, content) and queue the deliverable ones.

    The daily limit must already be reserved for the recipients not in
    `suppressed` (address → SuppressionReason); those become `dropped`. Call inside
    a transaction: delivery is dispatched when it commits.
    """
    now = timezone.now()
    version = common.get("template_version")
    messages = []
    for address, content in recipients:
        reason = suppressed.get(address.lower())
        messages.append(
            Message(
                account=account,
                domain=sender.domain,
                sender=sender,
                request_id=request_id,
                from_name=from_name,
                from_email=sender.email,
                recipient=address,
                status=MessageStatus.DROPPED if reason else MessageStatus.QUEUED,
                status_reason=f"Suppressed: {reason.label}" if reason else "",
                finished_at=now if reason else None,
                created_at=now,
                next_attempt_at=now,
                dispatched_at=now,
                tracked=account.track_opens_and_clicks
                and bool(
                    getattr(content.get("template_version", version), "body_html", "")
                ),
                **common,
                **content,
            )
        )
    insert_rows(messages)
    record_events(
        NewEvent(
            message,
            EventKind.DROPPED
            if message.status == MessageStatus.DROPPED
            else EventKind.ACCEPTED,
            at=now,
            detail=message.status_reason,
        )
        for message in messages
    )
    queued = [m.pk for m in messages if m.status == MessageStatus.QUEUED]
    tasks.dispatch_delivery(queued, on_commit=True)
    return messages


def unsubscribe_recipient(*, message: Message) -> None:
    """Suppress the message's recipient for its sender address (idempotent)."""
    events.record_unsubscribe(message)
