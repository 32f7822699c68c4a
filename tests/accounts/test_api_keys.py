import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import ApiKey
from sesconsole.encryption import decrypt_text


def test_owner_creates_a_key_and_sees_the_secret_only_once(owner_client, account):
    response = owner_client.post(reverse("accounts:api_keys"), {"name": "billing"})

    key = ApiKey.objects.get(account=account)
    secret = decrypt_text(key.secret_key_encrypted)
    assert key.secret_id.startswith("AKID")
    assert secret in response.text
    assert "never shown again" in response.text
    assert secret not in owner_client.get(reverse("accounts:api_keys")).text
    assert secret not in key.secret_key_encrypted


def test_owner_disables_enables_and_deletes_a_key(owner_client, account):
    owner_client.post(reverse("accounts:api_keys"), {"name": "x"})
    key = ApiKey.objects.get(account=account)

    owner_client.post(reverse("accounts:api_key_toggle", args=[key.pk]))
    key.refresh_from_db()
    assert not key.is_enabled
    owner_client.post(reverse("accounts:api_key_toggle", args=[key.pk]))
    key.refresh_from_db()
    assert key.is_enabled
    owner_client.post(reverse("accounts:api_key_delete", args=[key.pk]))
    assert not ApiKey.objects.exists()


def test_operator_sees_keys_but_cannot_create(operator_client, account):
    response = operator_client.post(reverse("accounts:api_keys"), {"name": "x"})

    assert response.status_code == 403
    assert not ApiKey.objects.exists()
    assert (
        "Owners create API keys"
        in operator_client.get(reverse("accounts:api_keys")).text
    )


def test_create_api_key_command_prints_json(owner, account):
    out = StringIO()

    call_command("create_api_key", "--email", owner.email, stdout=out)

    printed = json.loads(out.getvalue())
    key = ApiKey.objects.get(secret_id=printed["SecretId"])
    assert decrypt_text(key.secret_key_encrypted) == printed["SecretKey"]
    assert key.account == account


def test_create_api_key_command_refuses_clearly(owner, operator, db):
    with pytest.raises(CommandError, match="No user with the email"):
        call_command("create_api_key", "--email", "nobody@example.com")
    with pytest.raises(CommandError, match="is not an owner"):
        call_command("create_api_key", "--email", operator.email)
    with pytest.raises(CommandError, match="is not an owner of an account named nope"):
        call_command("create_api_key", "--email", owner.email, "--account", "nope")
