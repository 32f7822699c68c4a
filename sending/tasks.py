from collections import defaultdict
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from sending.delivery import runner
from sending.models import Message

# One Celery message per chunk of messages, never per recipient.
CHUNK = 50


# Idempotent: messages are claimed with a conditional UPDATE, so a redelivered
# task only delivers what nobody delivered yet.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_messages(message_ids: list[int]) -> int:
    """Deliver a chunk of messages; schedule short retries of deferred ones."""
    retries = runner.deliver(message_ids)
    by_delay: dict[float, list[int]] = defaultdict(list)
    for pk, delay in retries.items():
        by_delay[delay].append(pk)
    now = timezone.now()
    for delay, ids in by_delay.items():
        # Long delays wait for the sweeper: a countdown longer than the
        # broker's visibility timeout would be delivered twice by Redis.
        if delay <= settings.SES_RETRY_COUNTDOWN_MAX_SECONDS:
            Message.objects.filter(pk__in=ids).update(
                dispatched_at=now + timedelta(seconds=delay)
            )
            deliver_messages.apply_async([ids], countdown=delay)
    return len(message_ids) - len(retries)


def dispatch_delivery(message_ids: list[int], *, on_commit: bool) -> None:
    """Queue delivery tasks for `message_ids`, one per chunk of CHUNK."""
    send = deliver_messages.delay_on_commit if on_commit else deliver_messages.delay
    for start in range(0, len(message_ids), CHUNK):
        send(message_ids[start : start + CHUNK])


@shared_task
def sweep_messages() -> int:
    """Beat: re-queue messages whose worker died or whose task was lost."""
    ids = runner.sweep()
    dispatch_delivery(ids, on_commit=False)
    return len(ids)
