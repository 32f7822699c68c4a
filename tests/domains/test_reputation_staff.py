"""What staff may do: decide quota requests above level 20, unblock with a reason.
Nothing else changes a level or a limit, not even the admin's edit form."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from domains import reputation_updates
from domains.errors import QuotaRequestRefused
from domains.models import (
    QuotaRequest,
    ReputationAction,
    ReputationChange,
    SenderDomain,
)
from tests.factories import SenderDomainFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return User.objects.create_superuser("staff@example.com", "x" * 14)


@pytest.fixture
def domain(account):
    return SenderDomainFactory(
        account=account, verified=True, reputation_level=20, daily_limit=1_000_000
    )


def test_a_quota_request_needs_level_20_and_more_than_today(account, operator):
    low = SenderDomainFactory(account=account, verified=True)
    with pytest.raises(QuotaRequestRefused, match="level 1"):
        reputation_updates.request_quota(
            domain=low, wanted_limit=2_000_000, reason="Black Friday", by=operator
        )
    high = SenderDomainFactory(
        account=account, verified=True, reputation_level=20, daily_limit=1_000_000
    )
    with pytest.raises(QuotaRequestRefused, match="more than"):
        reputation_updates.request_quota(
            domain=high, wanted_limit=900_000, reason="x", by=operator
        )


def test_staff_approve_in_the_admin_and_the_limit_applies_at_once(
    client, staff, operator, domain
):
    request = reputation_updates.request_quota(
        domain=domain, wanted_limit=2_500_000, reason="Seasonal peak", by=operator
    )
    client.force_login(staff)
    response = client.post(
        reverse("admin:domains_quotarequest_changelist"),
        {"action": "approve", "_selected_action": [request.pk]},
    )
    assert response.status_code == 302
    domain.refresh_from_db()
    assert (domain.daily_limit, domain.approved_limit) == (2_500_000, 2_500_000)
    change = ReputationChange.objects.get(domain=domain)
    assert change.action == ReputationAction.QUOTA
    assert change.by == staff
    assert QuotaRequest.objects.get().status == "approved"


def test_refused_requests_change_nothing(staff, operator, domain):
    request = reputation_updates.request_quota(
        domain=domain, wanted_limit=2_500_000, reason="Seasonal peak", by=operator
    )
    reputation_updates.decide_quota_request(request, approve=False, by=staff)
    domain.refresh_from_db()
    assert domain.daily_limit == 1_000_000
    assert not ReputationChange.objects.exists()


def test_staff_unblock_with_a_recorded_reason(client, staff, domain):
    SenderDomain.objects.filter(pk=domain.pk).update(
        blocked_until=timezone.now() + timedelta(hours=5)
    )
    client.force_login(staff)
    url = reverse("admin:domains_senderdomain_changelist")
    form = client.post(
        url, {"action": "unblock_domains", "_selected_action": [domain.pk]}
    )
    assert form.status_code == 200
    assert b"reason" in form.content  # asks why first
    domain.refresh_from_db()
    assert domain.is_blocked()
    client.post(
        url,
        {
            "action": "unblock_domains",
            "_selected_action": [domain.pk],
            "reason": "False positive: a list import error, fixed",
        },
    )
    domain.refresh_from_db()
    assert not domain.is_blocked()
    change = ReputationChange.objects.get(domain=domain)
    assert change.action == ReputationAction.UNBLOCK
    assert "False positive" in change.reason


def test_the_admin_form_cannot_change_a_level_or_a_limit(client, staff, domain):
    client.force_login(staff)
    page = client.get(reverse("admin:domains_senderdomain_change", args=[domain.pk]))
    form_fields = page.context["adminform"].form.fields
    for name in ("reputation_level", "daily_limit", "approved_limit", "blocked_until"):
        assert name not in form_fields


def test_the_same_figures_do_not_block_again_after_a_staff_unblock(staff, domain):
    from sending.quota import sending_day

    bad_day = {"sent": 400, "delivered": 300, "bounced_invalid": 100}
    reputation_updates.count([(domain.pk, sending_day(), bad_day)])
    domain.refresh_from_db()
    assert domain.is_blocked()
    assert reputation_updates.unblock(domain, by=staff, reason="checked the list")
    reputation_updates.count([(domain.pk, sending_day(), {"sent": 1, "delivered": 1})])
    domain.refresh_from_db()
    assert not domain.is_blocked()


@pytest.mark.parametrize(
    ("now", "midnight"),
    [
        ("2024-10-26T22:30:00+00:00", "2024-10-28T00:00:00+01:00"),  # 25-hour day
        ("2024-03-30T22:30:00+00:00", "2024-03-31T00:00:00+01:00"),
        ("2024-03-31T12:00:00+00:00", "2024-04-01T00:00:00+02:00"),  # 23-hour day
    ],
)
def test_a_block_ends_at_the_next_local_midnight_on_clock_change_days(
    settings, now, midnight
):
    from datetime import datetime

    settings.SES_TIME_ZONE = "Europe/Berlin"
    end = reputation_updates.end_of_sending_day(datetime.fromisoformat(now))
    assert end == datetime.fromisoformat(midnight)
