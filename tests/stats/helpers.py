from datetime import date

from domains.models import SenderDomain
from stats.models import DailyCounter


def counter(
    domain: SenderDomain, day: date, provider: str = "gmail.com", **counts: int
) -> DailyCounter:
    """A counter cell written directly, as if its events had been recorded."""
    return DailyCounter.objects.create(
        account_id=domain.account_id,
        domain=domain,
        day=day,
        provider=provider,
        **counts,
    )


def typical(sent: int) -> dict[str, int]:
    """Plausible figures for `sent` messages handed over in a day."""
    return {
        "requests": sent + sent // 50,
        "accepted": sent,
        "dropped": sent // 50,
        "sent": sent,
        "delivered": sent * 95 // 100,
        "deferred": sent // 20,
        "bounced": sent * 5 // 100,
        "bounced_invalid": sent * 3 // 100,
        "bounced_spam": sent // 100,
        "opened": sent * 60 // 100,
        "unique_opened": sent * 40 // 100,
        "clicked": sent * 12 // 100,
        "unique_clicked": sent * 8 // 100,
        "unsubscribed": sent // 200,
        "complained": sent // 1000,
    }
