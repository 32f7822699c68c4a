"""A web process gathers the delivery tasks of its requests (sending.gathering)."""

import threading
import time

import pytest
from django.db import transaction

from sending import gathering, tasks
from sending.services import send_email
from tests.sending.helpers import approved_template, verified_sender
from tests.sending.test_sending_e2e import wait_until_final


@pytest.fixture
def gathering_process(monkeypatch):
    """This test process gathers, as a WSGI process does; undone afterwards."""
    monkeypatch.setattr(gathering, "_started", True)
    yield
    gathering.publish_gathered()


def test_ids_committed_close_together_go_out_in_one_task(
    gathering_process, monkeypatch
):
    published: list[tuple[list[int], bool]] = []
    done = threading.Event()

    def record(message_ids, *, on_commit):
        published.append((list(message_ids), on_commit))
        done.set()

    monkeypatch.setattr(tasks, "dispatch_delivery", record)

    gathering.add([1, 2])
    gathering.add([3])

    assert done.wait(timeout=5)
    time.sleep(3 * gathering.GATHER_SECONDS)
    assert published == [([1, 2, 3], False)]


def test_ids_are_gathered_only_once_their_transaction_commits(
    gathering_process, transactional_db, account, dns, monkeypatch
):
    sender, template = verified_sender(account, dns), approved_template(account)
    gathered: list[list[int]] = []
    monkeypatch.setattr(gathering, "add", lambda ids: gathered.append(list(ids)))

    with transaction.atomic():
        result = send_email(
            account=account,
            from_email=sender.email,
            recipients=["reader@example.com"],
            template_id=template.pk,
            template_data={"name": "Ana"},
            subject="Hello",
        )
        assert gathered == []

    assert gathered == [[result.messages[0].pk]]


@pytest.mark.worker
def test_a_gathering_process_has_what_it_accepts_delivered(
    gathering_process, transactional_db, account, dns, mail_sink, celery_worker
):
    sender, template = verified_sender(account, dns), approved_template(account)

    result = send_email(
        account=account,
        from_email=sender.email,
        recipients=["one@example.com", "two@example.com"],
        template_id=template.pk,
        template_data={"name": "Ana"},
        subject="Hello {{name}}",
    )

    messages = wait_until_final(result.request_id)
    assert [m.status for m in messages] == ["delivered", "delivered"]
    assert sorted(r.rcpt_tos[0] for r in mail_sink.received) == [
        "one@example.com",
        "two@example.com",
    ]
