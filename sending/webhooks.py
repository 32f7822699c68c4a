"""Event webhooks: an account's message events, POSTed signed to its endpoints.

Events are never pushed from the delivery path. A beat task (`dispatch`) does
two things each round:

1. `queue_new_events`: for each enabled endpoint, turn the account's events
   after the endpoint's cursor into WebhookDelivery rows, advancing the cursor
   in the same transaction with a conditional UPDATE on its old value — two
   rounds at once never queue an event twice.
2. `post_due`: POST the deliveries that are due. Each one is claimed first by
   a conditional UPDATE that moves its `next_attempt_at` a lease ahead, so two
   workers never post the same attempt, and a worker that dies mid-post only
   delays it by the lease.

A failed post is retried after SES_WEBHOOK_RETRY_BASE_SECONDS, doubling up to
an hour, until SES_WEBHOOK_RETRY_HOURS after the event; then it has failed.
docs/webhooks.md describes the payload and how a receiver checks it.
"""

import hashlib
import hmac
import http.client
import json
import logging
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Account
from sending import webhook_transport
from sending.models import (
    BounceType,
    EventKind,
    MessageEvent,
    WebhookDelivery,
    WebhookEndpoint,
)
from sesconsole.encryption import decrypt_text, encrypt_text

log = logging.getLogger(__name__)

# WebhookDelivery.status values.
PENDING = "pending"
DONE = "done"
FAILED = "failed"

# Our event kinds → Tencent's callback `event` name and numeric `eventid`.
# Tencent has no "failed" (we gave up retrying): like Tencent, we call an
# email that will not be delivered "dropped". "sent" (handed to a relay,
# outcome unknown) is Tencent's intermediate "processed", which has no eventid.
# accepted, queued and requeued are internal steps and are never sent.
TENCENT_EVENTS: dict[str, tuple[str, int | None]] = {
    EventKind.DELIVERED: ("delivered", 1),
    EventKind.SENT: ("processed", None),
    EventKind.DEFERRED: ("deferred", 8),
    EventKind.BOUNCED: ("bounce", 3),
    EventKind.DROPPED: ("dropped", 2),
    EventKind.FAILED: ("dropped", 2),
    EventKind.OPENED: ("open", 4),
    EventKind.CLICKED: ("click", 5),
    EventKind.UNSUBSCRIBED: ("unsubscribe", 7),
    EventKind.COMPLAINED: ("spamreport", 6),
}
WEBHOOK_KINDS = list(TENCENT_EVENTS)
TEST_EVENT = "test"

MAX_ENDPOINTS_PER_ACCOUNT = 10
# Events turned into deliveries per endpoint per round.
QUEUE_LIMIT = 2000
# Deliveries claimed and posted together, and how long a round keeps
# claiming more: below the beat interval, so rounds do not pile up.
POST_CHUNK = 20
ROUND_SECONDS = 4.0
# Finished deliveries deleted per round (SES_WEBHOOK_KEEP_DAYS).
PRUNE_LIMIT = 10_000
RESPONSE_CHARS = 1000
USER_AGENT = "SES-Console-Webhook/1.0"


def new_secret() -> str:
    return secrets.token_hex(32)


def endpoint_secret(endpoint: WebhookEndpoint) -> str:
    return decrypt_text(endpoint.secret_encrypted)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256 of "<timestamp>.<body>" under `secret`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def body_for(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _unix(moment: datetime | None) -> int | None:
    return int(moment.timestamp()) if moment else None


def payload_for(event: MessageEvent) -> dict:
    """The JSON a receiver gets for `event`, in Tencent's callback field names.

    Reads event.message, its domain and template version: select them along.
    """
    message = event.message
    name, event_id = TENCENT_EVENTS[event.kind]
    bounce_type = ""
    if event.kind == EventKind.BOUNCED:
        # An unknown address is permanent; a spam or other rejection is not
        # a reason to stop writing to the address.
        hard = message.bounce_type == BounceType.INVALID_ADDRESS
        bounce_type = "hard_bounce" if hard else "soft_bounce"
    version = message.template_version
    return {
        "event": name,
        "eventid": event_id,
        "email": message.recipient,
        "link": event.link,
        "bulkId": message.request_id,
        "messageId": f"{message.message_id}@{message.domain.name}",
        "timestamp": _unix(event.at),
        "reason": event.detail,
        "bounceType": bounce_type,
        "from": message.from_email,
        "fromDomain": message.domain.name,
        "subject": message.subject,
        "templateId": version.template_id if version else None,
        "taskId": message.batch_id,
        "useragent": event.user_agent,
        "sentTimestamp": _unix(message.sent_at),
    }


def test_payload(now: datetime) -> dict:
    """A payload of the `test` event, with every field a real one has."""
    return {
        "event": TEST_EVENT,
        "eventid": None,
        "email": "recipient@example.com",
        "link": "",
        "bulkId": f"test-{secrets.token_hex(8)}",
        "messageId": "",
        "timestamp": _unix(now),
        "reason": "A test event sent from the SES Console.",
        "bounceType": "",
        "from": "",
        "fromDomain": "",
        "subject": "",
        "templateId": None,
        "taskId": None,
        "useragent": "",
        "sentTimestamp": None,
    }


def max_event_pk() -> int:
    return MessageEvent.objects.aggregate(top=Max("pk"))["top"] or 0


# --- Endpoints ----------------------------------------------------------------


def create_endpoint(
    *, account: Account, url: str, event_kinds: list[str]
) -> WebhookEndpoint:
    """Register `url`; it gets events recorded from now on, not older ones."""
    return WebhookEndpoint.objects.create(
        account=account,
        url=url,
        event_kinds=sorted(event_kinds, key=WEBHOOK_KINDS.index),
        secret_encrypted=encrypt_text(new_secret()),
        cursor=max_event_pk(),
    )


def update_endpoint(
    *, endpoint: WebhookEndpoint, url: str, event_kinds: list[str]
) -> None:
    endpoint.url = url
    endpoint.event_kinds = sorted(event_kinds, key=WEBHOOK_KINDS.index)
    endpoint.save(update_fields=["url", "event_kinds"])


def set_endpoint_enabled(*, endpoint: WebhookEndpoint, enabled: bool) -> None:
    """Enable or disable; an endpoint enabled again resumes with new events.

    Events recorded while it was disabled are never sent to it.
    """
    if enabled == endpoint.enabled:
        return
    endpoint.enabled = enabled
    if enabled:
        endpoint.cursor = max_event_pk()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        enabled=enabled, cursor=endpoint.cursor
    )


def delete_endpoint(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


def create_test_delivery(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A delivery of the `test` event to `endpoint`, due now."""
    now = timezone.now()
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        payload=test_payload(now),
        created_at=now,
        next_attempt_at=now,
    )


# --- Queueing events ----------------------------------------------------------


def settled_bound(start: int, now: datetime) -> int:
    """The last event pk a cursor may pass now.

    Events are numbered when inserted but seen when committed, so an event
    committed a moment after a later-numbered one would be skipped by a
    cursor already past it. A cursor therefore stops short of the first
    event younger than SES_WEBHOOK_SETTLE_SECONDS, by which time an event's
    transaction has committed.
    """
    cutoff = now - timedelta(seconds=settings.SES_WEBHOOK_SETTLE_SECONDS)
    # The top first: an event committed between the two queries is then
    # either above it or seen by the second query.
    top = max_event_pk()
    young = (
        MessageEvent.objects.filter(pk__gt=start, pk__lte=top, at__gt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if young is None:
        return top
    # Not `young - 1`: an event numbered below `young` may belong to a
    # transaction that has not committed yet; stop at the last one seen.
    settled = MessageEvent.objects.filter(pk__gt=start, pk__lt=young).aggregate(
        last=Max("pk")
    )["last"]
    return settled if settled is not None else start


def queue_new_events(now: datetime | None = None) -> int:
    """Turn new events into deliveries for every enabled endpoint."""
    now = now or timezone.now()
    endpoints = list(
        WebhookEndpoint.objects.filter(enabled=True).values_list("pk", "cursor")
    )
    if not endpoints:
        return 0
    bound = settled_bound(min(cursor for _, cursor in endpoints), now)
    return sum(
        queue_events(endpoint_id=pk, bound=bound, now=now)
        for pk, cursor in endpoints
        if cursor < bound
    )


def queue_events(*, endpoint_id: int, bound: int, now: datetime) -> int:
    """Queue an enabled endpoint's events after its cursor, up to pk `bound`."""
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, enabled=True).first()
    return 0 if endpoint is None else queue_for(endpoint, bound=bound, now=now)


def queue_for(endpoint: WebhookEndpoint, *, bound: int, now: datetime) -> int:
    """Queue `endpoint`'s events after the cursor it had when it was read.

    If another round moved the cursor since, that round queued these events
    and this one queues nothing.
    """
    if endpoint.cursor >= bound:
        return 0
    kinds = [k for k in WEBHOOK_KINDS if k in (endpoint.event_kinds or WEBHOOK_KINDS)]
    with transaction.atomic():
        events = list(
            MessageEvent.objects.filter(
                message__account_id=endpoint.account_id,
                pk__gt=endpoint.cursor,
                pk__lte=bound,
                kind__in=kinds,
            )
            .select_related("message__domain", "message__template_version")
            .order_by("pk")[:QUEUE_LIMIT]
        )
        cursor = events[-1].pk if len(events) == QUEUE_LIMIT else bound
        moved = WebhookEndpoint.objects.filter(
            pk=endpoint.pk, cursor=endpoint.cursor, enabled=True
        ).update(cursor=cursor)
        if not moved:
            return 0
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(
                    endpoint=endpoint,
                    event=event,
                    payload=payload_for(event),
                    created_at=now,
                    next_attempt_at=now,
                )
                for event in events
            ],
            batch_size=500,
        )
    endpoint.cursor = cursor
    return len(events)


# --- Posting ------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """What one POST got: the HTTP status (None: no answer) and its text."""

    status_code: int | None
    response: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, secret: str, payload: dict, delivery_id: int) -> Attempt:
    """POST `payload` signed with `secret`; never raises for network errors."""
    body = body_for(payload)
    timestamp = int(time.time())
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-SES-Timestamp": str(timestamp),
            "X-SES-Signature": signature(secret, timestamp, body),
            "X-SES-Delivery": str(delivery_id),
        },
    )
    timeout = settings.SES_WEBHOOK_TIMEOUT_SECONDS
    try:
        with webhook_transport.open_checked(request, timeout=timeout) as response:
            return Attempt(response.status, _excerpt(response))
    except webhook_transport.Refused as refusal:
        return Attempt(None, f"Refused: {refusal}"[:RESPONSE_CHARS])
    except urllib.error.HTTPError as error:
        with error:
            return Attempt(error.code, _excerpt(error))
    except urllib.error.URLError as error:
        return Attempt(None, f"Could not connect: {error.reason}"[:RESPONSE_CHARS])
    except TimeoutError:
        return Attempt(None, f"No answer within {timeout} seconds.")
    except (OSError, http.client.HTTPException, ValueError) as error:
        return Attempt(None, f"{type(error).__name__}: {error}"[:RESPONSE_CHARS])


def _excerpt(response: object) -> str:
    try:
        data = response.read(RESPONSE_CHARS * 4)
    except (OSError, http.client.HTTPException):
        return ""
    return data.decode("utf-8", "replace")[:RESPONSE_CHARS]


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: base, 2x, 4x … at most an hour."""
    base = settings.SES_WEBHOOK_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def claim(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    """Take a due delivery for one attempt; None if it is not due or taken.

    The claim moves next_attempt_at a lease ahead: longer than any post, and
    if this worker dies the delivery is simply due again after it.
    """
    lease = now + timedelta(seconds=settings.SES_WEBHOOK_TIMEOUT_SECONDS * 3 + 30)
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=lease)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def record(delivery: WebhookDelivery, attempt: Attempt) -> str:
    """Store one attempt's outcome; the delivery's status after it."""
    now = timezone.now()
    attempts = delivery.attempts + 1
    fields: dict[str, object] = {
        "attempts": attempts,
        "last_status_code": attempt.status_code,
        "last_response": attempt.response[:RESPONSE_CHARS],
    }
    status = PENDING
    if attempt.ok:
        status = DONE
    else:
        retry_at = now + retry_delay(attempts)
        give_up_at = delivery.created_at + timedelta(
            hours=settings.SES_WEBHOOK_RETRY_HOURS
        )
        if retry_at > give_up_at:
            status = FAILED
        fields["next_attempt_at"] = retry_at
    if status != PENDING:
        fields["finished_at"] = now
    # Only the holder of this attempt's claim records it.
    WebhookDelivery.objects.filter(
        pk=delivery.pk, status=PENDING, attempts=delivery.attempts
    ).update(status=status, **fields)
    return status


def post_delivery(delivery_id: int) -> str | None:
    """Claim and post one delivery now (the console's test event)."""
    delivery = claim(delivery_id, timezone.now())
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    attempt = post(
        endpoint.url, endpoint_secret(endpoint), delivery.payload, delivery.pk
    )
    return record(delivery, attempt)


def post_due() -> int:
    """Post due deliveries of enabled endpoints for a round; return how many.

    Posts go out POST_CHUNK at a time, concurrently (threads do the HTTP
    only; claims and results are written here). An endpoint that fails once
    is left alone for the rest of the round.
    """
    deadline = time.monotonic() + ROUND_SECONDS
    resting: set[int] = set()
    keys: dict[int, str] = {}
    posted = 0
    with ThreadPoolExecutor(max_workers=settings.SES_WEBHOOK_CONCURRENCY) as pool:
        while time.monotonic() < deadline:
            now = timezone.now()
            due = list(
                WebhookDelivery.objects.filter(
                    status=PENDING, next_attempt_at__lte=now, endpoint__enabled=True
                )
                .exclude(endpoint_id__in=resting)
                .order_by("next_attempt_at", "pk")
                .values_list("pk", flat=True)[:POST_CHUNK]
            )
            if not due:
                break
            claimed = [d for pk in due if (d := claim(pk, now)) is not None]
            for delivery in claimed:
                if delivery.endpoint_id not in keys:
                    keys[delivery.endpoint_id] = endpoint_secret(delivery.endpoint)
            attempts = pool.map(
                lambda d: post(d.endpoint.url, keys[d.endpoint_id], d.payload, d.pk),
                claimed,
            )
            for delivery, attempt in zip(claimed, attempts, strict=True):
                record(delivery, attempt)
                if not attempt.ok:
                    resting.add(delivery.endpoint_id)
            posted += len(claimed)
    return posted


def expire_and_prune(now: datetime | None = None) -> None:
    """Fail deliveries past their retry window (e.g. of a disabled endpoint)
    and delete finished ones older than SES_WEBHOOK_KEEP_DAYS."""
    now = now or timezone.now()
    WebhookDelivery.objects.filter(
        status=PENDING,
        created_at__lt=now - timedelta(hours=settings.SES_WEBHOOK_RETRY_HOURS),
    ).update(status=FAILED, finished_at=now)
    old = WebhookDelivery.objects.filter(
        status__in=[DONE, FAILED],
        finished_at__lt=now - timedelta(days=settings.SES_WEBHOOK_KEEP_DAYS),
    ).values_list("pk", flat=True)[:PRUNE_LIMIT]
    ids = list(old)
    if ids:
        WebhookDelivery.objects.filter(pk__in=ids).delete()


def dispatch() -> int:
    """One round: queue new events, retire old deliveries, post what is due."""
    queued = queue_new_events()
    expire_and_prune()
    posted = post_due()
    if queued or posted:
        log.info("Webhooks: %d event(s) queued, %d post(s)", queued, posted)
    return posted
