import pytest
from django.urls import reverse

from domains import services
from domains.errors import (
    AddressAlreadyExists,
    DomainAlreadyAdded,
    DomainCreatedByOther,
    DomainNotVerified,
    ExceedDomainLimit,
    ExceedSenderLimit,
    InvalidDomainName,
    InvalidSenderName,
    WeakSmtpPassword,
)
from domains.models import SenderAddress, SenderDomain
from tests.factories import SenderAddressFactory, SenderDomainFactory


def test_the_eleventh_domain_is_refused(account):
    SenderDomainFactory.create_batch(10, account=account)

    with pytest.raises(ExceedDomainLimit) as refused:
        services.create_domain(account=account, name="eleventh.com", key_bits=1024)

    assert refused.value.code == "OperationDenied.ExceedDomainLimit"
    assert "at most 10 sender domains" in refused.value.message
    assert SenderDomain.objects.for_account(account).count() == 10


def test_a_duplicate_domain_is_refused(account):
    services.create_domain(account=account, name="acme.com", key_bits=1024)

    with pytest.raises(DomainAlreadyAdded) as refused:
        services.create_domain(account=account, name="ACME.com.", key_bits=1024)

    assert refused.value.code == "InvalidParameterValue.RepeatCreation"


def test_another_accounts_verified_domain_is_refused(account, other_account):
    SenderDomainFactory(account=other_account, name="taken.com", verified=True)

    with pytest.raises(DomainCreatedByOther) as refused:
        services.create_domain(account=account, name="taken.com", key_bits=1024)

    assert refused.value.code == "InvalidParameterValue.CreatedByOther"
    assert not SenderDomain.objects.for_account(account).exists()


def test_another_accounts_pending_domain_does_not_block(account, other_account):
    SenderDomainFactory(account=other_account, name="contested.com")

    domain = services.create_domain(
        account=account, name="contested.com", key_bits=1024
    )

    assert domain.account == account


def test_an_invalid_name_is_refused(account):
    with pytest.raises(InvalidDomainName) as refused:
        services.create_domain(account=account, name="10.0.0.1")

    assert refused.value.code == "InvalidParameterValue.InvalidEmailIdentity"
    assert "IP address" in refused.value.message


def test_a_sender_address_on_an_unverified_domain_is_refused(account):
    domain = SenderDomainFactory(account=account)

    with pytest.raises(DomainNotVerified) as refused:
        services.create_sender_address(
            account=account, domain=domain, local_part="noreply", sender_name="Acme"
        )

    assert refused.value.code == "OperationDenied.DomainNotVerified"
    assert not SenderAddress.objects.exists()


def test_addresses_are_unique_and_at_most_ten_per_domain(account):
    domain = SenderDomainFactory(account=account, verified=True)
    for n in range(10):
        services.create_sender_address(
            account=account, domain=domain, local_part=f"a{n}", sender_name="Acme"
        )

    with pytest.raises(AddressAlreadyExists):
        services.create_sender_address(
            account=account, domain=domain, local_part="A0", sender_name="Acme"
        )
    with pytest.raises(ExceedSenderLimit) as refused:
        services.create_sender_address(
            account=account, domain=domain, local_part="a10", sender_name="Acme"
        )
    assert refused.value.code == "OperationDenied.ExceedSenderLimit"


def test_a_sender_name_with_a_colon_is_refused(account):
    domain = SenderDomainFactory(account=account, verified=True)

    with pytest.raises(InvalidSenderName):
        services.create_sender_address(
            account=account, domain=domain, local_part="x", sender_name="Acme: News"
        )


@pytest.mark.parametrize(
    "password", ["short1A", "alllowercase123", "ALLUPPER123", "NoDigitsHere", "A1" * 11]
)
def test_a_weak_smtp_password_is_refused(db, password):
    address = SenderAddressFactory()

    with pytest.raises(WeakSmtpPassword) as refused:
        services.set_smtp_password(address=address, password=password)

    assert refused.value.code == "InvalidParameterValue.InvalidSmtpPassWord"
    address.refresh_from_db()
    assert not address.has_smtp_password


def test_smtp_password_is_hashed_and_checkable(db):
    address = SenderAddressFactory()

    generated = services.set_smtp_password(address=address)

    address.refresh_from_db()
    assert generated not in address.smtp_password_hash
    assert services.smtp_password_matches(address, generated)
    assert not services.smtp_password_matches(address, generated + "x")


# --- The same refusals in the console ---------------------------------------


def test_console_shows_domain_errors_inline(owner_client, account, other_account):
    SenderDomainFactory(account=other_account, name="taken.com", verified=True)
    url = reverse("domains:create")

    for name, message in [
        ("taken.com", "InvalidParameterValue.CreatedByOther"),
        ("not a domain", "only the domain name"),
        ("", "This field is required."),
    ]:
        response = owner_client.post(url, {"name": name, "key_bits": "1024"})
        assert response.status_code == 400
        assert message in response.text


def test_console_refuses_the_eleventh_domain(owner_client, account):
    SenderDomainFactory.create_batch(10, account=account)

    response = owner_client.post(
        reverse("domains:create"), {"name": "one-more.com", "key_bits": "1024"}
    )

    assert response.status_code == 400
    assert "OperationDenied.ExceedDomainLimit" in response.text


def test_console_refuses_an_address_on_an_unverified_domain(owner_client, account):
    domain = SenderDomainFactory(account=account)

    response = owner_client.post(
        reverse("domains:address_create"),
        {"local_part": "noreply", "domain": domain.pk, "sender_name": "Acme"},
    )

    assert response.status_code == 400
    assert "is not verified yet" in response.text
    assert "OperationDenied.DomainNotVerified" in response.text


def test_console_refuses_a_weak_password_and_shows_a_good_one_once(
    owner_client, account
):
    address = SenderAddressFactory(domain__account=account)
    url = reverse("domains:address_password", args=[address.pk])

    weak = owner_client.post(url, {"password": "password"})
    assert weak.status_code == 400
    assert "10 to 20 characters" in weak.text

    good = owner_client.post(url, {"password": "Str0ngPassw0rd"})
    assert "Str0ngPassw0rd" in good.text
    assert "cannot be shown again" in good.text
    page = owner_client.get(reverse("domains:address_detail", args=[address.pk]))
    assert "Str0ngPassw0rd" not in page.text


def test_reviewer_cannot_add_domains(reviewer_client, account):
    response = reviewer_client.post(
        reverse("domains:create"), {"name": "x.com", "key_bits": "1024"}
    )

    assert response.status_code == 403
    assert not SenderDomain.objects.exists()
