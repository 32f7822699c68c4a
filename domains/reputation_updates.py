"""Applying the reputation rules to domains: raise now, lower overnight, block.

The rules themselves are pure (`domains.reputation`); this module keeps each
domain's figures per day (`ReputationDay`) and changes domains:

- `count(changes)` runs in the transaction that records events (on the
  delivery path): one upsert per domain returns today's figures, the domain
  row is read only when a raise or a block is within reach, and a change is
  a conditional UPDATE, so a raise applies to the very next send and two
  deliveries never raise the same level twice.
- `lower_overnight()` (beat, just after midnight in SES_TIME_ZONE) evaluates
  every domain's yesterday in a constant number of queries, lowering by one
  where a lowering rule held. Each domain remembers the last day evaluated,
  so a second run changes nothing and a missed night is caught up.
- A block lasts until the end of the domain's sending day; nothing needs to
  lift it.
"""

import math
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from zoneinfo import ZoneInfo

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from domains.errors import QuotaRequestRefused
from domains.levels import HIGHEST_AUTOMATIC_LEVEL, daily_limit_for
from domains.models import (
    QuotaRequest,
    QuotaRequestStatus,
    ReputationAction,
    ReputationChange,
    ReputationDay,
    SenderDomain,
)
from domains.reputation import (
    BLOCK_RULES,
    RAISE_SHARE_OF_LIMIT,
    SENT_MUST_EXCEED,
    Action,
    DayFigures,
    decide_during_day,
    decide_overnight,
    levels_to_raise,
)
from sending.quota import sending_day

# The statistics counter columns the rules read, and the figure each one is.
FIGURE_OF_COLUMN = {
    "sent": "sent",
    "delivered": "delivered",
    "bounced_invalid": "invalid_bounces",
    "bounced_spam": "spam_bounces",
    "complained": "complaints",
    "unique_opened": "unique_opens",
}
RELEVANT_COLUMNS = frozenset(FIGURE_OF_COLUMN)
FIGURES = tuple(FIGURE_OF_COLUMN.values())
# How many missed nights the nightly run catches up at most.
CATCH_UP_DAYS = 7
# How long a process trusts the daily limit it last saw for a domain, to skip
# checking for a raise that today's figures cannot earn yet (see `_limit`).
LIMIT_MEMORY_SECONDS = 30

_limits: dict[int, tuple[int, float]] = {}


def _figures(row: dict | tuple) -> DayFigures:
    values = row if isinstance(row, tuple) else tuple(row[f] for f in FIGURES)
    # A late bounce counts on the day it arrives and takes `delivered` back
    # there, so a quiet day's figure can dip below zero: read it as 0.
    return DayFigures(*(max(0, value or 0) for value in values))


def day_figures(
    day: date, domain_ids: Iterable[int] | None = None
) -> dict[int, DayFigures]:
    """Each domain's figures for `day` (one row per domain)."""
    rows = ReputationDay.objects.filter(day=day)
    if domain_ids is not None:
        rows = rows.filter(domain_id__in=list(domain_ids))
    return {
        row["domain_id"]: _figures(row) for row in rows.values("domain_id", *FIGURES)
    }


def figures_dict(figures: DayFigures) -> dict[str, int]:
    return dict(vars(figures))


def end_of_sending_day(now: datetime | None = None) -> datetime:
    """Midnight after today in SES_TIME_ZONE (a 23- or 25-hour day included)."""
    return datetime.combine(
        sending_day(now) + timedelta(days=1),
        dt_time.min,
        ZoneInfo(settings.SES_TIME_ZONE),
    )


# --- During the day -------------------------------------------------------------


def count(
    changes: Iterable[tuple[int, date, Mapping[str, int]]],
    now: datetime | None = None,
) -> None:
    """Add counter changes (domain id, day, counter columns) to the domains'
    figures, then raise or block where today's figures call for it.

    Runs in the transaction that records the events: one upsert per domain and
    day, and the domain row is read only when a decision is within reach.
    """
    now = now or timezone.now()
    totals: dict[tuple[int, date], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(FIGURES, 0)
    )
    for domain_id, day, columns in changes:
        for column, amount in columns.items():
            if column in FIGURE_OF_COLUMN:
                totals[(domain_id, day)][FIGURE_OF_COLUMN[column]] += amount
    today = sending_day(now)
    for (domain_id, day), figures in sorted(totals.items()):
        if not any(figures.values()):
            continue
        latest = _add_figures(domain_id, day, figures)
        if day == today:
            _maybe_decide(domain_id, latest, now, today)


def _add_figures(domain_id: int, day: date, figures: dict[str, int]) -> DayFigures:
    quote = connection.ops.quote_name
    table = quote(ReputationDay._meta.db_table)
    names = ["domain_id", "day", *FIGURES]
    increments = ", ".join(
        f"{quote(f)} = {table}.{quote(f)} + EXCLUDED.{quote(f)}" for f in FIGURES
    )
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join(['%s'] * len(names))}) "
        f"ON CONFLICT ({quote('domain_id')}, {quote('day')}) DO UPDATE SET "
        f"{increments} RETURNING {', '.join(quote(f) for f in FIGURES)}"
    )
    params = [domain_id, connection.ops.adapt_datefield_value(day)]
    params += [figures[f] for f in FIGURES]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _figures(tuple(cursor.fetchone()))


def _limit(domain_id: int) -> int | None:
    """The daily limit this process last saw for the domain, if recent.

    Only used to skip work: a raise needs sent ≥ 70% of the limit, so below
    that nothing is read. A limit remembered from before a raise elsewhere is
    lower than the real one, which only makes the check run sooner.
    """
    known = _limits.get(domain_id)
    if known is None or known[1] < time.monotonic():
        return None
    return known[0]


def forget_limits() -> None:
    """Drop the remembered limits (tests, where primary keys repeat)."""
    _limits.clear()


def _remember(domain: SenderDomain) -> None:
    _limits[domain.pk] = (
        domain.daily_limit,
        time.monotonic() + LIMIT_MEMORY_SECONDS,
    )


def _maybe_decide(
    domain_id: int, figures: DayFigures, now: datetime, today: date
) -> None:
    if figures.sent <= SENT_MUST_EXCEED and (
        figures.sent < math.ceil(daily_limit_for(1) * RAISE_SHARE_OF_LIMIT)
    ):
        return  # neither a block nor any raise is possible yet
    limit = _limit(domain_id)
    block_possible = figures.sent > SENT_MUST_EXCEED and any(
        t.holds(figures) for t in BLOCK_RULES.values()
    )
    if (
        limit is not None
        and not block_possible
        and figures.sent < math.ceil(limit * RAISE_SHARE_OF_LIMIT)
    ):
        return
    domain = (
        SenderDomain.objects.filter(pk=domain_id)
        .only(
            "pk", "reputation_level", "daily_limit", "blocked_until", "approved_limit"
        )
        .first()
    )
    if domain is None:
        return
    _decide_now(domain, figures, now, today)


def _decide_now(
    domain: SenderDomain, figures: DayFigures, now: datetime, today: date
) -> None:
    decision = decide_during_day(domain.reputation_level, figures, domain.daily_limit)
    if decision.action is Action.BLOCK:
        if not domain.is_blocked(now) and not _unblocked_by_staff(domain, today):
            _block(domain, decision, now, today)
        return
    _remember(domain)
    if domain.approved_limit is not None:
        return  # above level 20: only staff change it
    steps = levels_to_raise(domain.reputation_level, figures, domain.daily_limit)
    if not steps:
        return
    last = steps[-1]
    with transaction.atomic():
        raised = SenderDomain.objects.filter(
            pk=domain.pk, reputation_level=domain.reputation_level
        ).update(reputation_level=last.new_level, daily_limit=last.new_daily_limit)
        if not raised:
            return  # a concurrent delivery raised it first
        _limits[domain.pk] = (
            last.new_daily_limit,
            time.monotonic() + LIMIT_MEMORY_SECONDS,
        )
        ReputationChange.objects.bulk_create(
            ReputationChange(
                domain_id=domain.pk,
                at=now,
                day=today,
                action=ReputationAction.RAISE,
                rule=step.rule,
                reason=step.reason[:500],
                old_level=step.level,
                new_level=step.new_level,
                old_limit=step.daily_limit,
                new_limit=step.new_daily_limit,
                figures=figures_dict(figures),
            )
            for step in steps
        )


def _unblocked_by_staff(domain: SenderDomain, today: date) -> bool:
    """Staff lifted today's block: the same figures do not block it again."""
    return ReputationChange.objects.filter(
        domain=domain, day=today, action=ReputationAction.UNBLOCK
    ).exists()


def _block(domain: SenderDomain, decision, now: datetime, today: date) -> None:
    until = end_of_sending_day(now)
    with transaction.atomic():
        blocked = (
            SenderDomain.objects.filter(pk=domain.pk)
            .filter(Q(blocked_until__isnull=True) | Q(blocked_until__lt=until))
            .update(blocked_until=until)
        )
        if blocked:
            # Running batches of the domain fail what they have not sent; by
            # name, as the sending app builds on this one.
            transaction.on_commit(
                lambda: current_app.send_task(
                    "sending.tasks.fail_blocked_batches", [domain.pk]
                )
            )
            ReputationChange.objects.create(
                domain_id=domain.pk,
                at=now,
                day=today,
                action=ReputationAction.BLOCK,
                rule=decision.rule,
                reason=f"{decision.reason}; blocked until {until:%Y-%m-%d %H:%M %Z}"[
                    :500
                ],
                old_level=domain.reputation_level,
                new_level=domain.reputation_level,
                old_limit=domain.daily_limit,
                new_limit=domain.daily_limit,
                figures=figures_dict(decision.figures),
            )


# --- Overnight ----------------------------------------------------------------


def lower_overnight(now: datetime | None = None) -> int:
    """Evaluate every day not yet evaluated up to yesterday; the lowerings made."""
    now = now or timezone.now()
    yesterday = sending_day(now) - timedelta(days=1)
    oldest = (
        SenderDomain.objects.filter(reputation_evaluated_through__isnull=False)
        .order_by("reputation_evaluated_through")
        .values_list("reputation_evaluated_through", flat=True)
        .first()
    )
    first = yesterday - timedelta(days=CATCH_UP_DAYS - 1)
    if oldest is not None:
        first = max(first, min(oldest + timedelta(days=1), yesterday))
    lowered = 0
    day = first
    while day <= yesterday:
        lowered += evaluate_day(day, now)
        day += timedelta(days=1)
    return lowered


def evaluate_day(day: date, now: datetime) -> int:
    """Lower, by one level, each domain a lowering rule held for on `day`.

    A constant number of queries, whatever the number of domains.
    """
    due = Q(reputation_evaluated_through__isnull=True) | Q(
        reputation_evaluated_through__lt=day
    )
    with transaction.atomic():
        # Locked: a second run waits, then finds these days already evaluated.
        domains = list(
            SenderDomain.objects.select_for_update()
            .filter(due)
            .only("pk", "reputation_level", "daily_limit", "approved_limit")
        )
        if not domains:
            return 0
        figures = day_figures(day)
        changed, changes = [], []
        for domain in domains:
            day_figures_ = figures.get(domain.pk)
            if day_figures_ is None:
                continue
            change = _lowering(domain, day_figures_, day, now)
            if change is not None:
                changed.append(domain)
                changes.append(change)
        SenderDomain.objects.bulk_update(
            changed,
            ["reputation_level", "daily_limit", "approved_limit"],
            batch_size=5000,
        )
        ReputationChange.objects.bulk_create(changes, batch_size=5000)
        SenderDomain.objects.filter(due).update(reputation_evaluated_through=day)
    return len(changes)


def _lowering(
    domain: SenderDomain, figures: DayFigures, day: date, now: datetime
) -> ReputationChange | None:
    if domain.approved_limit is not None:
        # Above level 20: a lowering falls back to level 20's limit.
        decision = decide_overnight(HIGHEST_AUTOMATIC_LEVEL + 1, figures)
        if decision.action is not Action.LOWER:
            return None
        old_limit = domain.daily_limit
        domain.approved_limit = None
        domain.reputation_level = HIGHEST_AUTOMATIC_LEVEL
    else:
        decision = decide_overnight(domain.reputation_level, figures)
        if decision.action is not Action.LOWER:
            return None
        old_limit = domain.daily_limit
        domain.reputation_level = decision.new_level
    domain.daily_limit = daily_limit_for(domain.reputation_level)
    return ReputationChange(
        domain_id=domain.pk,
        at=now,
        day=day,
        action=ReputationAction.LOWER,
        rule=decision.rule,
        reason=decision.reason[:500],
        old_level=decision.level,
        new_level=domain.reputation_level,
        old_limit=old_limit,
        new_limit=domain.daily_limit,
        figures=figures_dict(figures),
    )


# --- Staff and quota requests -------------------------------------------------


def request_quota(*, domain: SenderDomain, wanted_limit: int, reason: str, by):
    """An operator asks for more than level 20 allows; staff decide."""
    if domain.reputation_level < HIGHEST_AUTOMATIC_LEVEL:
        raise QuotaRequestRefused(
            f"{domain.name} is at level {domain.reputation_level}: below level "
            f"{HIGHEST_AUTOMATIC_LEVEL} the limit rises by itself with good sending."
        )
    if wanted_limit <= domain.daily_limit:
        raise QuotaRequestRefused(
            f"Ask for more than today's limit of {domain.daily_limit:,} a day."
        )
    if not reason.strip():
        raise QuotaRequestRefused("Say why the domain needs more.")
    if domain.quota_requests.filter(status=QuotaRequestStatus.PENDING).exists():
        raise QuotaRequestRefused("A request for this domain is already waiting.")
    return QuotaRequest.objects.create(
        domain=domain, wanted_limit=wanted_limit, reason=reason.strip(), requested_by=by
    )


def decide_quota_request(quota_request, *, approve: bool, by, note: str = "") -> None:
    """Staff approve (the new limit applies at once) or refuse a request."""
    now = timezone.now()
    with transaction.atomic():
        decided = QuotaRequest.objects.filter(
            pk=quota_request.pk, status=QuotaRequestStatus.PENDING
        ).update(
            status=QuotaRequestStatus.APPROVED
            if approve
            else QuotaRequestStatus.REFUSED,
            decided_by=by,
            decided_at=now,
            decision_note=note[:500],
        )
        if not decided or not approve:
            return
        domain = SenderDomain.objects.select_for_update().get(
            pk=quota_request.domain_id
        )
        ReputationChange.objects.create(
            domain=domain,
            at=now,
            day=sending_day(now),
            action=ReputationAction.QUOTA,
            reason=f"Quota request approved by {by}: {note or quota_request.reason}"[
                :500
            ],
            old_level=domain.reputation_level,
            new_level=domain.reputation_level,
            old_limit=domain.daily_limit,
            new_limit=quota_request.wanted_limit,
            by=by,
        )
        SenderDomain.objects.filter(pk=domain.pk).update(
            approved_limit=quota_request.wanted_limit,
            daily_limit=quota_request.wanted_limit,
        )


def unblock(domain: SenderDomain, *, by, reason: str) -> bool:
    """Staff lift a block before the day ends; the reason is recorded."""
    if not reason.strip():
        raise ValueError("Say why the domain is unblocked.")
    now = timezone.now()
    with transaction.atomic():
        lifted = SenderDomain.objects.filter(
            pk=domain.pk, blocked_until__gt=now
        ).update(blocked_until=None)
        if lifted:
            ReputationChange.objects.create(
                domain=domain,
                at=now,
                day=sending_day(now),
                action=ReputationAction.UNBLOCK,
                reason=f"Unblocked by {by}: {reason.strip()}"[:500],
                old_level=domain.reputation_level,
                new_level=domain.reputation_level,
                old_limit=domain.daily_limit,
                new_limit=domain.daily_limit,
                by=by,
            )
    return bool(lifted)
