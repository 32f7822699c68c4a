"""Reputation rules: when a domain's level is raised, lowered or blocked (SPEC.md §5).

Pure functions over one day's counts; the tables below are the whole policy.
Rates are compared as exact fractions, so "5%" means 5/100 and 5.00% is never
read as 4.9999…% by float rounding.
"""

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, StrEnum
from fractions import Fraction

from domains.levels import DAILY_LIMITS, HIGHEST_AUTOMATIC_LEVEL, daily_limit_for


class Rate(Enum):
    """Each rate as (label, numerator, denominator) over `DayFigures` fields."""

    INVALID = ("invalid-address rate", "invalid_bounces", "sent")
    DELIVERABILITY = ("deliverability", "delivered", "sent")
    SPAM_BOUNCE = ("spam-bounce rate", "spam_bounces", "sent")
    COMPLAINT = ("complaint rate", "complaints", "delivered")
    OPEN = ("open rate", "unique_opens", "delivered")

    def __init__(self, label: str, numerator: str, denominator: str) -> None:
        self.label = label
        self.numerator = numerator
        self.denominator = denominator


@dataclass(frozen=True)
class Threshold:
    """One comparison of a rate with a percentage, written as in the spec."""

    rate: Rate
    op: str  # "<" or ">"
    percent: str  # a decimal string, so it stays exact: "2.5" is 2.5%

    @property
    def value(self) -> Fraction:
        return Fraction(self.percent) / 100

    def holds(self, figures: "DayFigures") -> bool:
        return _COMPARE[self.op](figures.rate(self.rate), self.value)

    def describe(self, figures: "DayFigures") -> str:
        """Say what was measured against what: "invalid-address rate 9.50% > 9%"."""
        measured = _percent(figures.rate(self.rate), self.value)
        verdict = self.op if self.holds(figures) else f"is not {self.op}"
        return f"{self.rate.label} {measured} {verdict} {self.percent}%"


_COMPARE: dict[str, Callable[[Fraction, Fraction], bool]] = {
    "<": operator.lt,
    ">": operator.gt,
}

INVALID, DELIVERABILITY, SPAM_BOUNCE, COMPLAINT, OPEN = Rate

# Raise: today's sent must reach this share of the limit in force, and every
# threshold of one rule must hold. Takes effect at once and may repeat.
RAISE_SHARE_OF_LIMIT = Fraction(70, 100)
RAISE_RULES: dict[str, tuple[Threshold, ...]] = {
    "raise-a": (
        Threshold(INVALID, "<", "5"),
        Threshold(DELIVERABILITY, ">", "92"),
        Threshold(SPAM_BOUNCE, "<", "2.5"),
        Threshold(COMPLAINT, "<", "0.1"),
    ),
    "raise-b": (
        Threshold(DELIVERABILITY, ">", "90"),
        Threshold(COMPLAINT, "<", "0.1"),
        Threshold(OPEN, ">", "50"),
    ),
}

# Lower and block: only once more than this many were sent, and any one
# threshold is enough. Lowering is applied overnight; a block at once.
SENT_MUST_EXCEED = 300
LOWER_RULES: dict[str, Threshold] = {
    "lower-invalid": Threshold(INVALID, ">", "9"),
    "lower-deliverability": Threshold(DELIVERABILITY, "<", "65"),
    "lower-spam": Threshold(SPAM_BOUNCE, ">", "5"),
    "lower-complaints": Threshold(COMPLAINT, ">", "0.5"),
}
BLOCK_RULES: dict[str, Threshold] = {
    "block-invalid": Threshold(INVALID, ">", "11"),
    "block-spam": Threshold(SPAM_BOUNCE, ">", "15"),
}


@dataclass(frozen=True)
class DayFigures:
    """One domain's counts for one day (see docs/reputation.md for what counts)."""

    sent: int = 0
    delivered: int = 0
    invalid_bounces: int = 0
    spam_bounces: int = 0
    complaints: int = 0
    unique_opens: int = 0

    def __post_init__(self) -> None:
        for name, count in vars(self).items():
            if count < 0:
                raise ValueError(f"{name} cannot be negative ({count})")

    def rate(self, rate: Rate) -> Fraction:
        """Return the exact rate; a rate over nothing (0 sent or delivered) is 0."""
        denominator = getattr(self, rate.denominator)
        if not denominator:
            return Fraction(0)
        return Fraction(getattr(self, rate.numerator), denominator)

    @property
    def invalid_rate(self) -> Fraction:
        return self.rate(INVALID)

    @property
    def deliverability(self) -> Fraction:
        return self.rate(DELIVERABILITY)

    @property
    def spam_bounce_rate(self) -> Fraction:
        return self.rate(SPAM_BOUNCE)

    @property
    def complaint_rate(self) -> Fraction:
        return self.rate(COMPLAINT)

    @property
    def open_rate(self) -> Fraction:
        return self.rate(OPEN)


class Action(StrEnum):
    RAISE = "raise"
    LOWER = "lower"
    BLOCK = "block"
    NONE = "none"


@dataclass(frozen=True)
class Decision:
    """What the rules decided, by which rule, why, and from which figures.

    `rule` is empty when the action is NONE. A limit is None for a level above
    the automatic table (set by a quota ticket) when none was given.
    """

    action: Action
    rule: str
    reason: str
    figures: DayFigures
    level: int
    new_level: int
    daily_limit: int | None
    new_daily_limit: int | None


def decide_during_day(
    level: int, figures: DayFigures, daily_limit: int | None = None
) -> Decision:
    """Decide on today's figures so far: BLOCK first, then one RAISE, else NONE.

    `daily_limit` is the limit in force, `daily_limit_for(level)` by default.
    """
    if daily_limit is None:
        daily_limit = DAILY_LIMITS.get(level)

    def decision(action: Action, rule: str, reason: str, new_level: int) -> Decision:
        new_limit = daily_limit if new_level == level else daily_limit_for(new_level)
        return Decision(
            action, rule, reason, figures, level, new_level, daily_limit, new_limit
        )

    if figures.sent > SENT_MUST_EXCEED:
        for rule, threshold in BLOCK_RULES.items():
            if threshold.holds(figures):
                reason = f"{_sent_over(figures)} and {threshold.describe(figures)}"
                return decision(Action.BLOCK, rule, reason, level)

    if level >= HIGHEST_AUTOMATIC_LEVEL:
        reason = f"level {level} is raised only by a quota ticket staff approve"
        return decision(Action.NONE, "", reason, level)

    limit = daily_limit if daily_limit is not None else daily_limit_for(level)
    needed = math.ceil(limit * RAISE_SHARE_OF_LIMIT)
    share = f"{RAISE_SHARE_OF_LIMIT:.0%} of the daily limit {limit:,} ({needed:,})"
    if figures.sent < needed:
        reason = f"sent {figures.sent:,} is below {share}"
        return decision(Action.NONE, "", reason, level)

    misses = []
    for rule, thresholds in RAISE_RULES.items():
        described = ", ".join(t.describe(figures) for t in thresholds)
        if all(t.holds(figures) for t in thresholds):
            reason = f"sent {figures.sent:,} ≥ {share}; {described}"
            return decision(Action.RAISE, rule, reason, level + 1)
        failed = [t.describe(figures) for t in thresholds if not t.holds(figures)]
        misses.append(f"{rule}: {', '.join(failed)}")
    reason = "no raise rule met; " + "; ".join(misses)
    return decision(Action.NONE, "", reason, level)


def levels_to_raise(
    level: int, figures: DayFigures, daily_limit: int | None = None
) -> list[Decision]:
    """Return every one-level RAISE the same figures earn, in order (maybe none).

    Each new level's limit is checked again, so 10,000 clean messages sent at
    level 1 climb until 70% of the new limit is out of reach.
    """
    steps: list[Decision] = []
    while True:
        step = decide_during_day(level, figures, daily_limit)
        if step.action is not Action.RAISE:
            return steps
        steps.append(step)
        level, daily_limit = step.new_level, step.new_daily_limit


def decide_overnight(level: int, figures: DayFigures) -> Decision:
    """Decide on yesterday's figures: LOWER by one if any lower rule held, else NONE."""
    limit = DAILY_LIMITS.get(level)

    def none(reason: str) -> Decision:
        return Decision(Action.NONE, "", reason, figures, level, level, limit, limit)

    if figures.sent <= SENT_MUST_EXCEED:
        return none(f"sent {figures.sent:,} is not over {SENT_MUST_EXCEED}")
    for rule, threshold in LOWER_RULES.items():
        if threshold.holds(figures):
            reason = f"{_sent_over(figures)} and {threshold.describe(figures)}"
            if level <= 1:
                return none(f"{reason}, but level {level} is the lowest")
            return Decision(
                Action.LOWER,
                rule,
                reason,
                figures,
                level,
                level - 1,
                limit,
                DAILY_LIMITS.get(level - 1),
            )
    return none("no lower rule met")


def _sent_over(figures: DayFigures) -> str:
    return f"sent {figures.sent:,} > {SENT_MUST_EXCEED}"


def _percent(rate: Fraction, threshold: Fraction) -> str:
    """Format a rate as a percentage with enough decimals to differ from the threshold.

    0.099% against a 0.1% threshold reads "0.099%", not a confusing "0.10%".
    """
    for places in (2, 3, 4, 6):
        text = f"{rate * 100:.{places}f}"
        if rate == threshold or Fraction(text) / 100 != threshold:
            break
    return f"{text}%"
