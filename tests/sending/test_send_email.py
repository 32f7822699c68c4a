import pytest

from domains.models import SenderDomain
from sending import quota
from sending.errors import (
    DomainNotVerified,
    ExceedSendLimit,
    IllegalEmailAddress,
    InvalidSubject,
    NoRecipients,
    NoSuchSender,
    TemplateStatusError,
    TemporaryBlocked,
    TooManyRecipients,
)
from sending.models import Message, MessageStatus, SuppressionReason
from sending.services import send_email
from sending.suppression import suppress
from templates_app.errors import MissingVariables
from tests.factories import EmailTemplateFactory
from tests.sending.helpers import approved_template, verified_sender


@pytest.fixture
def sender(account):
    return verified_sender(account)


@pytest.fixture
def template(account):
    return approved_template(account)


def send(account, sender, template, **overrides):
    request = {
        "account": account,
        "from_email": sender.email,
        "recipients": ["ana@example.org"],
        "template_id": template.pk,
        "template_data": {"name": "Ana"},
        "subject": "Hello {{name}}",
    } | overrides
    return send_email(**request)


def test_a_valid_request_queues_one_message_per_recipient(account, sender, template):
    result = send(
        account,
        sender,
        template,
        recipients=["a@example.org", "B@example.org", "a@EXAMPLE.org"],
    )

    assert [m.recipient for m in result.messages] == ["a@example.org", "B@example.org"]
    assert {m.status for m in result.messages} == {MessageStatus.QUEUED}
    assert {m.subject for m in result.messages} == {"Hello Ana"}
    assert len({m.message_id for m in result.messages}) == 2
    assert quota.used(sender.domain) == 2


@pytest.mark.parametrize(
    ("overrides", "error", "code"),
    [
        ({"recipients": []}, NoRecipients, "InvalidParameterValue.EmailAddressIsNULL"),
        (
            {"recipients": [f"r{n}@example.org" for n in range(51)]},
            TooManyRecipients,
            "FailedOperation.TooManyRecipients",
        ),
        (
            {"recipients": ["ok@example.org", "not-an-address"]},
            IllegalEmailAddress,
            "InvalidParameterValue.IllegalEmailAddress",
        ),
        (
            {"from_email": "nobody@acme-mail.com"},
            NoSuchSender,
            "InvalidParameterValue.NoSuchSender",
        ),
        (
            {"template_data": {}},
            MissingVariables,
            "InvalidParameterValue.TemplateNotMatchData",
        ),
        (
            {"subject": "Hi\r\nBcc: evil@example.org"},
            InvalidSubject,
            "InvalidParameterValue.EmailContentIsWrong",
        ),
    ],
)
def test_bad_requests_are_refused_whole(
    account, sender, template, overrides, error, code
):
    with pytest.raises(error) as refused:
        send(account, sender, template, **overrides)

    assert refused.value.code == code
    assert not Message.objects.exists()
    assert quota.used(sender.domain) == 0


def test_an_unapproved_template_is_refused(account, sender):
    draft = EmailTemplateFactory(account=account, status="pending")

    with pytest.raises(TemplateStatusError) as refused:
        send(account, sender, draft)

    assert refused.value.code == "OperationDenied.TemplateStatusError"


def test_an_unverified_domain_is_refused(account, sender, template):
    SenderDomain.objects.filter(pk=sender.domain.pk).update(status="pending")

    with pytest.raises(DomainNotVerified):
        send(account, sender, template)


def test_a_blocked_domain_is_refused(account, sender, template):
    from datetime import timedelta

    from django.utils import timezone

    SenderDomain.objects.filter(pk=sender.domain.pk).update(
        blocked_until=timezone.now() + timedelta(hours=3)
    )

    with pytest.raises(TemporaryBlocked) as refused:
        send(account, sender, template)

    assert refused.value.code == "FailedOperation.TemporaryBlocked"


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"status": "pending"}, DomainNotVerified),
        ({"blocked_for": 3}, TemporaryBlocked),
    ],
    ids=["unverified", "blocked"],
)
@pytest.mark.parametrize("recipient_suppressed", [False, True])
def test_a_domain_changed_by_update_is_refused_at_once_despite_the_cached_sender(
    account, sender, template, change, refusal, recipient_suppressed
):
    from datetime import timedelta

    from django.utils import timezone

    send(account, sender, template)  # this process now keeps the sender
    if recipient_suppressed:
        suppress(account=account, address="ana@example.org", reason="manual")
    if "blocked_for" in change:
        change = {"blocked_until": timezone.now() + timedelta(hours=3)}
    # A plain UPDATE, as reputation and DNS checks change domains: it tells
    # no cached copy.
    SenderDomain.objects.filter(pk=sender.domain.pk).update(**change)

    with pytest.raises(refusal):
        send(account, sender, template)

    assert Message.objects.count() == 1
    assert quota.used(sender.domain) == 1


def test_a_request_that_does_not_fit_the_daily_limit_fails_whole(
    account, sender, template
):
    quota.reserve(sender.domain, 499)

    with pytest.raises(ExceedSendLimit) as refused:
        send(account, sender, template, recipients=["a@example.org", "b@example.org"])

    assert refused.value.code == "FailedOperation.ExceedSendLimit"
    assert "can send 1 more today" in refused.value.message
    assert not Message.objects.exists()
    assert quota.used(sender.domain) == 499
    send(account, sender, template, recipients=["a@example.org"])
    assert quota.used(sender.domain) == 500


def test_suppressed_recipients_are_dropped_with_reason_and_not_counted(
    account, sender, template
):
    suppress(
        account=account,
        address="gone@example.org",
        reason=SuppressionReason.HARD_BOUNCE,
    )
    suppress(
        account=account,
        address="left@example.org",
        reason=SuppressionReason.UNSUBSCRIBE,
        sender=sender,
    )

    result = send(
        account,
        sender,
        template,
        recipients=["GONE@example.org", "left@example.org", "ok@example.org"],
    )

    statuses = {m.recipient: (m.status, m.status_reason) for m in result.messages}
    assert statuses["GONE@example.org"] == ("dropped", "Suppressed: Hard bounce")
    assert statuses["left@example.org"] == ("dropped", "Suppressed: Unsubscribed")
    assert statuses["ok@example.org"][0] == "queued"
    assert quota.used(sender.domain) == 1


def test_a_request_fits_when_its_unsuppressed_recipients_fit(account, sender, template):
    # The reservation first asks for every recipient; at the limit it must
    # fall back to the ones that will be sent.
    suppress(account=account, address="gone@example.org", reason="hard_bounce")
    quota.reserve(sender.domain, 499)

    result = send(
        account, sender, template, recipients=["gone@example.org", "ok@example.org"]
    )

    assert [m.status for m in result.messages] == ["dropped", "queued"]
    assert quota.used(sender.domain) == 500

    full = send(account, sender, template, recipients=["gone@example.org"])

    assert [m.status for m in full.messages] == ["dropped"]
    assert quota.used(sender.domain) == 500


def test_an_expired_suppression_no_longer_drops(account, sender, template):
    from datetime import timedelta

    from django.utils import timezone

    suppress(
        account=account,
        address="was@example.org",
        reason=SuppressionReason.MANUAL,
        expires_at=timezone.now() - timedelta(minutes=1),
    )

    result = send(account, sender, template, recipients=["was@example.org"])

    assert result.messages[0].status == MessageStatus.QUEUED


def test_another_accounts_sender_and_template_do_not_exist(account, other_account):
    theirs = verified_sender(other_account, domain="theirs.example.com")
    their_template = approved_template(other_account)
    mine = verified_sender(account)

    with pytest.raises(NoSuchSender):
        send(account, theirs, approved_template(account))
    from sending.errors import TemplateNotExist

    with pytest.raises(TemplateNotExist):
        send(account, mine, their_template)
