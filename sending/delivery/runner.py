"""Deliver claimed messages, recording every outcome as soon as it is known.

Crash safety: a message is claimed (`queued`/`deferred` → `sending`) with a
conditional UPDATE before it is handed to SMTP, and its outcome is committed
the moment the server answers. A worker that dies leaves its messages in
`sending`; the sweeper (`sweep`) puts them back in the queue after
SES_SENDING_STALE_SECONDS. The only message that can be sent twice is one
whose 250 arrived in the instant between the server's answer and our commit.
"""

import logging
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from domains.services import sign_message
from sending.delivery.outcomes import classify, retry_delay
from sending.delivery.transport import Attempt, Transport
from sending.events import counted
from sending.mime import bounce_address, message_bytes
from sending.models import (
    CLAIMABLE_STATUSES,
    BounceType,
    EventKind,
    Message,
    MessageStatus,
    SuppressionReason,
)
from sending.suppression import suppress
from stats.counters import NewEvent, record_events

log = logging.getLogger(__name__)

GIVE_UP_AFTER = timedelta(hours=72)


@contextmanager
def asynchronous_commits() -> Iterator[None]:
    """Let this connection's commits skip waiting for PostgreSQL's WAL flush.

    A delivery commits twice per message; waiting for the disk each time
    (3.5 ms here) would cap a worker near 140 messages a second. The cost: if
    the PostgreSQL server itself crashes, the last fraction of a second of
    outcomes is lost and those messages are sent again. A worker crash loses
    nothing: its commits are already done.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def claim(message_ids: Iterable[int]) -> list[Message]:
    """Take the messages no other worker holds and that are due now."""
    message_ids = list(message_ids)
    now = timezone.now()
    token = uuid.uuid4()
    Message.objects.filter(
        pk__in=message_ids,
        status__in=CLAIMABLE_STATUSES,
        next_attempt_at__lte=now,
    ).update(
        status=MessageStatus.SENDING,
        claim_token=token,
        claimed_at=now,
        attempts=F("attempts") + 1,
    )
    return list(
        Message.objects.filter(
            pk__in=message_ids, claim_token=token, status=MessageStatus.SENDING
        )
        .select_related("domain", "template_version", "submitted", "attachments")
        .order_by("recipient")
    )


def deliver(message_ids: Iterable[int]) -> dict[int, float]:
    """Deliver what can be claimed of `message_ids`.

    Returns the deferred messages with their retry delay in seconds, for the
    caller to schedule.
    """
    messages = claim(message_ids)
    if not messages:
        return {}
    transport = Transport(settings.SES_DELIVERY_URL)
    retries: dict[int, float] = {}
    try:
        with asynchronous_commits():
            for message in messages:
                delay = deliver_one(message, transport)
                if delay is not None:
                    retries[message.pk] = delay
    finally:
        transport.close()
    return retries


def deliver_one(message: Message, transport: Transport) -> float | None:
    """Send one claimed message and record the outcome; the retry delay if any."""
    try:
        data = message_bytes(message)
        data = sign_message(message.domain, data) + data
    except Exception as error:  # a message we cannot build will never send
        log.exception("Cannot build message %s", message.message_id)
        return _record(
            message,
            Attempt(None, f"Cannot build the message: {error}"),
            b"",
            failed=True,
        )

    def handing_over() -> None:
        # Committed before the final dot: if this worker dies from here on,
        # the sweeper knows the server may have the message.
        Message.objects.filter(pk=message.pk, claim_token=message.claim_token).update(
            sent_at=timezone.now()
        )

    attempt = transport.send(
        bounce_address(message), message.recipient, data, handing_over
    )
    return _record(message, attempt, data)


def _record(
    message: Message, attempt: Attempt, data: bytes, *, failed: bool = False
) -> float | None:
    now = timezone.now()
    outcome = classify(attempt.code, attempt.response)
    status, bounce_type = outcome.status, outcome.bounce_type
    if attempt.permanent_without_smtp:
        status, bounce_type = MessageStatus.BOUNCED, BounceType.INVALID_ADDRESS
    if failed:
        status = MessageStatus.FAILED
    if attempt.handed_over:
        status = MessageStatus.SENT
    retry_in = None
    next_attempt_at = message.next_attempt_at
    if status == MessageStatus.DEFERRED:
        if now - message.created_at >= GIVE_UP_AFTER:
            status = MessageStatus.FAILED
        else:
            delay = retry_delay(message.attempts, settings.SES_RETRY_BASE_SECONDS)
            next_attempt_at = now + delay
            retry_in = delay.total_seconds()
    fields = {
        "status": status,
        "bounce_type": bounce_type,
        "final_response": attempt.response[:1000],
        "transcript": "\n".join(attempt.transcript),
        "next_attempt_at": next_attempt_at,
        "claim_token": None,
    }
    if data:
        fields["raw_message"] = data.decode("ascii", "replace")
    if status != MessageStatus.DEFERRED:
        fields["finished_at"] = now
    with transaction.atomic():
        # Only the holder of the claim records: a message re-queued by the
        # sweeper and claimed again elsewhere is not overwritten.
        updated = Message.objects.filter(
            pk=message.pk, claim_token=message.claim_token
        ).update(**fields)
        if not updated:
            return None
        record_events(
            [
                NewEvent(
                    message,
                    _EVENT_FOR[status],
                    at=now,
                    detail=attempt.response,
                    bounce_type=bounce_type,
                )
            ]
        )
        if bounce_type == BounceType.INVALID_ADDRESS:
            suppress(
                account=message.account,
                address=message.recipient,
                reason=SuppressionReason.HARD_BOUNCE,
                note=attempt.response,
            )
    return retry_in


_EVENT_FOR = {
    MessageStatus.SENT: EventKind.SENT,
    MessageStatus.DELIVERED: EventKind.DELIVERED,
    MessageStatus.DEFERRED: EventKind.DEFERRED,
    MessageStatus.BOUNCED: EventKind.BOUNCED,
    MessageStatus.FAILED: EventKind.FAILED,
}


def sweep(now: timezone.datetime | None = None) -> list[int]:
    """Put stuck messages back in the queue; return the ids to dispatch.

    - `sending` for longer than SES_SENDING_STALE_SECONDS: its worker died.
    - `queued` or `deferred` and due, but not dispatched for that long: its
      task was lost (a flushed broker, a crash before dispatch).
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.SES_SENDING_STALE_SECONDS)
    stuck = Message.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=stale)
    # Handed over before the worker died: the server may have it. Sending it
    # again could deliver it twice, so it ends as `sent`, outcome unknown.
    handed_over = list(stuck.filter(sent_at__isnull=False).values_list("pk", flat=True))
    if handed_over:
        _finish_unknown(handed_over, now)
    requeue = list(
        stuck.filter(sent_at__isnull=True).values_list("pk", flat=True)[:10_000]
    )
    if requeue:
        with transaction.atomic():
            Message.objects.filter(
                pk__in=requeue, status=MessageStatus.SENDING, sent_at__isnull=True
            ).update(status=MessageStatus.QUEUED, claim_token=None, next_attempt_at=now)
            record_events(
                NewEvent(
                    message,
                    EventKind.REQUEUED,
                    at=now,
                    detail="The delivering worker stopped; queued again.",
                )
                for message in counted(requeue)
            )
    due = list(
        Message.objects.filter(
            status__in=CLAIMABLE_STATUSES,
            next_attempt_at__lte=now,
            dispatched_at__lt=stale,
        ).values_list("pk", flat=True)[:10_000]
    )
    ids = sorted(set(requeue) | set(due))
    Message.objects.filter(pk__in=ids).update(dispatched_at=now)
    return ids


def _finish_unknown(message_ids: list[int], now: timezone.datetime) -> None:
    detail = (
        "The worker stopped after handing the message to the server and before "
        "its answer; not sent again, to avoid a duplicate."
    )
    with transaction.atomic():
        Message.objects.filter(pk__in=message_ids, status=MessageStatus.SENDING).update(
            status=MessageStatus.SENT,
            claim_token=None,
            finished_at=now,
            final_response=detail,
        )
        record_events(
            NewEvent(message, EventKind.SENT, at=now, detail=detail)
            for message in counted(message_ids)
        )
