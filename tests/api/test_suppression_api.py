"""Blocklists and unsubscribe configuration through the official SDK.

Two identical calls in the same second carry the same signature, which the
endpoint refuses as a replay: consecutive calls here always differ.
"""

from datetime import timedelta

from django.utils import timezone

import sending.api_suppression  # noqa: F401  (registers the actions)
from sending import quota
from sending.models import Suppression
from sending.suppression import suppressed
from tests.api.conftest import call, refused
from tests.factories import SenderAddressFactory, SuppressionFactory


def today() -> str:
    return quota.sending_day().isoformat()


def in_days(days: int) -> str:
    return (quota.sending_day() + timedelta(days=days)).isoformat()


def black_list(client, **params) -> object:
    return call(
        client,
        "ListBlackEmailAddress",
        **(
            {"StartDate": today(), "EndDate": today(), "Limit": 100, "Offset": 0}
            | params
        ),
    )


# --- The automatic blocklist --------------------------------------------------


def test_the_automatic_blocklist_holds_bounces_and_complaints(ses, account):
    SuppressionFactory(
        account=account,
        address="gone@example.org",
        reason="hard_bounce",
        note="550 5.1.1 No such user",
    )
    SuppressionFactory(account=account, address="angry@example.org", reason="complaint")
    SuppressionFactory(account=account, address="manual@example.org")

    response = black_list(ses)

    assert response.TotalCount == 2
    rows = {row.EmailAddress: row for row in response.BlackList}
    assert set(rows) == {"gone@example.org", "angry@example.org"}
    assert rows["gone@example.org"].IspDesc == "550 5.1.1 No such user"
    assert rows["angry@example.org"].IspDesc == "Complaint"
    assert len(rows["gone@example.org"].BounceTime) == len("2024-01-01 00:00:00")


def test_the_automatic_blocklist_filters_by_date_and_address(ses, account):
    SuppressionFactory(account=account, address="old@example.org", reason="hard_bounce")
    SuppressionFactory(account=account, address="new@example.org", reason="hard_bounce")
    Suppression.objects.filter(address="old@example.org").update(
        created_at=timezone.now() - timedelta(days=10)
    )

    assert [r.EmailAddress for r in black_list(ses).BlackList] == ["new@example.org"]
    assert black_list(ses, StartDate=in_days(-11), Limit=50).TotalCount == 2
    only = black_list(ses, StartDate=in_days(-11), EmailAddress="OLD@example.org")
    assert [r.EmailAddress for r in only.BlackList] == ["old@example.org"]
    page = black_list(ses, StartDate=in_days(-11), Limit=1, Offset=1)
    assert [r.EmailAddress for r in page.BlackList] == ["old@example.org"]
    assert page.TotalCount == 2


def test_the_automatic_blocklist_refuses_bad_queries(ses):
    base = {"StartDate": today(), "EndDate": today(), "Limit": 10, "Offset": 0}

    assert (
        refused(ses, "ListBlackEmailAddress", **(base | {"StartDate": "yesterday"}))
        == "InvalidParameter.InvalidStartTimeFormat"
    )
    assert (
        refused(ses, "ListBlackEmailAddress", **(base | {"EndDate": "2024-13-01"}))
        == "InvalidParameter.InvalidEndTimeFormat"
    )
    assert (
        refused(ses, "ListBlackEmailAddress", **(base | {"EndDate": in_days(-1)}))
        == "InvalidParameterValue.WrongDate"
    )
    assert (
        refused(ses, "ListBlackEmailAddress", **(base | {"Limit": 101}))
        == "FailedOperation.InvalidLimit"
    )
    assert (
        refused(ses, "ListBlackEmailAddress", EndDate=today(), Limit=10, Offset=0)
        == "MissingParameter"
    )


def test_delete_black_list_removes_only_automatic_entries(ses, account):
    SuppressionFactory(
        account=account, address="gone@example.org", reason="hard_bounce"
    )
    SuppressionFactory(account=account, address="angry@example.org", reason="complaint")
    SuppressionFactory(account=account, address="manual@example.org")

    call(
        ses,
        "DeleteBlackList",
        EmailAddressList=["Gone@example.org", "manual@example.org", "x@example.org"],
    )

    assert set(Suppression.objects.values_list("address", flat=True)) == {
        "angry@example.org",
        "manual@example.org",
    }
    assert (
        refused(ses, "DeleteBlackList", EmailAddressList=[])
        == "InvalidParameterValue.EmailAddressIsNULL"
    )
    assert refused(ses, "DeleteBlackList") == "MissingParameter"


# --- The custom blocklist -----------------------------------------------------


def test_create_custom_blacklist_counts_what_it_added(ses, account):
    SuppressionFactory(
        account=account, address="gone@example.org", reason="hard_bounce"
    )
    sender = SenderAddressFactory(domain__account=account)

    response = call(
        ses,
        "CreateCustomBlacklist",
        Emails=[
            "ana@example.org",
            "ANA@example.org",
            "not-an-address",
            "x" * 250 + "@example.org",
            "gone@example.org",
            "bob@example.org",
        ],
        ExpireDate=in_days(30),
    )

    assert response.TotalCount == 6
    assert response.ValidCount == 2
    assert response.RepeatCount == 2
    assert response.InvalidCount == 1
    assert response.TooLongCount == 1
    ana = Suppression.objects.get(address="ana@example.org")
    assert ana.reason == "manual"
    assert ana.account == account
    assert ana.expires_at > timezone.now() + timedelta(days=29)
    # The bounce keeps its reason; sending sees both blocked, as the console does.
    assert Suppression.objects.get(address="gone@example.org").reason == "hard_bounce"
    assert set(
        suppressed(
            account=account,
            sender=sender,
            addresses=["ana@example.org", "gone@example.org", "carl@example.org"],
        )
    ) == {"ana@example.org", "gone@example.org"}


def test_create_custom_blacklist_without_expiry_is_permanent(ses, account):
    call(ses, "CreateCustomBlacklist", Emails=["ana@example.org"])

    assert Suppression.objects.get(address="ana@example.org").expires_at is None


def test_create_custom_blacklist_refuses_bad_input(ses):
    assert (
        refused(ses, "CreateCustomBlacklist", Emails=["a@example.org"], ExpireDate="x")
        == "InvalidParameterValue.WrongDate"
    )
    assert (
        refused(
            ses,
            "CreateCustomBlacklist",
            Emails=["a@example.org"],
            ExpireDate=in_days(-1),
        )
        == "InvalidParameterValue.WrongDate"
    )
    assert (
        refused(ses, "CreateCustomBlacklist", Emails=[])
        == "InvalidParameterValue.EmailAddressIsNULL"
    )
    assert (
        refused(ses, "CreateCustomBlacklist", Emails="a@example.org")
        == "InvalidParameter"
    )
    assert Suppression.objects.count() == 0


def test_list_custom_blacklist_filters_by_status(ses, account):
    now = timezone.now()
    SuppressionFactory(account=account, address="forever@example.org")
    SuppressionFactory(
        account=account,
        address="later@example.org",
        expires_at=now + timedelta(days=3),
    )
    SuppressionFactory(
        account=account, address="past@example.org", expires_at=now - timedelta(days=1)
    )
    SuppressionFactory(account=account, address="gone@example.org", reason="complaint")

    def emails(status: int, **params) -> set[str]:
        response = call(
            ses, "ListCustomBlacklist", Offset=0, Limit=100, Status=status, **params
        )
        return {row.Email for row in response.Data}

    assert emails(2) == {"forever@example.org", "later@example.org", "past@example.org"}
    assert emails(1) == {"forever@example.org", "later@example.org"}
    assert emails(0) == {"past@example.org"}
    assert emails(2, Email="Later@example.org") == {"later@example.org"}

    response = call(ses, "ListCustomBlacklist", Offset=0, Limit=99, Status=2)
    rows = {row.Email: row for row in response.Data}
    assert response.TotalCount == 3
    assert rows["forever@example.org"].ExpireDate == ""
    assert rows["forever@example.org"].Status == 1
    assert rows["past@example.org"].Status == 0
    later = Suppression.objects.get(address="later@example.org")
    assert rows["later@example.org"].Id == later.pk
    assert rows["later@example.org"].ExpireDate == in_days(3)
    assert len(rows["later@example.org"].CreateTime) == len("2024-01-01 00:00:00")


def test_list_custom_blacklist_refuses_bad_queries(ses):
    assert (
        refused(ses, "ListCustomBlacklist", Offset=0, Limit=10, Status=3)
        == "InvalidParameterValue"
    )
    assert (
        refused(ses, "ListCustomBlacklist", Offset=0, Limit=0, Status=2)
        == "FailedOperation.InvalidLimit"
    )
    assert refused(ses, "ListCustomBlacklist", Offset=0, Limit=10) == (
        "MissingParameter"
    )


def test_update_custom_blacklist_changes_address_and_expiry(ses, account):
    entry = SuppressionFactory(
        account=account,
        address="ana@example.org",
        expires_at=timezone.now() + timedelta(days=1),
    )

    call(
        ses,
        "UpdateCustomBlackList",
        Id=entry.pk,
        Email="Ana.New@example.org",
        ExpireDate=in_days(10),
    )
    entry.refresh_from_db()
    assert entry.address == "ana.new@example.org"
    assert entry.expires_at > timezone.now() + timedelta(days=9)

    call(ses, "UpdateCustomBlackList", Id=entry.pk, Email="ana.new@example.org")
    entry.refresh_from_db()
    assert entry.expires_at is None


def test_update_custom_blacklist_refuses_missing_and_clashing_entries(ses, account):
    entry = SuppressionFactory(account=account, address="ana@example.org")
    bounce = SuppressionFactory(
        account=account, address="gone@example.org", reason="hard_bounce"
    )

    assert (
        refused(ses, "UpdateCustomBlackList", Id=entry.pk + 1000, Email="a@example.org")
        == "ResourceNotFound"
    )
    assert (
        refused(ses, "UpdateCustomBlackList", Id=bounce.pk, Email="b@example.org")
        == "ResourceNotFound"
    )
    assert (
        refused(ses, "UpdateCustomBlackList", Id=entry.pk, Email="gone@example.org")
        == "InvalidParameterValue"
    )
    assert (
        refused(ses, "UpdateCustomBlackList", Id=entry.pk, Email="nope")
        == "InvalidParameterValue.IllegalEmailAddress"
    )
    entry.refresh_from_db()
    assert entry.address == "ana@example.org"


def test_delete_custom_blacklist_removes_only_custom_entries(ses, account):
    SuppressionFactory(account=account, address="ana@example.org")
    SuppressionFactory(account=account, address="bob@example.org")
    SuppressionFactory(
        account=account, address="gone@example.org", reason="hard_bounce"
    )

    call(ses, "DeleteCustomBlackList", Emails=["ANA@example.org", "gone@example.org"])

    assert set(Suppression.objects.values_list("address", flat=True)) == {
        "bob@example.org",
        "gone@example.org",
    }
    assert (
        refused(ses, "DeleteCustomBlackList", Emails=[" "])
        == "InvalidParameterValue.EmailAddressIsNULL"
    )


# --- Address-level unsubscribe configuration ----------------------------------


def test_unsubscribe_config_round_trip(ses, account):
    sender = SenderAddressFactory(domain__account=account)
    SenderAddressFactory(domain__account=account)  # never configured: not listed

    call(
        ses,
        "CreateAddressUnsubscribeConfig",
        Address=sender.email,
        UnsubscribeConfig="2",
        Status=1,
    )
    sender.refresh_from_db()
    assert sender.unsubscribe_language == "en"

    listed = call(ses, "ListAddressUnsubscribeConfig", Offset=0, Limit="100")
    assert listed.Total == 1
    [row] = listed.AddressUnsubscribeConfigList
    assert (row.Address, row.UnsubscribeConfig, row.Status) == (sender.email, "2", 1)

    call(
        ses,
        "UpdateAddressUnsubscribeConfig",
        Address=sender.email.upper(),
        UnsubscribeConfig="1",
        Status=1,
    )
    sender.refresh_from_db()
    assert sender.unsubscribe_language == "zh-hans"

    call(
        ses,
        "UpdateAddressUnsubscribeConfig",
        Address=sender.email,
        UnsubscribeConfig="1",
        Status=0,
    )
    sender.refresh_from_db()
    assert sender.unsubscribe_language == ""
    assert call(ses, "ListAddressUnsubscribeConfig", Offset=0, Limit="99").Total == 0


def test_delete_unsubscribe_config_turns_the_link_off(ses, account):
    sender = SenderAddressFactory(domain__account=account, unsubscribe_language="ja")

    listed = call(ses, "ListAddressUnsubscribeConfig", Offset=0, Limit="10")
    assert listed.AddressUnsubscribeConfigList[0].UnsubscribeConfig == "7"

    call(ses, "DeleteAddressUnsubscribeConfig", Address=sender.email)

    sender.refresh_from_db()
    assert sender.unsubscribe_language == ""


def test_unsubscribe_config_refuses_unknown_codes_and_addresses(ses, account):
    sender = SenderAddressFactory(domain__account=account)

    def create(**params) -> str:
        return refused(
            ses,
            "CreateAddressUnsubscribeConfig",
            **(
                {"Address": sender.email, "UnsubscribeConfig": "2", "Status": 1}
                | params
            ),
        )

    assert create(UnsubscribeConfig="99") == "InvalidParameterValue"
    assert create(UnsubscribeConfig="9") == "InvalidParameterValue"
    assert create(Status=2) == "InvalidParameterValue"
    assert create(Address="nobody@example.com") == "InvalidParameterValue.NoSuchSender"
    assert (
        refused(ses, "DeleteAddressUnsubscribeConfig", Address="nobody@example.com")
        == "InvalidParameterValue.NoSuchSender"
    )
    assert (
        refused(ses, "ListAddressUnsubscribeConfig", Offset=0, Limit="lots")
        == "InvalidParameterValue"
    )
    assert (
        refused(ses, "ListAddressUnsubscribeConfig", Offset=0, Limit="101")
        == "FailedOperation.InvalidLimit"
    )
    sender.refresh_from_db()
    assert sender.unsubscribe_language == ""


# --- Another account ------------------------------------------------------------


def test_another_account_never_sees_or_changes_these_entries(outsider_ses, account):
    bounce = SuppressionFactory(
        account=account, address="gone@example.org", reason="hard_bounce"
    )
    custom = SuppressionFactory(account=account, address="ana@example.org")
    sender = SenderAddressFactory(domain__account=account, unsubscribe_language="en")

    assert black_list(outsider_ses).TotalCount == 0
    listed = call(outsider_ses, "ListCustomBlacklist", Offset=0, Limit=10, Status=2)
    assert listed.TotalCount == 0
    listed = call(outsider_ses, "ListAddressUnsubscribeConfig", Offset=0, Limit="10")
    assert listed.Total == 0

    call(outsider_ses, "DeleteBlackList", EmailAddressList=[bounce.address])
    call(outsider_ses, "DeleteCustomBlackList", Emails=[custom.address])
    assert (
        refused(
            outsider_ses, "UpdateCustomBlackList", Id=custom.pk, Email="x@example.org"
        )
        == "ResourceNotFound"
    )
    # The SDK does not sign X-TC-Action: the bodies differ so that the
    # second call is not taken for a replay of the first.
    for action, code in (
        ("CreateAddressUnsubscribeConfig", "0"),
        ("UpdateAddressUnsubscribeConfig", "1"),
    ):
        assert (
            refused(
                outsider_ses,
                action,
                Address=sender.email,
                UnsubscribeConfig=code,
                Status=0,
            )
            == "InvalidParameterValue.NoSuchSender"
        )
    assert (
        refused(outsider_ses, "DeleteAddressUnsubscribeConfig", Address=sender.email)
        == "InvalidParameterValue.NoSuchSender"
    )

    assert Suppression.objects.filter(pk__in=[bounce.pk, custom.pk]).count() == 2
    custom.refresh_from_db()
    assert custom.address == "ana@example.org"
    sender.refresh_from_db()
    assert sender.unsubscribe_language == "en"
