"""A worker killed mid-run, or a flushed broker, loses and repeats nothing."""

import threading
import time
from collections import Counter

import pytest
from django.conf import settings

from domains.models import SenderDomain
from sending.models import Message
from sending.services import send_email
from sending.tasks import sweep_messages
from tests.conftest import skip_or_fail
from tests.sending.helpers import approved_template, verified_sender

pytestmark = pytest.mark.worker

TOTAL = 2000


def send_many(account, sender, template) -> set[str]:
    SenderDomain.objects.filter(pk=sender.domain.pk).update(daily_limit=10_000)
    header_ids = set()
    for start in range(0, TOTAL, 50):
        result = send_email(
            account=account,
            from_email=sender.email,
            recipients=[f"user{n}@sink.example" for n in range(start, start + 50)],
            template_id=template.pk,
            template_data={"name": "Crash"},
            subject="Crash safety {{name}}",
        )
        header_ids |= {
            f"<{m.message_id}@{sender.domain.name}>" for m in result.messages
        }
    return header_ids


def finish(timeout: float = 180) -> None:
    """Run the sweeper (beat's job) until every message is final."""
    deadline = time.monotonic() + timeout
    while Message.objects.exclude(status__in=["delivered", "sent"]).exists():
        if time.monotonic() > deadline:
            left = Counter(Message.objects.values_list("status", flat=True))
            raise AssertionError(f"messages not final: {left}")
        sweep_messages.delay()
        time.sleep(1)


def assert_each_exactly_once(mail_sink, header_ids: set[str]) -> None:
    seen = Counter(mail_sink.message_ids())
    assert set(seen) == header_ids
    assert [mid for mid, n in seen.items() if n > 1] == []


def test_a_killed_worker_loses_and_repeats_nothing(
    transactional_db, account, dns, mail_sink, celery_worker
):
    sender = verified_sender(account, dns)
    template = approved_template(account)
    killed = threading.Event()

    def kill_mid_run() -> None:
        while len(mail_sink.received) < 700:
            time.sleep(0.005)
        celery_worker.kill()
        killed.set()

    killer = threading.Thread(target=kill_mid_run, daemon=True)
    killer.start()
    header_ids = send_many(account, sender, template)
    assert killed.wait(120), "the worker never got to 700 messages"
    received_at_kill = len(mail_sink.received)
    assert received_at_kill < TOTAL

    celery_worker.restart()
    finish()

    assert_each_exactly_once(mail_sink, header_ids)


def test_a_flushed_broker_loses_and_repeats_nothing(
    transactional_db, account, dns, mail_sink, celery_worker
):
    if not settings.REDIS_URL:
        skip_or_fail("flushing Redis needs REDIS_URL (the CI run sets it)")
    import redis

    sender = verified_sender(account, dns)
    template = approved_template(account)
    flushed = threading.Event()

    def flush_mid_run() -> None:
        while len(mail_sink.received) < 500:
            time.sleep(0.005)
        redis.Redis.from_url(settings.REDIS_URL).flushdb()
        flushed.set()

    threading.Thread(target=flush_mid_run, daemon=True).start()
    header_ids = send_many(account, sender, template)
    assert flushed.wait(120)

    finish()

    assert_each_exactly_once(mail_sink, header_ids)
