"""Applying the reputation rules to domains: raise now, lower overnight, block.

The rules themselves are pure (`domains.reputation`); this module reads a
day's figures from the statistics counters and changes domains:

- `after_counting(domain_ids)` runs in the transaction that counted new
  events (on the delivery path): one query for the figures, one for the
  domains, and a conditional UPDATE per change, so a raise applies to the
  very next send and two deliveries never raise the same level twice.
- `lower_overnight()` (beat, just after midnight in SES_TIME_ZONE) evaluates
  every domain's yesterday in a constant number of queries, lowering by one
  where a lowering rule held. Each domain remembers the last day evaluated,
  so a second run changes nothing and a missed night is caught up.
- A block lasts until the end of the domain's sending day; nothing needs to
  lift it.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from celery import current_app
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from domains.errors import QuotaRequestRefused
from domains.levels import HIGHEST_AUTOMATIC_LEVEL, daily_limit_for
from domains.models import (
    QuotaRequest,
    QuotaRequestStatus,
    ReputationAction,
    ReputationChange,
    SenderDomain,
)
from domains.reputation import (
    Action,
    DayFigures,
    decide_during_day,
    decide_overnight,
    levels_to_raise,
)
from sending.quota import sending_day, start_of_sending_day
from stats.models import DailyCounter

# The counter columns the rules read; other columns never change a decision.
RELEVANT_COLUMNS = frozenset(
    {
        "sent",
        "delivered",
        "bounced_invalid",
        "bounced_spam",
        "complained",
        "unique_opened",
    }
)
# How many missed nights the nightly run catches up at most.
CATCH_UP_DAYS = 7


def day_figures(
    day: date, domain_ids: Iterable[int] | None = None
) -> dict[int, DayFigures]:
    """Each domain's figures for `day`, summed over mailbox providers."""
    counters = DailyCounter.objects.filter(day=day)
    if domain_ids is not None:
        counters = counters.filter(domain_id__in=list(domain_ids))
    rows = counters.values("domain_id").annotate(
        sent=Sum("sent"),
        delivered=Sum("delivered"),
        invalid=Sum("bounced_invalid"),
        spam=Sum("bounced_spam"),
        complaints=Sum("complained"),
        opens=Sum("unique_opened"),
    )
    return {
        row["domain_id"]: DayFigures(
            # A late bounce counts on the day it arrives and takes `delivered`
            # back there, so one day's sum can dip below zero: read it as 0.
            sent=max(0, row["sent"] or 0),
            delivered=max(0, row["delivered"] or 0),
            invalid_bounces=max(0, row["invalid"] or 0),
            spam_bounces=max(0, row["spam"] or 0),
            complaints=max(0, row["complaints"] or 0),
            unique_opens=max(0, row["opens"] or 0),
        )
        for row in rows
    }


def figures_dict(figures: DayFigures) -> dict[str, int]:
    return dict(vars(figures))


def end_of_sending_day(now: datetime | None = None) -> datetime:
    return start_of_sending_day((now or timezone.now()) + timedelta(days=1))


# --- During the day -------------------------------------------------------------


def after_counting(domain_ids: Iterable[int], now: datetime | None = None) -> None:
    """Raise or block the domains whose today's figures now call for it."""
    now = now or timezone.now()
    today = sending_day(now)
    figures = day_figures(today, domain_ids)
    if not figures:
        return
    domains = SenderDomain.objects.filter(pk__in=list(figures)).only(
        "pk", "reputation_level", "daily_limit", "blocked_until", "approved_limit"
    )
    for domain in domains:
        _decide_now(domain, figures[domain.pk], now, today)


def _decide_now(
    domain: SenderDomain, figures: DayFigures, now: datetime, today: date
) -> None:
    decision = decide_during_day(domain.reputation_level, figures, domain.daily_limit)
    if decision.action is Action.BLOCK:
        if not domain.is_blocked(now):
            _block(domain, decision, now, today)
        return
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
