"""Read the daily counters for pages, CSV and the API: figures and their rates.

Everything here answers from DailyCounter (summed per day in the database);
nothing counts the event table.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from accounts.models import Account
from domains.models import SenderDomain
from stats.models import COLUMNS, DailyCounter, DailyCounterQuerySet

# The longest range one page, CSV or GetStatisticsReport call covers.
MAX_DAYS = 366


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole > 0 else None


@dataclass
class Figures:
    """The counters of one day (or of a range, summed), and their rates."""

    day: date | None = None
    requests: int = 0
    accepted: int = 0
    dropped: int = 0
    sent: int = 0
    delivered: int = 0
    deferred: int = 0
    bounced: int = 0
    bounced_invalid: int = 0
    bounced_spam: int = 0
    failed: int = 0
    opened: int = 0
    unique_opened: int = 0
    clicked: int = 0
    unique_clicked: int = 0
    unsubscribed: int = 0
    complained: int = 0
    label: str = field(default="", compare=False)

    @classmethod
    def from_row(cls, row: dict, *, label: str = "") -> "Figures":
        return cls(
            day=row.get("day"),
            label=label,
            **{c: int(row.get(c) or 0) for c in COLUMNS},
        )

    def __iadd__(self, other: "Figures") -> "Figures":
        for column in COLUMNS:
            setattr(self, column, getattr(self, column) + getattr(other, column))
        return self

    def counts(self) -> dict[str, int]:
        return {c: getattr(self, c) for c in COLUMNS}

    @property
    def is_empty(self) -> bool:
        return not any(self.counts().values())

    # The rates of the reputation rules (SPEC §5): over sent, except
    # complaints and opens, which only delivered mail can cause.
    @property
    def invalid_rate(self) -> float | None:
        return _rate(self.bounced_invalid, self.sent)

    @property
    def deliverability(self) -> float | None:
        return _rate(self.delivered, self.sent)

    @property
    def spam_rate(self) -> float | None:
        return _rate(self.bounced_spam, self.sent)

    @property
    def complaint_rate(self) -> float | None:
        return _rate(self.complained, self.delivered)

    @property
    def open_rate(self) -> float | None:
        return _rate(self.unique_opened, self.delivered)

    @property
    def click_rate(self) -> float | None:
        return _rate(self.unique_clicked, self.delivered)

    def rates(self) -> dict[str, float | None]:
        return {name: getattr(self, name) for name in RATES}


# Rate property → label, in the order the page and CSV show them.
RATES = {
    "invalid_rate": "Invalid-address rate",
    "deliverability": "Deliverability",
    "spam_rate": "Spam-bounce rate",
    "complaint_rate": "Complaint rate",
    "open_rate": "Open rate",
}


@dataclass
class Report:
    start: date
    end: date
    days: list[Figures]
    total: Figures

    @property
    def is_empty(self) -> bool:
        return self.total.is_empty


def counters_for(
    account: Account,
    *,
    start: date,
    end: date,
    domain: SenderDomain | None = None,
    provider: str = "",
) -> DailyCounterQuerySet:
    found = DailyCounter.objects.for_account(account).between(start, end)
    if domain is not None:
        found = found.filter(domain=domain)
    if provider:
        found = found.filter(provider=provider)
    return found


def daily_report(
    account: Account,
    *,
    start: date,
    end: date,
    domain: SenderDomain | None = None,
    provider: str = "",
) -> Report:
    """Every day from `start` to `end` (days without mail are zeros), one query."""
    found = counters_for(
        account, start=start, end=end, domain=domain, provider=provider
    )
    by_day = {row["day"]: Figures.from_row(row) for row in found.per_day()}
    days, total = [], Figures()
    day = start
    while day <= end:
        figures = by_day.get(day) or Figures(day=day)
        days.append(figures)
        total += figures
        day += timedelta(days=1)
    return Report(start=start, end=end, days=days, total=total)


# What the per-provider and per-domain tables show.
BREAKDOWN_COLUMNS = (
    "requests",
    "sent",
    "delivered",
    "bounced_invalid",
    "bounced_spam",
    "unique_opened",
    "complained",
)


@dataclass
class Breakdown:
    providers: list[Figures]
    domains: list[Figures]


def breakdown(
    account: Account,
    *,
    start: date,
    end: date,
    domain: SenderDomain | None = None,
    provider: str = "",
    limit: int = 20,
) -> Breakdown:
    """The range's totals per provider and per domain, most sent first.

    One query, grouped by domain and provider. The providers ignore the
    provider filter (they are its menu); the domains respect it.
    """
    found = counters_for(account, start=start, end=end, domain=domain)
    providers: dict[str, Figures] = {}
    domains: dict[str, Figures] = {}
    for row in found.per("domain__name", "provider", columns=BREAKDOWN_COLUMNS):
        figures = Figures.from_row(row)
        name = row["provider"]
        providers.setdefault(name, Figures(label=name))
        providers[name] += figures
        if not provider or name == provider:
            name = row["domain__name"]
            domains.setdefault(name, Figures(label=name))
            domains[name] += figures

    def ranked(found: dict[str, Figures]) -> list[Figures]:
        order = sorted(found.values(), key=lambda f: (-f.sent, -f.requests, f.label))
        return order[:limit]

    return Breakdown(providers=ranked(providers), domains=ranked(domains))
