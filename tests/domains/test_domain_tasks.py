"""The beat task and the worker re-check due domains against the fixture DNS."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from domains.models import DomainStatus, SenderDomain
from domains.tasks import CLAIM_LEASE, check_due_domains
from tests.domains.helpers import publish
from tests.factories import SenderDomainFactory

pytestmark = pytest.mark.worker


def test_claiming_due_domains_is_exclusive(transactional_db, account):
    now = timezone.now()
    due = SenderDomainFactory(account=account, next_check_at=now - timedelta(minutes=1))
    later = SenderDomainFactory(account=account, next_check_at=now + timedelta(hours=1))

    assert check_due_domains() == 1
    assert check_due_domains() == 0  # the first run holds a lease on it

    due.refresh_from_db()
    later.refresh_from_db()
    assert due.next_check_at >= now + CLAIM_LEASE - timedelta(seconds=5)
    assert later.next_check_at == now + timedelta(hours=1)


def test_worker_verifies_a_due_domain(transactional_db, account, dns, celery_worker):
    domain = SenderDomainFactory(account=account, next_check_at=timezone.now())
    publish(dns, domain)

    check_due_domains.delay().get(timeout=30)

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        domain.refresh_from_db()
        if domain.status == DomainStatus.VERIFIED:
            break
        time.sleep(0.2)
    assert domain.status == DomainStatus.VERIFIED
    assert domain.daily_limit == 500
    assert SenderDomain.objects.get(pk=domain.pk).record_checks.count() == 4
