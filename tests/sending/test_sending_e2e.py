"""End to end: the console form, a real Celery worker, the loopback mail sink."""

import time

import pytest
from django.urls import reverse

from sending.models import Message, MessageStatus, Suppression, SuppressionReason
from sending.suppression import suppress
from tests.sending.helpers import (
    approved_template,
    dkim_verifies,
    signed_headers,
    verified_sender,
)

pytestmark = pytest.mark.worker


def wait_until_final(request_id: str, timeout: float = 30) -> list[Message]:
    deadline = time.monotonic() + timeout
    while True:
        messages = list(Message.objects.filter(request_id=request_id).order_by("pk"))
        if messages and all(m.is_final for m in messages):
            return messages
        if time.monotonic() > deadline:
            raise AssertionError(
                f"not final: {[(m.recipient, m.status) for m in messages]}"
            )
        time.sleep(0.2)


@pytest.fixture
def ready(transactional_db, account, owner, dns, mail_sink, celery_worker):
    return verified_sender(account, dns), approved_template(account)


def post_send(client, sender, template, recipients: list[str], **extra):
    response = client.post(
        reverse("sending:send"),
        {
            "template": template.pk,
            "from_address": sender.email,
            "subject": "Welcome {{name}}",
            "recipients": "\n".join(recipients),
            "var_name": "Ana",
            **extra,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return response["Location"].rstrip("/").rsplit("/", 1)[1]


def test_console_send_is_delivered_signed_and_shown_with_transcript(
    ready, owner_client, mail_sink
):
    sender, template = ready

    request_id = post_send(
        owner_client,
        sender,
        template,
        ["success@simulator.invalid"],
        unsubscribe_language="en",
    )
    [message] = wait_until_final(request_id)

    assert message.status == MessageStatus.DELIVERED
    [received] = mail_sink.wait_for(1)
    assert dkim_verifies(received.raw)
    assert {"list-unsubscribe", "list-unsubscribe-post"} <= set(
        signed_headers(received.raw)
    )
    assert received.headers()["Message-ID"] == message.header_message_id
    status_page = owner_client.get(reverse("sending:request", args=[request_id]))
    assert "Delivered" in status_page.text
    detail = owner_client.get(reverse("sending:message", args=[message.message_id]))
    assert "RCPT TO:&lt;success@simulator.invalid&gt;" in detail.text
    assert "250 2.0.0 OK: queued" in detail.text
    assert "DKIM-Signature" in detail.text


def test_bounce_spam_deferral_and_suppression_through_the_worker(
    ready, owner_client, account, mail_sink
):
    sender, template = ready
    suppress(
        account=account, address="blocked@example.org", reason=SuppressionReason.MANUAL
    )

    request_id = post_send(
        owner_client,
        sender,
        template,
        [
            "bounce@simulator.invalid",
            "spam@simulator.invalid",
            "defer@simulator.invalid",
            "blocked@example.org",
        ],
    )
    messages = {m.recipient: m for m in wait_until_final(request_id)}

    bounce = messages["bounce@simulator.invalid"]
    assert (bounce.status, bounce.bounce_type) == ("bounced", "invalid_address")
    assert Suppression.objects.filter(address="bounce@simulator.invalid").exists()
    spam = messages["spam@simulator.invalid"]
    assert (spam.status, spam.bounce_type) == ("bounced", "spam")
    deferred = messages["defer@simulator.invalid"]
    assert deferred.status == "delivered"
    assert deferred.attempts == 3
    assert [e.kind for e in deferred.events.all()].count("deferred") == 2
    dropped = messages["blocked@example.org"]
    assert (dropped.status, dropped.status_reason) == (
        "dropped",
        "Suppressed: Added by you",
    )
    assert [r.rcpt_tos for r in mail_sink.received] == [("defer@simulator.invalid",)]
