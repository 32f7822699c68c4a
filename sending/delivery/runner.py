"""Deliver claimed messages and record their outcomes.

Crash safety: a message is claimed (`queued`/`deferred` → `sending`) with a
conditional UPDATE before it is handed to SMTP, and the moment before its
final dot is committed (`sent_at`). Outcomes are then recorded together, a
chunk's at a time (at most RECORD_EVERY_SECONDS late), in one transaction.
A worker that dies leaves its messages in `sending`; the sweeper (`sweep`)
puts back in the queue those never handed over and ends the others as `sent`
(outcome unknown) after SES_SENDING_STALE_SECONDS. So no message is sent
twice, except one whose 250 arrived in the instant between the hand-over
commit and a server that crashed and lost it.
"""

import functools
import logging
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

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
# Outcomes wait for their chunk's end, but never longer than this: a slow
# destination should not hide the outcome of what went out before it.
RECORD_EVERY_SECONDS = 1.0


@contextmanager
def asynchronous_commits() -> Iterator[None]:
    """Let this connection's commits skip waiting for PostgreSQL's WAL flush.

    A delivery commits once per message (the hand-over); waiting for the disk
    each time (3.5 ms here) would cap a worker near 280 messages a second.
    The cost: if the PostgreSQL server itself crashes, the last fraction of a
    second of claims, hand-overs and outcomes is lost and those messages are
    sent again. A worker crash loses nothing: its commits are already done.
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
    with asynchronous_commits():
        messages = claim(message_ids)
        if not messages:
            return {}
        transport = Transport(settings.SES_DELIVERY_URL)
        retries: dict[int, float] = {}
        pending: list[Outcome] = []
        pending_since = time.monotonic()
        try:
            for message in messages:
                pending.append(deliver_one(message, transport))
                if time.monotonic() - pending_since >= RECORD_EVERY_SECONDS:
                    retries |= record(pending)
                    pending, pending_since = [], time.monotonic()
        finally:
            transport.close()
            retries |= record(pending)
    return retries


def deliver_one(message: Message, transport: Transport) -> "Outcome":
    """Send one claimed message; its outcome, to be recorded with others."""
    try:
        data = message_bytes(message)
        data = sign_message(message.domain, data) + data
    except Exception as error:  # a message we cannot build will never send
        log.exception("Cannot build message %s", message.message_id)
        attempt = Attempt(None, f"Cannot build the message: {error}")
        return Outcome.of(message, attempt, b"", failed=True)
    attempt = transport.send(
        bounce_address(message),
        message.recipient,
        data,
        functools.partial(_mark_handed_over, message),
    )
    return Outcome.of(message, attempt, data)


def _mark_handed_over(message: Message) -> None:
    # Committed before the final dot: if this worker dies from here on, the
    # sweeper knows the server may have the message. Plain SQL: it runs once
    # a message, and the ORM's statement building would double its cost.
    with connection.cursor() as cursor:
        cursor.execute(
            _statements().handed_over,
            [
                connection.ops.adapt_datetimefield_value(timezone.now()),
                message.pk,
                _token(message.claim_token),
            ],
        )


@dataclass
class Outcome:
    """What became of one attempt, waiting to be recorded."""

    message: Message
    at: datetime
    status: str
    bounce_type: str
    response: str
    transcript: str
    raw_message: str | None  # None: never built, keep what the row has
    next_attempt_at: datetime
    retry_in: float | None

    @classmethod
    def of(
        cls, message: Message, attempt: Attempt, data: bytes, *, failed: bool = False
    ) -> "Outcome":
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
        return cls(
            message=message,
            at=now,
            status=status,
            bounce_type=bounce_type,
            response=attempt.response,
            transcript="\n".join(attempt.transcript),
            raw_message=data.decode("ascii", "replace") if data else None,
            next_attempt_at=next_attempt_at,
            retry_in=retry_in,
        )

    def row(self) -> list[object]:
        """The parameters of `_statements().outcome` for this outcome."""
        adapt = connection.ops.adapt_datetimefield_value
        finished = self.status != MessageStatus.DEFERRED
        return [
            self.status,
            self.bounce_type,
            self.response[:1000],
            self.transcript,
            adapt(self.next_attempt_at),
            self.raw_message,
            adapt(self.at) if finished else None,
            self.message.pk,
        ]

    def event(self) -> NewEvent:
        return NewEvent(
            self.message,
            _EVENT_FOR[self.status],
            at=self.at,
            detail=self.response,
            bounce_type=self.bounce_type,
        )


def record(outcomes: list[Outcome]) -> dict[int, float]:
    """Record `outcomes` in one transaction; the retry delays of the deferred.

    Only the holder of the claim records: a message the sweeper re-queued and
    another worker claimed since is left as it is.
    """
    if not outcomes:
        return {}
    token = outcomes[0].message.claim_token
    with transaction.atomic():
        held = set(
            Message.objects.select_for_update()
            .filter(pk__in=[o.message.pk for o in outcomes], claim_token=token)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        outcomes = [o for o in outcomes if o.message.pk in held]
        if not outcomes:
            return {}
        with connection.cursor() as cursor:
            cursor.executemany(_statements().outcome, [o.row() for o in outcomes])
        record_events(o.event() for o in outcomes)
        for outcome in outcomes:
            if outcome.bounce_type == BounceType.INVALID_ADDRESS:
                suppress(
                    account=outcome.message.account,
                    address=outcome.message.recipient,
                    reason=SuppressionReason.HARD_BOUNCE,
                    note=outcome.response,
                )
    return {o.message.pk: o.retry_in for o in outcomes if o.retry_in is not None}


@dataclass(frozen=True)
class _Statements:
    handed_over: str
    outcome: str


@functools.cache
def _sql_for(vendor: str) -> _Statements:
    quote = connection.ops.quote_name
    table = quote(Message._meta.db_table)

    def column(name: str) -> str:
        return quote(Message._meta.get_field(name).column)

    outcome_columns = [
        "status",
        "bounce_type",
        "final_response",
        "transcript",
        "next_attempt_at",
    ]
    assignments = [f"{column(name)} = %s" for name in outcome_columns]
    assignments.append(
        f"{column('raw_message')} = COALESCE(%s, {column('raw_message')})"
    )
    assignments += [f"{column('finished_at')} = %s", f"{column('claim_token')} = NULL"]
    return _Statements(
        handed_over=f"UPDATE {table} SET {column('sent_at')} = %s "
        f"WHERE {column('id')} = %s AND {column('claim_token')} = %s",
        outcome=f"UPDATE {table} SET {', '.join(assignments)} "
        f"WHERE {column('id')} = %s",
    )


def _statements() -> _Statements:
    return _sql_for(connection.vendor)


def _token(claim_token: uuid.UUID) -> object:
    return Message._meta.get_field("claim_token").get_db_prep_value(
        claim_token, connection
    )


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
