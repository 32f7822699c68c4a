"""What happens to a message after it left: opens, clicks, unsubscribes,
complaints and late bounces — each recorded once as an event and counted.

Unique opens and clicks are decided by a conditional UPDATE that only the
first one wins (`opened_at IS NULL`), so two readers' requests arriving at
once still count one unique open.
"""

from django.db import transaction
from django.utils import timezone

from sending.models import (
    BounceType,
    EventKind,
    Message,
    MessageStatus,
    SuppressionReason,
)
from sending.suppression import suppress
from stats.counters import NewEvent, record_events


def counted(message_ids: list[int]) -> list[Message]:
    """The messages, with just what counting their events needs."""
    return list(
        Message.objects.filter(pk__in=message_ids).only(
            "pk", "account_id", "domain_id", "recipient"
        )
    )


def _first(message: Message, field: str) -> bool:
    """Set `field` to now if it is unset; True for the call that set it."""
    return bool(
        Message.objects.filter(pk=message.pk, **{f"{field}__isnull": True}).update(
            **{field: timezone.now()}
        )
    )


def record_open(message: Message, *, user_agent: str = "") -> None:
    with transaction.atomic():
        first = _first(message, "opened_at")
        record_events(
            [
                NewEvent(
                    message,
                    EventKind.OPENED,
                    first=first,
                    user_agent=user_agent[:500],
                )
            ]
        )


def record_click(message: Message, *, link: str, user_agent: str = "") -> None:
    with transaction.atomic():
        first = _first(message, "clicked_at")
        record_events(
            [
                NewEvent(
                    message,
                    EventKind.CLICKED,
                    first=first,
                    user_agent=user_agent[:500],
                    link=link[:2000],
                )
            ]
        )


def record_unsubscribe(message: Message, *, detail: str = "") -> bool:
    """Suppress the recipient for the message's sender; count it once."""
    with transaction.atomic():
        if message.sender_id is not None:
            suppress(
                account=message.account,
                address=message.recipient,
                reason=SuppressionReason.UNSUBSCRIBE,
                sender=message.sender,
            )
        if not _first(message, "unsubscribed_at"):
            return False
        record_events([NewEvent(message, EventKind.UNSUBSCRIBED, detail=detail)])
        return True


def record_complaint(message: Message, *, detail: str = "") -> bool:
    """A feedback-loop report: suppress the recipient for that sender."""
    with transaction.atomic():
        suppress(
            account=message.account,
            address=message.recipient,
            reason=SuppressionReason.COMPLAINT,
            sender=message.sender,
            note=detail,
        )
        if not _first(message, "complained_at"):
            return False
        record_events([NewEvent(message, EventKind.COMPLAINED, detail=detail)])
        return True


def record_late_bounce(message: Message, *, bounce_type: str, detail: str) -> bool:
    """A delivery status notification after the server had said yes.

    The message becomes `bounced`; a hard bounce (invalid address) suppresses
    the address for the whole account. A second DSN for the same message
    changes nothing.
    """
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        if locked.status not in (MessageStatus.DELIVERED, MessageStatus.SENT):
            return False
        previous = locked.status
        Message.objects.filter(pk=message.pk).update(
            status=MessageStatus.BOUNCED,
            bounce_type=bounce_type,
            status_reason=detail[:500],
        )
        record_events(
            [
                NewEvent(
                    locked,
                    EventKind.BOUNCED,
                    detail=detail,
                    bounce_type=bounce_type,
                    previous_outcome=previous,
                )
            ]
        )
        if bounce_type == BounceType.INVALID_ADDRESS:
            suppress(
                account=locked.account,
                address=locked.recipient,
                reason=SuppressionReason.HARD_BOUNCE,
                note=detail,
            )
        return True
