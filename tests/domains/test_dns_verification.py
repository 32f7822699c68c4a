"""Verification against a real DNS server on loopback (tests/dns_server.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from domains import services
from domains.dns_records import expected_records
from domains.models import CheckStatus, DomainStatus, RecordKind
from tests.dns_server import SERVFAIL, TIMEOUT
from tests.domains.helpers import publish


@pytest.fixture
def domain(account, dns):
    return services.create_domain(account=account, name="acme-mail.com")


def checks_of(domain) -> dict[str, object]:
    return {check.kind: check for check in domain.record_checks.all()}


def test_all_records_missing_fails_each_record(domain):
    domain = services.check_domain(domain_id=domain.pk)

    checks = checks_of(domain)
    assert {kind: c.status for kind, c in checks.items()} == {
        "mx": "fail",
        "spf": "fail",
        "dkim": "fail",
        "dmarc": "fail",
    }
    assert checks["mx"].message == "No MX record."
    assert domain.status == DomainStatus.PENDING
    assert domain.next_check_at == domain.last_checked_at + timedelta(minutes=5)


def test_all_records_correct_verifies_at_level_one(domain, dns):
    publish(dns, domain)

    domain = services.check_domain(domain_id=domain.pk)

    assert domain.status == DomainStatus.VERIFIED
    assert domain.reputation_level == 1
    assert domain.daily_limit == 500
    assert domain.verified_at is not None
    assert all(c.status == "pass" for c in checks_of(domain).values())
    assert domain.can_send()


def test_a_truncated_udp_answer_is_retried_over_tcp(domain, dns):
    publish(dns, domain)
    dns.max_udp_payload = 300  # a 2048-bit DKIM record (~450 bytes) cannot fit

    services.check_domain(domain_id=domain.pk)

    dkim_queries = {t for name, _, t in dns.queries if name == domain.dkim_host}
    assert dkim_queries == {"udp", "tcp"}  # truncated over UDP, retried over TCP


@pytest.mark.parametrize(
    ("kind", "wrong_value", "message"),
    [
        ("mx", "10 mx.elsewhere.example.net", "No MX record points to"),
        ("spf", "v=spf1 include:spf.elsewhere.example.net -all", "lacks include:"),
        ("dkim", "v=DKIM1; k=rsa; p=MIIBIjANBgkqWRONG", "does not hold this domain"),
        ("dmarc", "v=DMARC1; rua=mailto:d@acme-mail.com", "needs a policy tag"),
    ],
)
def test_each_wrong_record_fails_and_shows_the_value_seen(
    domain, dns, kind, wrong_value, message
):
    publish(dns, domain)
    record = next(r for r in expected_records(domain) if r.kind == kind)
    dns.set(record.host, record.type, [wrong_value])

    domain = services.check_domain(domain_id=domain.pk)

    check = checks_of(domain)[kind]
    assert check.status == CheckStatus.FAIL
    assert check.seen == [wrong_value]
    assert message in check.message
    others = [c.status for k, c in checks_of(domain).items() if k != kind]
    assert others == ["pass"] * 3
    assert domain.status == DomainStatus.PENDING


def test_existing_spf_is_merged_not_duplicated(domain, dns, settings):
    publish(dns, domain)
    dns.set(domain.name, "TXT", ["v=spf1 include:_spf.google.com ~all"])

    check = checks_of(services.check_domain(domain_id=domain.pk))["spf"]
    assert "Do not add a second record" in check.message
    assert (
        f"v=spf1 include:_spf.google.com include:{settings.SES_SPF_INCLUDE} ~all"
        in check.message
    )

    merged = f"v=spf1 include:_spf.google.com include:{settings.SES_SPF_INCLUDE} ~all"
    dns.set(domain.name, "TXT", [merged, "google-site-verification=abc"])
    domain = services.check_domain(domain_id=domain.pk)
    assert checks_of(domain)["spf"].status == CheckStatus.PASS
    assert domain.status == DomainStatus.VERIFIED


def test_two_spf_records_are_an_error(domain, dns, settings):
    publish(dns, domain)
    ours = f"v=spf1 include:{settings.SES_SPF_INCLUDE} ~all"
    dns.set(domain.name, "TXT", [ours, "v=spf1 mx -all"])

    check = checks_of(services.check_domain(domain_id=domain.pk))["spf"]

    assert check.status == CheckStatus.FAIL
    assert "2 SPF records" in check.message
    assert sorted(check.seen) == sorted([ours, "v=spf1 mx -all"])


def test_a_later_break_makes_a_verified_domain_broken_with_grace(domain, dns, settings):
    publish(dns, domain)
    services.check_domain(domain_id=domain.pk)
    dns.remove(domain.dkim_host, "TXT")

    domain = services.check_domain(domain_id=domain.pk)

    assert domain.status == DomainStatus.BROKEN
    assert domain.grace_ends_at == domain.broken_since + timedelta(
        hours=settings.SES_BROKEN_GRACE_HOURS
    )
    assert domain.can_send()
    assert not domain.can_send(domain.grace_ends_at + timedelta(seconds=1))

    publish(dns, domain)
    domain = services.check_domain(domain_id=domain.pk)
    assert domain.status == DomainStatus.VERIFIED
    assert domain.broken_since is None
    assert domain.reputation_level == 1


@pytest.mark.parametrize("behaviour", [TIMEOUT, SERVFAIL])
def test_dns_trouble_is_could_not_check_never_failure(domain, dns, behaviour):
    publish(dns, domain)
    services.check_domain(domain_id=domain.pk)
    dns.fail(domain.dkim_host, behaviour)

    domain = services.check_domain(domain_id=domain.pk)

    check = checks_of(domain)["dkim"]
    assert check.status == CheckStatus.UNKNOWN
    expected = "within 1 s" if behaviour == TIMEOUT else "SERVFAIL"
    assert expected in check.message
    assert domain.status == DomainStatus.VERIFIED


def test_pending_domain_gives_up_after_72_hours(domain):
    type(domain).objects.filter(pk=domain.pk).update(
        created_at=timezone.now() - timedelta(hours=73)
    )

    domain = services.check_domain(domain_id=domain.pk)

    assert domain.status == DomainStatus.FAILED
    assert domain.next_check_at is None


def test_verified_name_cannot_be_verified_by_a_second_account(
    domain, dns, other_account
):
    second = services.create_domain(account=other_account, name="acme-mail.com")
    publish(dns, domain)
    services.check_domain(domain_id=domain.pk)
    dns.set(second.dkim_host, "TXT", [f"v=DKIM1; k=rsa; p={second.dkim_public_key}"])

    second = services.check_domain(domain_id=second.pk)

    assert second.status == DomainStatus.PENDING


def test_records_are_checked_for_every_kind(domain):
    assert {r.kind for r in expected_records(domain)} == set(RecordKind.values)
