"""What the domain page shows of a domain's reputation: today against the
thresholds, the use of today's limit, and the history of changes as a
timeline and a chart of the daily limit."""

from dataclasses import dataclass
from datetime import date, timedelta

from domains.models import ReputationChange, SenderDomain
from domains.reputation import (
    BLOCK_RULES,
    LOWER_RULES,
    RAISE_RULES,
    RAISE_SHARE_OF_LIMIT,
    SENT_MUST_EXCEED,
    DayFigures,
    Rate,
    Threshold,
)
from domains.reputation_updates import day_figures
from sending import quota
from sending.quota import sending_day
from stats.charts import Series, line_chart

HISTORY_DAYS = 30


@dataclass(frozen=True)
class RateRow:
    label: str
    value: str
    raise_a: str
    raise_b: str
    lower: str
    block: str
    warn: bool  # a lowering or block threshold holds (and sent > 300)


def _percent(value) -> str:
    return f"{float(value) * 100:.2f}%"


def _threshold(thresholds, rate) -> Threshold | None:
    return next((t for t in thresholds if t.rate is rate), None)


def _text(threshold: Threshold | None) -> str:
    return f"{threshold.op} {threshold.percent}%" if threshold else "—"


def rate_rows(figures: DayFigures) -> list[RateRow]:
    rows = []
    for r in Rate:
        lower = _threshold(LOWER_RULES.values(), r)
        block = _threshold(BLOCK_RULES.values(), r)
        bad = figures.sent > SENT_MUST_EXCEED and any(
            t is not None and t.holds(figures) for t in (lower, block)
        )
        rows.append(
            RateRow(
                label=r.label.capitalize(),
                value=_percent(figures.rate(r)),
                raise_a=_text(_threshold(RAISE_RULES["raise-a"], r)),
                raise_b=_text(_threshold(RAISE_RULES["raise-b"], r)),
                lower=_text(lower),
                block=_text(block),
                warn=bad,
            )
        )
    return rows


def standing(domain: SenderDomain) -> dict[str, object]:
    today = quota.sending_day()
    figures = day_figures(today, [domain.pk]).get(domain.pk, DayFigures())
    used = quota.used(domain, day=today)
    raise_at = int(domain.daily_limit * RAISE_SHARE_OF_LIMIT + 0.999999)
    history = list(ReputationChange.objects.filter(domain=domain)[:50])
    return {
        "today": today,
        "figures": figures,
        "used": used,
        "used_percent": min(100, 100 * used // domain.daily_limit)
        if domain.daily_limit
        else 0,
        "raise_at": raise_at,
        "rates": rate_rows(figures),
        "history": history,
        "limit_chart": _limit_chart(domain, today),
        "blocked": domain.is_blocked(),
    }


def _limit_chart(domain: SenderDomain, today: date):
    """The daily limit in force at the end of each of the last 30 days.

    A change counts from the day it was made (`at`): a lowering decided
    overnight about yesterday applies from today.
    """
    days = [today - timedelta(days=n) for n in range(HISTORY_DAYS - 1, -1, -1)]
    changes = [
        (sending_day(at), old, new)
        for at, old, new in ReputationChange.objects.filter(
            domain=domain,
            at__gte=quota.start_of_sending_day() - timedelta(days=HISTORY_DAYS - 1),
        )
        .order_by("at", "pk")
        .values_list("at", "old_limit", "new_limit")
    ]
    if not changes:
        return None
    limit = changes[0][1]
    verified = domain.verified_at or domain.created_at
    first_day = min(sending_day(verified), changes[0][0])
    limits, pending = [], iter(changes)
    change = next(pending, None)
    for day in days:
        while change is not None and change[0] <= day:
            limit = change[2]
            change = next(pending, None)
        limits.append(limit if day >= first_day else None)
    return line_chart(
        chart_id=f"limit-{domain.pk}",
        title="Daily limit, last 30 days",
        days=days,
        series=[Series("Daily limit", limits)],
    )
