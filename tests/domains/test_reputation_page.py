"""The domain page's reputation section and the quota request form."""

import pytest
from django.urls import reverse

from domains import reputation_updates
from domains.models import QuotaRequest, ReputationChange
from sending.quota import sending_day
from tests.factories import SenderDomainFactory

pytestmark = pytest.mark.django_db


def test_today_against_the_thresholds_and_the_history(owner_client, account):
    domain = SenderDomainFactory(account=account, verified=True)
    reputation_updates.count(
        [
            (
                domain.pk,
                sending_day(),
                {"sent": 400, "delivered": 360, "bounced_invalid": 40},
            )
        ]
    )
    ReputationChange.objects.create(
        domain=domain,
        day=sending_day(),
        action="raise",
        rule="raise-a",
        reason="sent 350 ≥ 70%",
        old_level=1,
        new_level=2,
        old_limit=500,
        new_limit=1000,
    )
    page = owner_client.get(reverse("domains:detail", args=[domain.pk]))
    html = page.content.decode()
    assert "10.00%" in html  # the invalid-address rate, over the 9% line
    assert "over" in html
    assert "level 1 → 2" in html
    assert "<svg" in html
    assert "More than 1,000,000 a day" not in html  # only at level 20


def test_a_quota_request_shows_its_errors_inline_and_then_waits(
    operator_client, account
):
    domain = SenderDomainFactory(
        account=account, verified=True, reputation_level=20, daily_limit=1_000_000
    )
    url = reverse("domains:quota_request", args=[domain.pk])
    bad = operator_client.post(url, {"wanted_limit": "5", "reason": ""})
    assert bad.status_code == 400
    assert "greater than or equal to 1000001" in bad.content.decode()
    assert not QuotaRequest.objects.exists()
    good = operator_client.post(
        url, {"wanted_limit": "2000000", "reason": "Holiday season"}
    )
    assert good.status_code == 302
    page = operator_client.get(reverse("domains:detail", args=[domain.pk]))
    assert "waiting for staff" in page.content.decode()


def test_reviewers_cannot_file_quota_requests(reviewer_client, account):
    domain = SenderDomainFactory(
        account=account, verified=True, reputation_level=20, daily_limit=1_000_000
    )
    response = reviewer_client.post(
        reverse("domains:quota_request", args=[domain.pk]),
        {"wanted_limit": "2000000", "reason": "x"},
    )
    assert response.status_code == 403
    assert not QuotaRequest.objects.exists()
