"""The SMTP service, driven with smtplib over loopback."""

import os
import smtplib
import socket
import ssl
import subprocess
import sys
import time
from email.message import EmailMessage
from email.policy import SMTP

import pytest
from django.urls import reverse

from domains import services as domain_services
from domains.models import SenderDomain
from sending import quota
from sending.models import InboundMail, Message, SubmittedContent
from sending.smtp.server import SmtpService
from tests.conftest import BASE_DIR, _database_url
from tests.factories import SenderAddressFactory
from tests.sending.helpers import dkim_verifies, verified_sender

PASSWORD = "Sm7pPassw0rd"


def client_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the service's certificate is self-signed
    return context


@pytest.fixture
def smtp_service(transactional_db):
    with SmtpService(host="127.0.0.1", port=0, tls_port=0, inbound_port=0) as service:
        yield service


@pytest.fixture
def sender(account, dns):
    sender = verified_sender(account, dns)
    domain_services.set_smtp_password(address=sender, password=PASSWORD)
    return sender


def message(
    sender_email: str, to: str = "success@simulator.invalid", **headers
) -> EmailMessage:
    email = EmailMessage()
    email["From"] = headers.pop("From", f"Acme Support <{sender_email}>")
    email["To"] = to
    email["Subject"] = headers.pop("Subject", "Sent over SMTP")
    for name, value in headers.items():
        email[name] = value
    email.set_content("Hello from an SMTP client.\n")
    email.add_alternative("<p>Hello from an <b>SMTP</b> client.</p>", subtype="html")
    return email


def starttls_client(service: SmtpService) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", service.ports["submission"], timeout=10)
    client.starttls(context=client_context())
    client.ehlo()
    return client


def test_starttls_login_sends_a_signed_message_shown_in_the_log(
    smtp_service, sender, mail_sink, celery_worker, owner_client
):
    with starttls_client(smtp_service) as client:
        client.login(sender.email, PASSWORD)
        client.send_message(message(sender.email))
    [sent] = Message.objects.filter(source="smtp")
    received = mail_sink.wait_for(1, timeout=30)[0]

    assert dkim_verifies(received.raw)
    assert received.headers()["Subject"] == "Sent over SMTP"
    assert received.rcpt_tos == ("success@simulator.invalid",)
    deadline = time.monotonic() + 15
    while sent.status != "delivered" and time.monotonic() < deadline:
        time.sleep(0.1)
        sent.refresh_from_db()
    assert sent.status == "delivered"
    log = owner_client.get(
        reverse("sending:messages"), {"q": "success@simulator.invalid"}
    )
    assert "Sent over SMTP" in log.text


def test_data_reply_carries_the_message_id(smtp_service, sender):
    with starttls_client(smtp_service) as client:
        client.login(sender.email, PASSWORD)
        client.mail(sender.email)
        client.rcpt("ana@example.org")
        code, reply = client.data(
            message(sender.email, "ana@example.org").as_bytes(policy=SMTP)
        )

    request_id = reply.decode().rsplit(" ", 1)[1]
    assert code == 250
    assert Message.objects.get(request_id=request_id).recipient == "ana@example.org"


def test_implicit_tls_login_and_send(smtp_service, sender):
    with smtplib.SMTP_SSL(
        "127.0.0.1", smtp_service.ports["tls"], context=client_context(), timeout=10
    ) as client:
        client.login(sender.email, PASSWORD)
        refused = client.send_message(message(sender.email, "ana@example.org"))

    assert refused == {}
    assert Message.objects.filter(source="smtp", recipient="ana@example.org").exists()


def test_wrong_password_is_refused(smtp_service, sender):
    with (
        starttls_client(smtp_service) as client,
        pytest.raises(smtplib.SMTPAuthenticationError) as refused,
    ):
        client.login(sender.email, "Wr0ngPassword")

    assert refused.value.smtp_code == 535
    assert b"5.7.8" in refused.value.smtp_error


def test_auth_before_tls_is_refused(smtp_service, sender):
    with smtplib.SMTP(
        "127.0.0.1", smtp_service.ports["submission"], timeout=10
    ) as client:
        client.ehlo()
        assert "auth" not in client.esmtp_features
        code, reply = client.docmd("AUTH", "PLAIN AG5vcmVwbHkAcGFzcw==")

    assert code == 530
    assert b"STARTTLS" in reply


def test_mail_without_login_is_refused(smtp_service, sender):
    with starttls_client(smtp_service) as client:
        code, reply = client.mail(sender.email)

    assert (code, reply) == (530, b"5.7.0 Authentication required")


def test_another_accounts_from_is_refused(smtp_service, sender, other_account):
    theirs = SenderAddressFactory(
        domain__account=other_account, domain__name="theirs.example.com"
    )
    with starttls_client(smtp_service) as client:
        client.login(sender.email, PASSWORD)
        code, reply = client.mail(theirs.email)
        assert code == 550
        assert b"5.7.1" in reply
        assert b"FailedOperation.NotAuthenticatedSender" in reply
        client.rset()
        client.mail(sender.email)
        client.rcpt("ana@example.org")
        forged = message(sender.email, "ana@example.org", From=f"<{theirs.email}>")
        code, reply = client.data(forged.as_bytes(policy=SMTP))

    assert code == 550
    assert b"5.7.1" in reply
    assert not Message.objects.exists()


def test_over_the_daily_limit_is_refused_with_554(smtp_service, sender):
    quota.reserve(sender.domain, 500)
    with starttls_client(smtp_service) as client:
        client.login(sender.email, PASSWORD)
        client.mail(sender.email)
        client.rcpt("ana@example.org")
        code, reply = client.data(
            message(sender.email, "ana@example.org").as_bytes(policy=SMTP)
        )

    assert code == 554
    assert reply.startswith(b"5.7.0")
    assert b"(FailedOperation.ExceedSendLimit)" in reply
    assert not SubmittedContent.objects.exists()


def test_a_temporarily_blocked_domain_is_refused_with_554(smtp_service, sender):
    from datetime import timedelta

    from django.utils import timezone

    SenderDomain.objects.filter(pk=sender.domain.pk).update(
        blocked_until=timezone.now() + timedelta(hours=2)
    )
    with starttls_client(smtp_service) as client:
        client.login(sender.email, PASSWORD)
        code, reply = client.mail(sender.email)

    assert code == 554
    assert b"(FailedOperation.TemporaryBlocked)" in reply


def test_the_51st_recipient_is_refused(smtp_service, sender):
    recipients = [f"r{n}@example.org" for n in range(51)]
    with starttls_client(smtp_service) as client:
        client.login(sender.email, PASSWORD)
        refused = client.sendmail(
            sender.email,
            recipients,
            message(sender.email, "list@example.org").as_bytes(policy=SMTP),
        )

    assert list(refused) == ["r50@example.org"]
    code, reply = refused["r50@example.org"]
    assert (code, reply[:5]) == (452, b"4.5.3")
    assert Message.objects.filter(source="smtp").count() == 50


def test_a_message_over_the_size_limit_is_refused(smtp_service, sender, settings):
    settings.SES_SMTP_MAX_BYTES = 2000
    big = EmailMessage()
    big["From"] = sender.email
    big["To"] = "ana@example.org"
    big.set_content("A line of text that makes the message big.\n" * 100)
    with starttls_client(smtp_service) as client:
        client.login(sender.email, PASSWORD)
        client.mail(sender.email)
        client.rcpt("ana@example.org")
        code, reply = client.data(big.as_bytes(policy=SMTP))

    assert code == 552
    assert reply.startswith(b"5.3.4")


def test_ten_wrong_passwords_lock_the_address_for_the_cool_off(smtp_service, sender):
    with starttls_client(smtp_service) as client:
        for _ in range(10):
            with pytest.raises(smtplib.SMTPAuthenticationError):
                client.login(sender.email, "Wr0ngPassword")
    with (
        starttls_client(smtp_service) as client,
        pytest.raises(smtplib.SMTPAuthenticationError) as refused,
    ):
        client.login(sender.email, PASSWORD)

    assert b"Too many failed logins" in refused.value.smtp_error


def test_inbound_port_stores_bounce_mail_and_refuses_relaying(smtp_service, settings):
    with smtplib.SMTP("127.0.0.1", smtp_service.ports["inbound"], timeout=10) as client:
        refused = client.sendmail(
            "",
            [f"b-abc@{settings.SES_BOUNCE_DOMAIN}"],
            b"Subject: DSN\r\n\r\nbounced\r\n",
        )
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail("x@example.org", ["someone@example.org"], b"\r\n")

    assert refused == {}
    stored = InboundMail.objects.get()
    assert stored.rcpt_tos == [f"b-abc@{settings.SES_BOUNCE_DOMAIN}"]
    assert bytes(stored.data).startswith(b"Subject: DSN")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_message_answered_250_survives_the_service_being_killed(
    transactional_db, sender, mail_sink, celery_worker
):
    ports = [free_port() for _ in range(3)]
    service = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "smtpd",
            "--port",
            str(ports[0]),
            "--tls-port",
            str(ports[1]),
            "--inbound-port",
            str(ports[2]),
        ],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": _database_url()},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert "SMTP service on" in service.stdout.readline()
        client = smtplib.SMTP("127.0.0.1", ports[0], timeout=10)
        client.starttls(context=client_context())
        client.login(sender.email, PASSWORD)
        client.mail(sender.email)
        client.rcpt("success@simulator.invalid")
        code, _ = client.data(message(sender.email).as_bytes(policy=SMTP))
        service.kill()  # SIGKILL right after the 250
        service.wait()
        assert code == 250
    finally:
        service.kill()
        service.wait()

    received = mail_sink.wait_for(1, timeout=30)
    assert received[0].headers()["Subject"] == "Sent over SMTP"


def test_blocked_words_refuse_the_message(smtp_service, sender, settings):
    settings.SES_BLOCKING_WORDS = ["forbiddenword"]
    body = EmailMessage()
    body["From"] = sender.email
    body["To"] = "ana@example.org"
    body.set_content("This text holds a forbiddenword in it.\n")
    with starttls_client(smtp_service) as client:
        client.login(sender.email, PASSWORD)
        client.mail(sender.email)
        client.rcpt("ana@example.org")
        code, reply = client.data(body.as_bytes(policy=SMTP))

    assert code == 550
    assert b"(FailedOperation.ContainSensitiveWord)" in reply
    assert not Message.objects.exists()
