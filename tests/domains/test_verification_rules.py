from datetime import UTC, datetime, timedelta

import pytest

from domains.dns_records import evaluate_dkim, evaluate_dmarc, evaluate_mx, evaluate_spf
from domains.models import CheckStatus, DomainStatus
from domains.verification import next_status, schedule

PASS, FAIL, UNKNOWN = CheckStatus.PASS, CheckStatus.FAIL, CheckStatus.UNKNOWN


def results(mx=PASS, spf=PASS, dkim=PASS, dmarc=PASS) -> dict[str, str]:
    return {"mx": mx, "spf": spf, "dkim": dkim, "dmarc": dmarc}


@pytest.mark.parametrize(
    ("status", "checks", "expected"),
    [
        ("pending", results(), "verified"),
        ("pending", results(mx=FAIL), "pending"),
        ("pending", results(dmarc=UNKNOWN), "pending"),
        ("failed", results(), "verified"),
        ("verified", results(spf=FAIL), "broken"),
        ("verified", results(dkim=FAIL), "broken"),
        ("verified", results(mx=FAIL, dmarc=FAIL), "verified"),
        ("verified", results(spf=UNKNOWN, dkim=UNKNOWN), "verified"),
        ("broken", results(mx=FAIL), "verified"),
        ("broken", results(dkim=UNKNOWN), "broken"),
        ("broken", results(spf=FAIL), "broken"),
    ],
)
def test_next_status(status, checks, expected):
    assert next_status(status, checks) == expected


NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age", "expected_status", "expected_wait"),
    [
        (timedelta(minutes=1), "pending", timedelta(minutes=5)),
        (timedelta(hours=1, minutes=59), "pending", timedelta(minutes=5)),
        (timedelta(hours=2), "pending", timedelta(hours=1)),
        (timedelta(hours=71), "pending", timedelta(hours=1)),
        (timedelta(hours=72), "failed", None),
    ],
)
def test_pending_domains_are_rechecked_fast_then_slow_then_given_up(
    age, expected_status, expected_wait
):
    status, next_check = schedule(DomainStatus.PENDING, NOW - age, NOW)

    assert status == expected_status
    assert (next_check - NOW if next_check else None) == expected_wait


def test_verified_daily_and_broken_hourly():
    assert schedule("verified", NOW, NOW)[1] == NOW + timedelta(days=1)
    assert schedule("broken", NOW, NOW)[1] == NOW + timedelta(hours=1)
    assert schedule("failed", NOW, NOW)[1] is None


def test_spf_rules(settings):
    settings.SES_SPF_INCLUDE = "spf.ses.test"
    assert evaluate_spf(["v=spf1 include:spf.ses.test ~all"]).status == PASS
    merged = evaluate_spf(["v=spf1 ip4:1.2.3.4 include:_spf.google.com ~all"])
    assert merged.status == FAIL
    assert "lacks include:spf.ses.test" in merged.message
    assert "ip4:1.2.3.4 include:_spf.google.com include:spf.ses.test ~all" in (
        merged.message
    )
    assert (
        evaluate_spf(
            [
                "v=spf1 ip4:1.2.3.4 include:spf.ses.test -all",
                "google-site-verification=x",
            ]
        ).status
        == PASS
    )
    two = evaluate_spf(["v=spf1 include:spf.ses.test ~all", "v=spf1 mx -all"])
    assert two.status == FAIL
    assert "2 SPF records" in two.message
    assert evaluate_spf(["some-other=txt"]).message == "No SPF record."


def test_dkim_dmarc_mx_rules(settings):
    settings.SES_MX_HOST = "mx.ses.test"
    assert evaluate_mx(["10 MX.SES.TEST."]).status == PASS
    assert evaluate_mx(["10 mx.other.test."]).status == FAIL
    assert evaluate_dkim(["v=DKIM1; k=rsa; p=ABC"], "ABC").status == PASS
    assert evaluate_dkim(["v=DKIM1; k=rsa; p=A BC"], "ABC").status == PASS
    assert evaluate_dkim(["v=DKIM1; k=rsa; p=XYZ"], "ABC").status == FAIL
    assert evaluate_dmarc(["v=DMARC1; p=reject"]).status == PASS
    assert "policy tag" in evaluate_dmarc(["v=DMARC1; rua=mailto:x@y"]).message
    assert evaluate_dmarc(["v=DMARC1; p=whatever"]).status == FAIL
    assert evaluate_dmarc([]).status == FAIL
