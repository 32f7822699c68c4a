"""Account settings: owners change the name, the time zone and tracking."""

from django.urls import reverse

from accounts.models import Account
from sending.services import send_email
from tests.sending.helpers import approved_template, verified_sender


def test_owners_turn_tracking_off_and_new_mail_goes_out_untracked(
    owner_client, account
):
    assert account.track_opens_and_clicks  # on by default
    response = owner_client.post(
        reverse("accounts:settings"), {"name": "Acme Mail", "time_zone": "UTC"}
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert not account.track_opens_and_clicks
    sender, template = verified_sender(account), approved_template(account)
    result = send_email(
        account=account,
        from_email=sender.email,
        recipients=["ana@example.com"],
        template_id=template.pk,
        template_data={"name": "Ana"},
        subject="Hello",
    )
    assert not result.messages[0].tracked


def test_a_bad_time_zone_is_shown_inline_and_nothing_changes(owner_client, account):
    response = owner_client.post(
        reverse("accounts:settings"),
        {
            "name": "Renamed",
            "time_zone": "Mars/Olympus",
            "track_opens_and_clicks": "on",
        },
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Account.objects.get(pk=account.pk).name == "Acme Mail"


def test_operators_cannot_change_settings(operator_client, account):
    response = operator_client.post(
        reverse("accounts:settings"), {"name": "X", "time_zone": "UTC"}
    )
    assert response.status_code == 403
    assert Account.objects.get(pk=account.pk).track_opens_and_clicks
