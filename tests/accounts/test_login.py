import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User


def test_login_with_email_and_password_reaches_overview(client, owner, password):
    response = client.post(
        reverse("login"), {"username": "OWNER@acme.example.com", "password": password}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("overview")
    assert "Acme Mail" in client.get(reverse("overview")).text


def test_wrong_password_gets_a_clear_message(client, owner):
    response = client.post(
        reverse("login"), {"username": owner.email, "password": "not-the-password"}
    )

    assert response.status_code == 200
    assert "That email and password do not match" in response.text


def test_bad_email_gets_an_inline_error(client, db):
    response = client.post(reverse("login"), {"username": "nobody", "password": "x"})

    assert "Enter a valid email address." in response.text


def test_repeated_failures_lock_the_login_for_a_cool_off(client, owner, password):
    for _ in range(5):
        client.post(reverse("login"), {"username": owner.email, "password": "wrong"})

    response = client.post(
        reverse("login"), {"username": owner.email, "password": password}
    )

    assert response.status_code == 429
    assert "Too many failed logins" in response.text
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_ends_the_session(owner_client):
    response = owner_client.post(reverse("logout"))

    assert response.status_code == 302
    assert owner_client.get(reverse("overview")).status_code == 302


def test_password_change_needs_the_old_password(owner_client, owner, password):
    url = reverse("password_change")
    bad = owner_client.post(
        url,
        {
            "old_password": "wrong",
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert "Your old password was entered incorrectly" in bad.text

    good = owner_client.post(
        url,
        {
            "old_password": password,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert good.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("a-new-long-passphrase")


def test_password_reset_mails_a_working_link(client, owner):
    client.post(reverse("password_reset"), {"email": owner.email})

    assert len(mail.outbox) == 1
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line
    )
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {
            "new_password1": "reset-passphrase-42",
            "new_password2": "reset-passphrase-42",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(pk=owner.pk).check_password("reset-passphrase-42")


@pytest.mark.parametrize("url_name", ["login", "password_reset"])
def test_auth_pages_render_for_anonymous_users(client, db, url_name):
    assert client.get(reverse(url_name)).status_code == 200
