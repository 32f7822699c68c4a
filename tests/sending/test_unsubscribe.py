from django.test import Client
from django.urls import reverse

from sending import unsubscribe
from sending.models import Suppression
from tests.factories import MessageFactory, SenderAddressFactory


def message_with_sender(db):
    sender = SenderAddressFactory()
    return MessageFactory(
        domain=sender.domain, sender=sender, recipient="ana@example.org"
    )


def test_one_click_post_needs_no_cookie_or_csrf_and_suppresses_for_that_sender(db):
    message = message_with_sender(db)
    client = Client(enforce_csrf_checks=True)
    url = reverse("unsubscribe", args=[unsubscribe.token_for(message.message_id)])

    response = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    entry = Suppression.objects.get()
    assert (entry.address, entry.reason, entry.sender) == (
        "ana@example.org",
        "unsubscribe",
        message.sender,
    )
    assert [e.kind for e in message.events.all()] == ["unsubscribed"]
    client.post(url)  # a second click changes nothing
    assert Suppression.objects.count() == 1
    assert message.events.count() == 1


def test_get_shows_a_button_and_changes_nothing(db):
    message = message_with_sender(db)
    url = reverse("unsubscribe", args=[unsubscribe.token_for(message.message_id)])

    response = Client().get(url)

    assert response.status_code == 200
    assert "Stop mail from" in response.text
    assert not Suppression.objects.exists()


def test_a_forged_token_is_refused(db):
    message = message_with_sender(db)
    forged = unsubscribe.token_for(message.message_id)[:-2] + "xx"

    response = Client().post(reverse("unsubscribe", args=[forged]))

    assert response.status_code == 404
    assert not Suppression.objects.exists()


def test_a_token_for_one_message_cannot_be_bent_to_another(db):
    message = message_with_sender(db)
    other = message_with_sender(db)
    token = unsubscribe.token_for(message.message_id)
    other_payload = unsubscribe.token_for(other.message_id).split(":")[0]
    _, timestamp, signature = token.split(":")

    assert unsubscribe.message_id_from(token) == message.message_id
    spliced = f"{other_payload}:{timestamp}:{signature}"
    assert unsubscribe.message_id_from(spliced) is None
