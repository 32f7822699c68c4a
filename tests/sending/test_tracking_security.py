"""The public endpoints a message links to refuse everything they did not issue."""

import pytest
from django.conf import settings
from django.core import signing
from django.urls import reverse

from sending import inbound, tracking, unsubscribe
from sending.models import InboundMail, Message, MessageStatus
from sending.report_builder import delivery_status_notification, feedback_report
from tests.factories import MessageFactory
from tests.sending.helpers import approved_template

pytestmark = pytest.mark.django_db

BODY = '<p>Hi {{name}}, <a href="https://shop.example.com/a">shop</a></p>'


@pytest.fixture
def message(account):
    template = approved_template(account, body=BODY)
    return MessageFactory(
        account=account,
        domain__account=account,
        template_version=template.approved_version,
        variables={"name": "Ana"},
        status=MessageStatus.DELIVERED,
        tracked=True,
    )


def click_path(token: str) -> str:
    return reverse("track_click", args=[token])


def test_the_issued_click_link_redirects_to_the_messages_own_link(client, message):
    response = client.get(click_path(tracking._token(message.message_id, 0)))
    assert response.status_code == 302
    assert response["Location"] == "https://shop.example.com/a"


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        signing.dumps(["x", 0], salt="another.salt", compress=True),
        signing.dumps("https://evil.example/", salt=tracking.SALT, compress=True),
        signing.dumps(["https://evil.example/", 0], salt=tracking.SALT, compress=True),
    ],
    # Named, not shown: a signed token holds the time it was made, and test
    # processes collecting a second apart would list different tests.
    ids=["garbage", "other-salt", "bare-url", "url-as-message-id"],
)
def test_forged_click_tokens_answer_404(client, message, token):
    response = client.get(click_path(token) + "?url=https://evil.example/")
    assert response.status_code == 404
    assert "Location" not in response


def test_a_tampered_token_answers_404(client, message):
    token = tracking._token(message.message_id, 0)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(click_path(tampered)).status_code == 404


def test_a_link_number_the_message_does_not_have_answers_404(client, message):
    assert (
        client.get(click_path(tracking._token(message.message_id, 5))).status_code
        == 404
    )


def test_a_pixel_token_is_not_a_click_token_and_the_reverse(client, message):
    pixel = tracking._token(message.message_id, None)
    assert client.get(click_path(pixel)).status_code == 404
    link = tracking._token(message.message_id, 0)
    assert client.get(reverse("track_open", args=[link])).status_code == 404


def test_untracked_messages_record_nothing(client, message):
    Message.objects.filter(pk=message.pk).update(tracked=False)
    pixel = reverse("track_open", args=[tracking._token(message.message_id, None)])
    assert client.get(pixel).status_code == 404


def test_forged_unsubscribe_tokens_are_refused(client, message):
    forged = signing.dumps(message.message_id, salt="wrong", compress=True)
    assert client.post(reverse("unsubscribe", args=[forged])).status_code == 404
    other_salt = tracking._token(message.message_id, None)
    assert client.post(reverse("unsubscribe", args=[other_salt])).status_code == 404
    good = unsubscribe.token_for(message.message_id)
    assert client.post(reverse("unsubscribe", args=[good])).status_code == 200


def receive(message: Message, data: bytes) -> InboundMail:
    bounce = f"b-{message.message_id}@{settings.SES_BOUNCE_DOMAIN}"
    return inbound.receive_inbound(
        peer="127.0.0.1", mail_from="", rcpt_tos=[bounce], data=data
    )


def test_a_dsn_naming_another_recipient_is_refused(message, other_account):
    others = MessageFactory(
        account=other_account, domain__account=other_account, status="delivered"
    )
    # Sent to this message's bounce address, but about the other account's
    # recipient: it must not bounce either message.
    data = delivery_status_notification(
        to="x", recipient=others.recipient, original=b"Subject: x\r\n\r\n"
    )
    mail = receive(message, data)
    assert mail.outcome.startswith("refused")
    for m in (message, others):
        m.refresh_from_db()
        assert m.status == MessageStatus.DELIVERED


def test_reports_for_unknown_messages_change_nothing(message):
    message.message_id = "0" * 32
    data = delivery_status_notification(
        to="x", recipient=message.recipient, original=b"Subject: x\r\n\r\n"
    )
    assert receive(message, data).outcome.endswith("unknown message")
    arf = feedback_report(
        to="x", recipient=message.recipient, original=b"Subject: x\r\n\r\n"
    )
    assert receive(message, arf).outcome.endswith("unknown message")


def test_a_complaint_about_another_recipient_is_refused(message):
    arf = feedback_report(
        to="x", recipient="someone-else@example.org", original=b"Subject: x\r\n\r\n"
    )
    assert receive(message, arf).outcome.startswith("refused")
    message.refresh_from_db()
    assert message.complained_at is None
