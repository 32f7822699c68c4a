"""After delivery: opens, clicks, unsubscribes, DSNs and ARF reports, end to end.

Mail goes through a real Celery worker to the loopback sink; the reader's
actions come back over HTTP (the pixel, the click link, the one-click POST)
and over SMTP to the platform's inbound port.
"""

import re
import smtplib
import time
from html import unescape

import pytest
from django.test import Client

from sending.models import (
    EventKind,
    Message,
    MessageEvent,
    MessageStatus,
    Suppression,
    SuppressionReason,
)
from sending.report_builder import delivery_status_notification, feedback_report
from sending.services import send_email
from sending.smtp.server import SmtpService
from stats.models import DailyCounter
from tests.sending.helpers import approved_template, verified_sender

pytestmark = pytest.mark.worker

BODY = (
    '<p>Hello {{name}}</p><p><a href="https://shop.example.com/offer?id=7&amp;x=1">'
    'Offer</a> and <a href="https://docs.example.org/{{name}}">docs</a></p>'
)


@pytest.fixture
def inbound(transactional_db):
    with SmtpService(host="127.0.0.1", port=0, tls_port=0, inbound_port=0) as service:
        yield service


@pytest.fixture
def ready(transactional_db, account, dns, mail_sink, celery_worker):
    return verified_sender(account, dns), approved_template(account, body=BODY)


def deliver(account, sender, template, recipient: str, mail_sink) -> Message:
    before = len(mail_sink.received)
    result = send_email(
        account=account,
        from_email=sender.email,
        recipients=[recipient],
        template_id=template.pk,
        template_data={"name": "ana"},
        subject="Hello {{name}}",
        unsubscribe_language="en",
    )
    mail_sink.wait_for(before + 1, timeout=30)
    message = result.messages[0]
    deadline = time.monotonic() + 30
    while not Message.objects.get(pk=message.pk).is_final:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return Message.objects.get(pk=message.pk)


def html_of(mail_sink, message: Message) -> str:
    raw = next(
        r for r in mail_sink.received if message.message_id.encode() in r.raw
    ).message()
    return raw.get_body(("html",)).get_content()


def paths(html: str, prefix: str) -> list[str]:
    urls = re.findall(r'(?:href|src)="([^"]+)"', html)
    return [
        re.sub(r"^https?://[^/]+", "", unescape(u)) for u in urls if f"/{prefix}/" in u
    ]


def counter_total(column: str) -> int:
    return sum(DailyCounter.objects.values_list(column, flat=True))


def test_two_opens_and_a_click_count_two_opens_one_unique_one_click(
    ready, account, mail_sink
):
    sender, template = ready
    message = deliver(account, sender, template, "reader@example.net", mail_sink)
    html = html_of(mail_sink, message)
    [pixel] = paths(html, "t/o")
    clicks = paths(html, "t/c")
    assert len(clicks) == 2  # both links; the unsubscribe link stays direct
    assert "shop.example.com" not in html
    assert "/u/" in html

    browser = Client(HTTP_USER_AGENT="Mozilla/5.0 (Test Reader)")
    for _ in range(2):
        response = browser.get(pixel)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/gif"
    response = browser.get(clicks[0])
    assert response.status_code == 302
    assert response["Location"] == "https://shop.example.com/offer?id=7&x=1"

    assert (counter_total("opened"), counter_total("unique_opened")) == (2, 1)
    assert (counter_total("clicked"), counter_total("unique_clicked")) == (1, 1)
    # The second link leads where the message linked, with the reader's value.
    assert browser.get(clicks[1])["Location"] == "https://docs.example.org/ana"
    assert (counter_total("clicked"), counter_total("unique_clicked")) == (2, 1)
    assert counter_total("delivered") == 1
    opened = MessageEvent.objects.filter(message=message, kind=EventKind.OPENED)
    assert [e.user_agent for e in opened] == ["Mozilla/5.0 (Test Reader)"] * 2
    message.refresh_from_db()
    assert message.opened_at is not None
    assert message.clicked_at is not None


def test_a_dsn_to_the_inbound_port_bounces_counts_and_suppresses(
    ready, account, mail_sink, inbound
):
    sender, template = ready
    message = deliver(account, sender, template, "gone@example.net", mail_sink)
    received = next(
        r for r in mail_sink.received if r.rcpt_tos == ("gone@example.net",)
    )
    dsn = delivery_status_notification(
        to=received.mail_from, recipient="gone@example.net", original=received.raw
    )
    with smtplib.SMTP("127.0.0.1", inbound.ports["inbound"], timeout=10) as client:
        client.sendmail("", [received.mail_from], dsn)

    message.refresh_from_db()
    assert message.status == MessageStatus.BOUNCED
    assert message.bounce_type == "invalid_address"
    assert Suppression.objects.filter(
        address="gone@example.net", reason=SuppressionReason.HARD_BOUNCE
    ).exists()
    assert (counter_total("bounced"), counter_total("bounced_invalid")) == (1, 1)
    assert counter_total("delivered") == 0  # the late bounce took it back
    assert counter_total("sent") == 1


def test_an_arf_report_complains_and_suppresses_for_that_sender(
    ready, account, mail_sink, inbound
):
    sender, template = ready
    message = deliver(account, sender, template, "angry@example.net", mail_sink)
    received = next(
        r for r in mail_sink.received if r.rcpt_tos == ("angry@example.net",)
    )
    report = feedback_report(
        to=received.mail_from, recipient="angry@example.net", original=received.raw
    )
    with smtplib.SMTP("127.0.0.1", inbound.ports["inbound"], timeout=10) as client:
        client.sendmail("", [received.mail_from], report)

    message.refresh_from_db()
    assert message.complained_at is not None
    assert Suppression.objects.filter(
        address="angry@example.net", reason=SuppressionReason.COMPLAINT, sender=sender
    ).exists()
    assert counter_total("complained") == 1


def test_the_simulator_sends_its_reports_back_to_the_inbound_port(
    ready, account, mail_sink, inbound
):
    sender, template = ready
    mail_sink.reports_to = ("127.0.0.1", inbound.ports["inbound"])
    try:
        complained = deliver(
            account, sender, template, "complaint@simulator.invalid", mail_sink
        )
        bounced = deliver(
            account, sender, template, "bounce-async@simulator.invalid", mail_sink
        )
        deadline = time.monotonic() + 20
        while not (
            Message.objects.get(pk=complained.pk).complained_at
            and Message.objects.get(pk=bounced.pk).status == MessageStatus.BOUNCED
        ):
            assert time.monotonic() < deadline, "the simulator's reports never came"
            time.sleep(0.1)
    finally:
        mail_sink.reports_to = None


def test_one_click_unsubscribe_is_counted_and_the_next_send_dropped(
    ready, account, mail_sink
):
    sender, template = ready
    message = deliver(account, sender, template, "leaving@example.net", mail_sink)
    received = next(
        r for r in mail_sink.received if r.rcpt_tos == ("leaving@example.net",)
    )
    url = re.search(
        r"<(https?://[^>]+/u/[^>]+)>", received.headers()["List-Unsubscribe"]
    )
    path = re.sub(r"^https?://[^/]+", "", url.group(1))
    assert Client().post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Client().post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200

    assert counter_total("unsubscribed") == 1
    again = send_email(
        account=account,
        from_email=sender.email,
        recipients=["leaving@example.net"],
        template_id=template.pk,
        template_data={"name": "ana"},
        subject="Hello again",
    )
    assert again.messages[0].status == MessageStatus.DROPPED
    message.refresh_from_db()
    assert message.unsubscribed_at is not None
