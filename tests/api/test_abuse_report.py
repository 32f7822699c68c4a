"""GetAbuseReport through the official SDK: complaints, filtered and scoped."""

import pytest
from django.utils import timezone

from sending import events
from sending.quota import sending_day
from tests.api.conftest import call, refused
from tests.factories import MessageFactory
from tests.sending.helpers import approved_template

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def complaints(account, other_account):
    template = approved_template(account)
    ours = [
        MessageFactory(
            account=account,
            domain__account=account,
            domain__name=name,
            recipient=recipient,
            status="delivered",
            sent_at=timezone.now(),
            template_version=template.approved_version,
            subject="Weekly news",
        )
        for name, recipient in [
            ("news-mail.com", "ana@gmail.com"),
            ("shop-mail.com", "bo@qq.com"),
        ]
    ]
    theirs = MessageFactory(
        account=other_account, domain__account=other_account, status="delivered"
    )
    for message in [*ours, theirs]:
        events.record_complaint(message, detail="ARF: abuse")
    return ours, template


def test_complaints_are_listed_with_tencents_fields(ses, complaints):
    (first, _second), template = complaints
    today = sending_day().isoformat()
    answer = call(ses, "GetAbuseReport", StartTime=today, EndTime=today)
    assert answer.TotalCount == 2
    report = answer.Data[0]
    assert report.OriginalRcptTo == "ana@gmail.com"
    assert report.FromDomain == "news-mail.com"
    assert report.Mta == "gmail.com"
    assert report.BulkId == first.request_id
    assert report.TemplateId == str(template.pk)
    assert report.Subject == "Weekly news"

    only = call(
        ses,
        "GetAbuseReport",
        StartTime=today,
        EndTime=today,
        FromDomain="shop-mail.com",
    )
    assert [r.OriginalRcptTo for r in only.Data] == ["bo@qq.com"]
    by_mta = call(ses, "GetAbuseReport", StartTime=today, EndTime=today, Mta="qq.com")
    assert by_mta.TotalCount == 1


def test_another_accounts_key_sees_only_its_own(outsider_ses, complaints):
    today = sending_day().isoformat()
    answer = call(outsider_ses, "GetAbuseReport", StartTime=today, EndTime=today)
    assert answer.TotalCount == 1
    assert "news-mail.com" not in {r.FromDomain for r in answer.Data}


def test_bad_times_and_limits_are_refused(ses, complaints):
    assert (
        refused(ses, "GetAbuseReport", StartTime="yesterday", EndTime="2026-01-01")
        == "InvalidParameterValue"
    )
    assert (
        refused(ses, "GetAbuseReport", StartTime="2026-02-01", EndTime="2026-01-01")
        == "InvalidParameterValue"
    )
    assert (
        refused(
            ses,
            "GetAbuseReport",
            StartTime="2026-01-01",
            EndTime="2026-02-01",
            Limit=5000,
        )
        == "FailedOperation.InvalidLimit"
    )
