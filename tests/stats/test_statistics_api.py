"""GetStatisticsReport, driven through the official SDK."""

from datetime import date

import pytest

from tests.api.conftest import call, refused
from tests.factories import SenderDomainFactory
from tests.stats.helpers import counter, typical

START, MIDDLE, END = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)


@pytest.fixture
def domain(account):
    return SenderDomainFactory(account=account, name="news.acme.com", verified=True)


def as_dict(volume) -> dict:
    return {
        "SendDate": volume.SendDate,
        "RequestCount": volume.RequestCount,
        "AcceptedCount": volume.AcceptedCount,
        "DeliveredCount": volume.DeliveredCount,
        "OpenedCount": volume.OpenedCount,
        "ClickedCount": volume.ClickedCount,
        "BounceCount": volume.BounceCount,
        "UnsubscribeCount": volume.UnsubscribeCount,
    }


def test_the_report_lists_every_day_and_the_overall_volume(ses, domain):
    counter(domain, START, "gmail.com", **typical(1000))
    counter(domain, END, "qq.com", **typical(200))

    response = call(
        ses, "GetStatisticsReport", StartDate="2026-03-01", EndDate="2026-03-03"
    )

    assert [as_dict(v) for v in response.DailyVolumes] == [
        {
            "SendDate": "2026-03-01",
            "RequestCount": 1020,
            "AcceptedCount": 1000,
            "DeliveredCount": 950,
            # Every open (打开邮件总次数), but recipients who clicked.
            "OpenedCount": 600,
            "ClickedCount": 80,
            "BounceCount": 50,
            "UnsubscribeCount": 5,
        },
        {
            "SendDate": "2026-03-02",
            "RequestCount": 0,
            "AcceptedCount": 0,
            "DeliveredCount": 0,
            "OpenedCount": 0,
            "ClickedCount": 0,
            "BounceCount": 0,
            "UnsubscribeCount": 0,
        },
        {
            "SendDate": "2026-03-03",
            "RequestCount": 204,
            "AcceptedCount": 200,
            "DeliveredCount": 190,
            "OpenedCount": 120,
            "ClickedCount": 16,
            "BounceCount": 10,
            "UnsubscribeCount": 1,
        },
    ]
    assert as_dict(response.OverallVolume) == {
        "SendDate": "",
        "RequestCount": 1224,
        "AcceptedCount": 1200,
        "DeliveredCount": 1140,
        "OpenedCount": 720,
        "ClickedCount": 96,
        "BounceCount": 60,
        "UnsubscribeCount": 6,
    }
    assert response.RequestId


def test_domain_and_mailbox_type_narrow_the_report(ses, account, domain):
    other = SenderDomainFactory(account=account, name="billing.acme.com", verified=True)
    counter(domain, MIDDLE, "gmail.com", requests=10)
    counter(domain, MIDDLE, "qq.com", requests=20)
    counter(other, MIDDLE, "gmail.com", requests=40)

    def requests(**filters: str) -> int:
        response = call(
            ses,
            "GetStatisticsReport",
            StartDate="2026-03-02",
            EndDate="2026-03-02",
            **filters,
        )
        return response.OverallVolume.RequestCount

    assert requests() == 70
    assert requests(Domain="news.acme.com") == 30
    assert requests(ReceivingMailboxType="gmail.com") == 50
    assert requests(ReceivingMailboxType="googlemail.com") == 50
    assert requests(Domain="News.Acme.com", ReceivingMailboxType="qq.com") == 20
    assert requests(ReceivingMailboxType="yahoo.com") == 0


@pytest.mark.parametrize(
    ("params", "code"),
    [
        (
            {"StartDate": "2026/03/01", "EndDate": "2026-03-02"},
            "InvalidParameter.InvalidStartTimeFormat",
        ),
        (
            {"StartDate": "2026-03-01", "EndDate": "tomorrow"},
            "InvalidParameter.InvalidEndTimeFormat",
        ),
        (
            {"StartDate": "2026-03-02", "EndDate": "2026-03-01"},
            "InvalidParameterValue.WrongDate",
        ),
        (
            {"StartDate": "2025-01-01", "EndDate": "2026-03-01"},
            "InvalidParameterValue.WrongDate",
        ),
        (
            {"StartDate": "2026-03-01", "EndDate": "2026-03-02", "Domain": "nope.com"},
            "InvalidParameterValue.NotExistDomain",
        ),
        ({"StartDate": "2026-03-01"}, "MissingParameter"),
    ],
)
def test_bad_requests_get_tencents_codes(ses, params, code):
    assert refused(ses, "GetStatisticsReport", **params) == code


def test_a_full_year_is_allowed(ses, domain):
    counter(domain, date(2025, 3, 2), requests=3)

    response = call(
        ses, "GetStatisticsReport", StartDate="2025-03-02", EndDate="2026-03-02"
    )

    assert len(response.DailyVolumes) == 366
    assert response.OverallVolume.RequestCount == 3


def test_another_account_never_sees_this_accounts_figures(outsider_ses, domain):
    counter(domain, MIDDLE, requests=1234)

    everything = call(
        outsider_ses,
        "GetStatisticsReport",
        StartDate="2026-03-01",
        EndDate="2026-03-03",
    )
    code = refused(
        outsider_ses,
        "GetStatisticsReport",
        StartDate="2026-03-01",
        EndDate="2026-03-03",
        Domain="news.acme.com",
    )

    assert everything.OverallVolume.RequestCount == 0
    assert all(v.RequestCount == 0 for v in everything.DailyVolumes)
    assert code == "InvalidParameterValue.NotExistDomain"
