from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from domains import reputation_updates, services
from domains.models import SenderDomain

# A claimed domain is not claimed again for this long, even if its check task
# is lost: a lease, not a lock.
CLAIM_LEASE = timedelta(minutes=10)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def check_domain_dns(domain_id: int) -> str | None:
    """Check one domain's DNS records (idempotent: a re-run re-reads DNS)."""
    domain = SenderDomain.objects.filter(pk=domain_id).first()
    if domain is None:
        return None
    return services.check_domain(domain_id=domain_id).status


@shared_task
def check_due_domains(batch_size: int = 200) -> int:
    """Beat: claim the domains whose re-check is due and queue their checks."""
    now = timezone.now()
    due = list(
        SenderDomain.objects.due_for_check(now)
        .order_by("next_check_at")
        .values_list("pk", "next_check_at")[:batch_size]
    )
    claimed = 0
    for pk, next_check_at in due:
        # Conditional update: when several beats or workers race, one wins.
        won = SenderDomain.objects.filter(pk=pk, next_check_at=next_check_at).update(
            next_check_at=now + CLAIM_LEASE
        )
        if won:
            check_domain_dns.delay(pk)
            claimed += 1
    return claimed


@shared_task
def lower_reputation_overnight() -> int:
    """Beat, just after midnight: lower the domains whose yesterday was bad."""
    return reputation_updates.lower_overnight()
