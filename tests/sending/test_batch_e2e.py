"""Batches through a real Celery worker to the loopback mail sink."""

import threading
import time
from collections import Counter

import pytest

from domains.models import SenderDomain
from sending.models import BatchTask, Message, TaskStatus
from sending.tasks import run_due_batches, sweep_messages
from tests.sending.batch_helpers import filled_list, new_task
from tests.sending.helpers import approved_template, verified_sender

pytestmark = pytest.mark.worker


@pytest.fixture
def ready(transactional_db, account, dns, mail_sink, celery_worker):
    sender = verified_sender(account, dns)
    SenderDomain.objects.filter(pk=sender.domain.pk).update(daily_limit=100_000)
    return sender, approved_template(account)


def finish(task: BatchTask, count: int, timeout: float) -> None:
    """Do beat's part (re-kick tasks, sweep messages) until all is delivered."""
    deadline = time.monotonic() + timeout
    while True:
        task.refresh_from_db()
        finished = Message.objects.filter(
            batch=task, status__in=["delivered", "sent"]
        ).count()
        if task.status == TaskStatus.COMPLETE and finished == count:
            return
        if time.monotonic() > deadline:
            left = Counter(Message.objects.values_list("status", flat=True))
            raise AssertionError(f"task {task.status}, {finished} done, {left}")
        run_due_batches.delay()
        sweep_messages.delay()
        time.sleep(1)


def delivered_once(mail_sink, count: int) -> None:
    seen = Counter(m.rcpt_tos[0] for m in mail_sink.received)
    assert len(seen) == count
    assert [address for address, n in seen.items() if n > 1] == []
    assert set(seen) == {f"reader{n}@sink.example" for n in range(count)}


def test_a_5000_recipient_batch_reaches_each_address_once(ready, account, mail_sink):
    sender, template = ready
    task = new_task(account, sender, template, filled_list(account, 5000))

    finish(task, 5000, timeout=240)

    delivered_once(mail_sink, 5000)
    task.refresh_from_db()
    assert (task.requested, task.sent, task.cached) == (5000, 5000, 0)
    sample = next(
        m for m in mail_sink.received if m.rcpt_tos[0] == "reader42@sink.example"
    )
    assert "Subject: News for Reader 42" in sample.raw.decode()


def test_a_worker_killed_twice_mid_batch_delivers_each_recipient_once(
    ready, account, mail_sink, celery_worker
):
    sender, template = ready
    readers = filled_list(account, 20_000)
    kills = []

    def kill_twice() -> None:
        for threshold in (3000, 9000):
            while len(mail_sink.received) < threshold:
                time.sleep(0.005)
            celery_worker.kill()
            kills.append(len(mail_sink.received))
            celery_worker.restart()

    killer = threading.Thread(target=kill_twice, daemon=True)
    killer.start()
    task = new_task(account, sender, template, readers)
    killer.join(timeout=300)
    assert len(kills) == 2, "the worker never got far enough to be killed"

    finish(task, 20_000, timeout=600)

    delivered_once(mail_sink, 20_000)
