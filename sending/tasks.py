import time
from collections import defaultdict
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sending import batches, gathering, recipients, webhooks
from sending.delivery import runner
from sending.models import Message

# One Celery message per chunk of messages, never per recipient.
CHUNK = 50


# Idempotent: messages are claimed with a conditional UPDATE, so a redelivered
# task only delivers what nobody delivered yet. Nobody reads its result: the
# messages carry their own status, and a stored result would cost every send
# a subscription in the web process and every chunk two writes in the worker.
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
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
    """Queue delivery tasks for `message_ids`, one per chunk of CHUNK.

    In a process that gathers them (see sending.gathering), tasks queued on
    commit go out shortly after, together with those of other requests.
    """
    if on_commit and gathering.is_started():
        transaction.on_commit(lambda: gathering.add(message_ids))
        return
    send = deliver_messages.delay_on_commit if on_commit else deliver_messages.delay
    for start in range(0, len(message_ids), CHUNK):
        send(message_ids[start : start + CHUNK])


@shared_task
def sweep_messages() -> int:
    """Beat: re-queue messages whose worker died or whose task was lost."""
    ids = runner.sweep()
    dispatch_delivery(ids, on_commit=False)
    return len(ids)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_batch(task_id: int) -> str:
    """Start a due run and fan it out for a while, then hand over to a new task.

    Safe to run twice at once or again after a crash: every step locks the
    task row and moves its cursor in the step's own transaction.
    """
    batches.start_run(task_id)
    deadline = time.monotonic() + settings.SES_BATCH_STEP_SECONDS
    while True:
        step = batches.fan_out(task_id)
        if step == batches.Step.WAIT:
            run_batch.apply_async([task_id], countdown=1)
            return step
        if step != batches.Step.MORE:
            return step
        if time.monotonic() > deadline:
            # Let other work at the worker between stretches of a big batch.
            run_batch.delay(task_id)
            return step


@shared_task
def run_due_batches() -> int:
    """Beat: start scheduled and recurring runs, resume what the limit paused."""
    ids = batches.due_task_ids()
    for task_id in ids:
        run_batch.delay(task_id)
    return len(ids)


@shared_task
def import_recipient_file(list_id: int, path: str, filename: str) -> int:
    """Import an uploaded CSV file too big to import while the page waits."""
    return recipients.import_uploaded_file(list_id, path, filename)


@shared_task
def fail_blocked_batches(domain_id: int) -> int:
    """A domain was blocked for the day: its batches stop and fail the rest."""
    return batches.fail_for_blocked_domain(domain_id)


@shared_task
def dispatch_webhooks() -> int:
    """Beat: queue new events for webhook endpoints and post the due ones.

    Safe to overlap with itself: cursors and claims move by conditional
    UPDATEs, so no event is queued or posted twice.
    """
    return webhooks.dispatch()


@shared_task
def send_test_webhook(delivery_id: int) -> str | None:
    """Post the console's test event now; a failure is retried like any other."""
    return webhooks.post_delivery(delivery_id)
