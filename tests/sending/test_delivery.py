"""Delivery in this process against the loopback mail sink (no broker).

The same code runs in the worker; tests/sending/test_sending_e2e.py drives it
through a real worker.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from sending.delivery import runner
from sending.models import Message, MessageStatus, Suppression
from sending.services import send_email
from tests.sending.helpers import (
    approved_template,
    dkim_verifies,
    signed_headers,
    verified_sender,
)


@pytest.fixture
def sender(account, dns):
    return verified_sender(account, dns)


@pytest.fixture
def template(account):
    return approved_template(account, body="<p>Hello {{name}} — ünïcode</p>")


def send_to(account, sender, template, *recipients, **extra):
    result = send_email(
        account=account,
        from_email=sender.email,
        recipients=list(recipients),
        template_id=template.pk,
        template_data={"name": "Zoë"},
        subject="Grüße, {{name}}",
        **extra,
    )
    runner.deliver([m.pk for m in result.messages])
    return [Message.objects.get(pk=m.pk) for m in result.messages]


def test_delivered_message_is_dkim_signed_and_recorded(
    account, sender, template, mail_sink
):
    [message] = send_to(
        account,
        sender,
        template,
        "success@simulator.invalid",
        unsubscribe_language="en",
    )

    assert message.status == MessageStatus.DELIVERED
    [received] = mail_sink.received
    assert received.mail_from == f"b-{message.message_id}@bounce.ses.example.net"
    assert received.raw.replace(b"\r\n", b"\n") in (
        message.raw_message.encode().replace(b"\r\n", b"\n"),
    )
    assert dkim_verifies(received.raw)
    signed = signed_headers(received.raw)
    assert {"from", "to", "subject", "date", "message-id"} <= set(signed)
    assert {"list-unsubscribe", "list-unsubscribe-post"} <= set(signed)
    parsed = received.message()
    assert parsed["Subject"] == "Grüße, Zoë"
    assert parsed["From"] == "Acme Support <noreply@acme-mail.com>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Hello Zoë" in parsed.get_body(("html",)).get_content()
    assert "Unsubscribe:" in parsed.get_body(("plain",)).get_content()
    assert "> RCPT TO:<success@simulator.invalid>" in message.transcript
    assert "< 250" in message.transcript
    assert [e.kind for e in message.events.all()] == ["accepted", "delivered"]


def test_a_tampered_message_fails_dkim(account, sender, template, mail_sink):
    send_to(account, sender, template, "success@simulator.invalid")

    raw = mail_sink.received[0].raw

    assert not dkim_verifies(raw.replace(b"Subject:", b"Subject: Re:"))


def test_unknown_user_bounces_and_is_suppressed(account, sender, template, mail_sink):
    [message] = send_to(account, sender, template, "bounce@simulator.invalid")

    assert message.status == MessageStatus.BOUNCED
    assert message.bounce_type == "invalid_address"
    assert message.final_response.startswith("550 5.1.1")
    assert (
        Suppression.objects.get(address="bounce@simulator.invalid").reason
        == "hard_bounce"
    )
    assert mail_sink.received == []


def test_spam_rejection_bounces_without_suppressing(
    account, sender, template, mail_sink
):
    [message] = send_to(account, sender, template, "spam@simulator.invalid")

    assert message.status == MessageStatus.BOUNCED
    assert message.bounce_type == "spam"
    assert not Suppression.objects.exists()


def test_deferral_is_retried_until_delivered(
    account, sender, template, mail_sink, settings
):
    settings.SES_RETRY_BASE_SECONDS = 0
    [message] = send_to(account, sender, template, "defer@simulator.invalid")
    assert message.status == MessageStatus.DEFERRED
    assert message.final_response.startswith("451")

    runner.deliver([message.pk])
    runner.deliver([message.pk])

    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert message.attempts == 3
    kinds = [e.kind for e in message.events.all()]
    assert kinds == ["accepted", "deferred", "deferred", "delivered"]


def test_deferred_for_72_hours_fails(account, sender, template, mail_sink):
    [message] = send_to(account, sender, template, "defer@simulator.invalid")
    Message.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(hours=73), next_attempt_at=timezone.now()
    )

    runner.deliver([message.pk])

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED


def test_a_claimed_message_is_not_delivered_twice(account, sender, template, mail_sink):
    [message] = send_to(account, sender, template, "success@simulator.invalid")

    runner.deliver([message.pk])

    assert len(mail_sink.received) == 1


def test_sweeper_requeues_messages_of_a_dead_worker(
    account, sender, template, mail_sink, settings
):
    result = send_email(
        account=account,
        from_email=sender.email,
        recipients=["success@simulator.invalid"],
        template_id=template.pk,
        template_data={"name": "A"},
        subject="Hi",
    )
    pk = result.messages[0].pk
    runner.claim([pk])  # a worker claimed it, then died before sending
    assert runner.sweep() == []  # not stale yet

    later = timezone.now() + timedelta(seconds=settings.SES_SENDING_STALE_SECONDS + 1)
    assert runner.sweep(later) == [pk]
    Message.objects.filter(pk=pk).update(next_attempt_at=timezone.now())
    runner.deliver([pk])

    message = Message.objects.get(pk=pk)
    assert message.status == MessageStatus.DELIVERED
    assert "requeued" in [e.kind for e in message.events.all()]
    assert len(mail_sink.received) == 1


def test_unreachable_relay_defers(account, sender, template, settings):
    settings.SES_DELIVERY_URL = "smtp://127.0.0.1:9"  # nothing listens on discard

    [message] = send_to(account, sender, template, "success@simulator.invalid")

    assert message.status == MessageStatus.DEFERRED
    assert "Connection failed" in message.final_response


def test_mx_transport_resolves_the_recipient_domain(
    account, sender, template, mail_sink, dns, settings
):
    settings.SES_DELIVERY_URL = f"mx://?port={mail_sink.port}"
    dns.set("customer.example", "MX", ["10 mx1.customer.example"])
    dns.set("mx1.customer.example", "A", ["127.0.0.1"])

    [message] = send_to(account, sender, template, "someone@customer.example")

    assert message.status == MessageStatus.DELIVERED, message.final_response
    assert mail_sink.received[0].rcpt_tos == ("someone@customer.example",)


def test_mx_transport_bounces_a_domain_that_does_not_exist(
    account, sender, template, mail_sink, dns, settings
):
    settings.SES_DELIVERY_URL = f"mx://?port={mail_sink.port}"

    [message] = send_to(account, sender, template, "someone@nowhere.example")

    assert message.status == MessageStatus.BOUNCED
    assert message.bounce_type == "invalid_address"
