"""Sender domain and sender address actions, driven through the official SDK."""

import time

import pytest
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)

from domains import services
from domains.api_actions import list_email_address
from domains.errors import WeakSmtpPassword
from domains.models import DomainStatus, SenderAddress, SenderDomain
from sesconsole.api.registry import ApiContext
from tests.api.conftest import call, refused
from tests.domains.helpers import publish
from tests.factories import SenderAddressFactory, SenderDomainFactory

# --- CreateEmailIdentity ------------------------------------------------------


def test_creating_an_identity_returns_the_records_to_publish(ses, account):
    response = call(ses, "CreateEmailIdentity", EmailIdentity="Mail.Acme.com")

    domain = SenderDomain.objects.get(account=account)
    assert domain.name == "mail.acme.com"
    assert response.IdentityType == "DOMAIN"
    assert response.VerifiedForSendingStatus is False
    assert [(a.Type, a.SendDomain) for a in response.Attributes] == [
        ("MX", "mail.acme.com"),
        ("TXT", "mail.acme.com"),
        ("TXT", domain.dkim_host),
        ("TXT", "_dmarc.mail.acme.com"),
    ]
    assert response.Attributes[1].ExpectedValue.startswith("v=spf1 include:")
    assert domain.dkim_public_key in response.Attributes[2].ExpectedValue
    assert all(a.CurrentValue == "" and a.Status is False for a in response.Attributes)


@pytest.mark.parametrize(("option", "bits"), [(0, 1024), (1, 2048)])
def test_dkim_option_chooses_the_key_length(ses, account, option, bits):
    response = call(
        ses, "CreateEmailIdentity", EmailIdentity="acme.com", DKIMOption=option
    )

    assert response.DKIMOption == option
    assert SenderDomain.objects.get(account=account).dkim_key_bits == bits


def test_without_dkim_option_the_configured_key_length_is_used(ses, settings):
    settings.SES_DKIM_KEY_BITS = 1024

    response = call(
        ses,
        "CreateEmailIdentity",
        EmailIdentity="acme.com",
        TagList=[{"TagKey": "team", "TagValue": "mail"}],
    )

    assert response.DKIMOption == 0


def test_an_unknown_dkim_option_is_an_invalid_value(ses, account):
    code = refused(ses, "CreateEmailIdentity", EmailIdentity="acme.com", DKIMOption=2)

    assert code == "InvalidParameterValue"
    assert not SenderDomain.objects.filter(account=account).exists()


@pytest.mark.parametrize("name", ["not a domain", "192.0.2.1", "com"])
def test_an_invalid_identity_is_refused(ses, name):
    code = refused(ses, "CreateEmailIdentity", EmailIdentity=name, DKIMOption=0)

    assert code == "InvalidParameterValue.InvalidEmailIdentity"


def test_adding_a_domain_twice_is_a_repeat_creation(ses, account):
    SenderDomainFactory(account=account, name="acme.com")

    code = refused(ses, "CreateEmailIdentity", EmailIdentity="acme.com", DKIMOption=0)

    assert code == "InvalidParameterValue.RepeatCreation"


def test_a_domain_verified_by_another_account_is_refused(ses, other_account):
    SenderDomainFactory(account=other_account, name="acme.com", verified=True)

    code = refused(ses, "CreateEmailIdentity", EmailIdentity="acme.com", DKIMOption=0)

    assert code == "InvalidParameterValue.CreatedByOther"


def test_the_domain_limit_is_enforced(ses, account, settings):
    settings.SES_MAX_DOMAINS_PER_ACCOUNT = 1
    SenderDomainFactory(account=account)

    code = refused(ses, "CreateEmailIdentity", EmailIdentity="acme.com", DKIMOption=0)

    assert code == "OperationDenied.ExceedDomainLimit"


# --- GetEmailIdentity ---------------------------------------------------------


def test_get_identity_reports_what_the_last_check_saw(ses, account, dns):
    domain = SenderDomainFactory(account=account, name="acme.com")
    publish(dns, domain)
    services.check_domain(domain_id=domain.pk)

    response = call(ses, "GetEmailIdentity", EmailIdentity="acme.com")

    assert response.IdentityType == "DOMAIN"
    assert response.VerifiedForSendingStatus is True
    assert response.DKIMOption == 0
    assert response.TagList == []
    assert len(response.Attributes) == 4
    assert all(a.Status is True for a in response.Attributes)
    assert all(a.CurrentValue == a.ExpectedValue for a in response.Attributes)


def test_get_identity_before_any_check_shows_nothing_seen(ses, account):
    SenderDomainFactory(account=account, name="acme.com")

    response = call(ses, "GetEmailIdentity", EmailIdentity="ACME.com.")

    assert response.VerifiedForSendingStatus is False
    assert all(a.Status is False for a in response.Attributes)


def error_of(client: object, action: str, **params: object) -> TencentCloudSDKException:
    with pytest.raises(TencentCloudSDKException) as error:
        call(client, action, **params)
    return error.value


def test_another_accounts_identity_looks_exactly_like_a_missing_one(ses, other_account):
    SenderDomainFactory(account=other_account, name="theirs.com", verified=True)

    theirs = error_of(ses, "GetEmailIdentity", EmailIdentity="theirs.com")
    missing = error_of(ses, "GetEmailIdentity", EmailIdentity="nobodys.com")

    assert theirs.code == missing.code == "InvalidParameterValue.NotExistDomain"
    assert theirs.message.replace("theirs", "nobodys") == missing.message


def test_getting_an_invalid_name_is_a_missing_domain(ses):
    code = refused(ses, "GetEmailIdentity", EmailIdentity="not a domain")

    assert code == "InvalidParameterValue.NotExistDomain"


# --- UpdateEmailIdentity ------------------------------------------------------


def test_update_identity_rechecks_dns_and_verifies(ses, account, dns):
    domain = SenderDomainFactory(account=account, name="acme.com")
    publish(dns, domain)

    response = call(ses, "UpdateEmailIdentity", EmailIdentity="acme.com")

    assert response.VerifiedForSendingStatus is True
    assert all(a.Status is True for a in response.Attributes)
    domain.refresh_from_db()
    assert domain.status == DomainStatus.VERIFIED
    assert domain.last_checked_at is not None


def test_update_identity_shows_a_wrong_record_as_seen(ses, account, dns):
    domain = SenderDomainFactory(account=account, name="acme.com")
    publish(dns, domain)
    dns.set("acme.com", "TXT", ["v=spf1 -all"])

    response = call(ses, "UpdateEmailIdentity", EmailIdentity="acme.com", NewAPI=True)

    spf = response.Attributes[1]
    assert (spf.SendDomain, spf.CurrentValue, spf.Status) == (
        "acme.com",
        "v=spf1 -all",
        False,
    )
    assert response.VerifiedForSendingStatus is False
    domain.refresh_from_db()
    assert domain.status == DomainStatus.PENDING


def test_update_of_another_accounts_identity_is_a_missing_domain(
    ses, other_account, dns
):
    domain = SenderDomainFactory(account=other_account, name="theirs.com")
    publish(dns, domain)

    code = refused(ses, "UpdateEmailIdentity", EmailIdentity="theirs.com")

    assert code == "InvalidParameterValue.NotExistDomain"
    domain.refresh_from_db()
    assert domain.last_checked_at is None


# --- DeleteEmailIdentity ------------------------------------------------------


def test_delete_identity_removes_it_and_its_addresses(ses, account):
    address = SenderAddressFactory(domain__account=account, domain__name="acme.com")

    call(ses, "DeleteEmailIdentity", EmailIdentity="acme.com")

    assert not SenderDomain.objects.filter(account=account).exists()
    assert not SenderAddress.objects.filter(pk=address.pk).exists()


def test_delete_of_another_accounts_identity_is_a_missing_domain(ses, other_account):
    domain = SenderDomainFactory(account=other_account, name="theirs.com")

    code = refused(ses, "DeleteEmailIdentity", EmailIdentity="theirs.com")

    assert code == "InvalidParameterValue.NotExistDomain"
    assert SenderDomain.objects.filter(pk=domain.pk).exists()


# --- CreateEmailAddress -------------------------------------------------------


def test_create_address_on_a_verified_domain(ses, account):
    SenderDomainFactory(account=account, name="acme.com", verified=True)

    call(
        ses,
        "CreateEmailAddress",
        EmailAddress="NoReply@acme.com",
        EmailSenderName="Acme Support",
    )

    address = SenderAddress.objects.get(account=account)
    assert (address.email, address.sender_name) == ("noreply@acme.com", "Acme Support")


def test_without_a_sender_name_the_address_prefix_is_used(ses, account):
    SenderDomainFactory(account=account, name="acme.com", verified=True)

    call(ses, "CreateEmailAddress", EmailAddress="news@acme.com")

    assert SenderAddress.objects.get(account=account).sender_name == "news"


@pytest.mark.parametrize(
    ("email", "code"),
    [
        ("not-an-address", "InvalidParameterValue.IllegalEmailAddress"),
        ("two..dots@acme.com", "InvalidParameterValue.IllegalEmailAddress"),
        ("x@not a domain", "InvalidParameterValue.IllegalEmailAddress"),
        ("x@pending.com", "OperationDenied.DomainNotVerified"),
        ("x@nobodys.com", "InvalidParameterValue.NotExistDomain"),
        ("x@theirs.com", "InvalidParameterValue.NotExistDomain"),
    ],
)
def test_create_address_refusals(ses, account, other_account, email, code):
    SenderDomainFactory(account=account, name="acme.com", verified=True)
    SenderDomainFactory(account=account, name="pending.com")
    SenderDomainFactory(account=other_account, name="theirs.com", verified=True)

    assert refused(ses, "CreateEmailAddress", EmailAddress=email) == code
    assert not SenderAddress.objects.exists()


def test_an_illegal_sender_name_is_refused(ses, account):
    SenderDomainFactory(account=account, name="acme.com", verified=True)

    code = refused(
        ses, "CreateEmailAddress", EmailAddress="x@acme.com", EmailSenderName="A: <B>"
    )

    assert code == "InvalidParameterValue.IllegalSenderName"


def test_an_existing_address_is_a_repeat(ses, account):
    SenderAddressFactory(
        domain__account=account, domain__name="acme.com", local_part="noreply"
    )

    code = refused(ses, "CreateEmailAddress", EmailAddress="noreply@acme.com")

    assert code == "InvalidParameterValue.RepeatEmailAddress"


def test_the_sender_limit_is_enforced(ses, account, settings):
    settings.SES_MAX_ADDRESSES_PER_DOMAIN = 1
    SenderAddressFactory(domain__account=account, domain__name="acme.com")

    code = refused(ses, "CreateEmailAddress", EmailAddress="second@acme.com")

    assert code == "OperationDenied.ExceedSenderLimit"


# --- ListEmailAddress ---------------------------------------------------------


def test_list_addresses_shows_only_this_accounts(ses, account, other_account):
    before = int(time.time())
    plain = SenderAddressFactory(
        domain__account=account, domain__name="acme.com", local_part="a"
    )
    with_password = SenderAddressFactory(domain=plain.domain, local_part="b")
    services.set_smtp_password(address=with_password, password="Secret12345")
    SenderAddressFactory(domain__account=other_account)

    senders = call(ses, "ListEmailAddress").EmailSenders

    assert [(s.EmailAddress, s.SmtpPwdType) for s in senders] == [
        ("a@acme.com", 0),
        ("b@acme.com", 1),
    ]
    assert senders[0].EmailSenderName == "Acme Support"
    assert before <= senders[0].CreatedTimestamp <= time.time()


def test_list_addresses_is_one_query(account, api_key, django_assert_num_queries):
    for _ in range(3):
        SenderAddressFactory(domain__account=account)
    context = ApiContext(account=account, api_key=api_key[0], request_id="r")

    with django_assert_num_queries(1):
        assert len(list_email_address(context, {})["EmailSenders"]) == 3


# --- DeleteEmailAddress -------------------------------------------------------


def test_delete_address(ses, account):
    address = SenderAddressFactory(
        domain__account=account, domain__name="acme.com", local_part="noreply"
    )

    call(ses, "DeleteEmailAddress", EmailAddress="noreply@acme.com")

    assert not SenderAddress.objects.filter(pk=address.pk).exists()


@pytest.mark.parametrize("email", ["gone@acme.com", "theirs@theirs.com", "nonsense"])
def test_deleting_a_missing_or_foreign_address_is_no_such_sender(
    ses, account, other_account, email
):
    SenderDomainFactory(account=account, name="acme.com", verified=True)
    theirs = SenderAddressFactory(
        domain__account=other_account, domain__name="theirs.com", local_part="theirs"
    )

    assert (
        refused(ses, "DeleteEmailAddress", EmailAddress=email)
        == "InvalidParameterValue.NoSuchSender"
    )
    assert SenderAddress.objects.filter(pk=theirs.pk).exists()


# --- UpdateEmailSmtpPassWord --------------------------------------------------


def test_update_smtp_password(ses, account):
    address = SenderAddressFactory(
        domain__account=account, domain__name="acme.com", local_part="noreply"
    )

    call(
        ses,
        "UpdateEmailSmtpPassWord",
        EmailAddress="noreply@acme.com",
        Password="NewSecret123",
    )

    address.refresh_from_db()
    assert services.smtp_password_matches(address, "NewSecret123")


@pytest.mark.parametrize("password", ["weak", "", "alllowercase123"])
def test_a_weak_smtp_password_is_refused(ses, account, password):
    address = SenderAddressFactory(
        domain__account=account, domain__name="acme.com", local_part="noreply"
    )

    code = refused(
        ses,
        "UpdateEmailSmtpPassWord",
        EmailAddress="noreply@acme.com",
        Password=password,
    )

    assert code == WeakSmtpPassword.code
    address.refresh_from_db()
    assert not address.has_smtp_password


def test_smtp_password_of_a_foreign_address_is_no_such_sender(ses, other_account):
    theirs = SenderAddressFactory(
        domain__account=other_account, domain__name="theirs.com", local_part="x"
    )

    code = refused(
        ses, "UpdateEmailSmtpPassWord", EmailAddress="x@theirs.com", Password="Aa1" * 4
    )

    assert code == "InvalidParameterValue.NoSuchSender"
    theirs.refresh_from_db()
    assert not theirs.has_smtp_password
