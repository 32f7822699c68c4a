"""The reputation rules of SPEC.md §5, at and around every threshold (no database)."""

import dataclasses
from fractions import Fraction

import pytest

from domains.levels import DAILY_LIMITS
from domains.reputation import (
    Action,
    DayFigures,
    Decision,
    decide_during_day,
    decide_overnight,
    levels_to_raise,
)

# 200,000 sent and 95% delivered keep every percentage below a whole count.
SENT = 200_000
LEVEL = 12  # daily limit 200,000: the sent figure is 100% of it

RAISE, LOWER, BLOCK, NONE = Action.RAISE, Action.LOWER, Action.BLOCK, Action.NONE


def _count(percent: str, of: int) -> int:
    count = Fraction(percent) / 100 * of
    assert count.denominator == 1, f"{percent}% of {of} is not a whole count"
    return int(count)


def day(
    *,
    sent: int = SENT,
    delivered: str = "95",
    invalid: str = "0",
    spam: str = "0",
    complaints: str = "0",
    opens: str = "0",
) -> DayFigures:
    """Build figures from percentages: of sent, except complaints and opens."""
    delivered_count = _count(delivered, sent)
    return DayFigures(
        sent=sent,
        delivered=delivered_count,
        invalid_bounces=_count(invalid, sent),
        spam_bounces=_count(spam, sent),
        complaints=_count(complaints, delivered_count),
        unique_opens=_count(opens, delivered_count),
    )


def clean(sent: int) -> DayFigures:
    return DayFigures(sent=sent, delivered=sent)


# Each case changes some percentages of an otherwise clean day (see `day`) and
# names the rule expected to decide, or "" for no decision.
B = {"invalid": "5", "opens": "60"}  # rule (a) fails on invalid, (b) holds

RAISE_CASES = [
    ({}, "raise-a"),
    ({"invalid": "4.99"}, "raise-a"),
    ({"invalid": "5"}, ""),
    ({"invalid": "5.01"}, ""),
    ({"delivered": "92.01"}, "raise-a"),
    ({"delivered": "92"}, ""),
    ({"spam": "2.49"}, "raise-a"),
    ({"spam": "2.5"}, ""),
    ({"complaints": "0.09"}, "raise-a"),
    ({"complaints": "0.1"}, ""),
    (B, "raise-b"),
    (B | {"delivered": "90.01"}, "raise-b"),
    (B | {"delivered": "90"}, ""),
    (B | {"complaints": "0.09"}, "raise-b"),
    (B | {"complaints": "0.1"}, ""),
    (B | {"opens": "50.01"}, "raise-b"),
    (B | {"opens": "50"}, ""),
    ({"opens": "60"}, "raise-a"),  # both hold: the first rule names it
]
LOWER_CASES = [
    ({"invalid": "9"}, ""),
    ({"invalid": "9.01"}, "lower-invalid"),
    ({"delivered": "65"}, ""),
    ({"delivered": "64.99"}, "lower-deliverability"),
    ({"spam": "5"}, ""),
    ({"spam": "5.01"}, "lower-spam"),
    ({"complaints": "0.5"}, ""),
    ({"complaints": "0.51"}, "lower-complaints"),
]
BLOCK_CASES = [
    ({"invalid": "11"}, ""),
    ({"invalid": "11.01"}, "block-invalid"),
    ({"spam": "15"}, ""),
    ({"spam": "15.01"}, "block-spam"),
]


def case_id(value: object) -> str:
    if isinstance(value, dict):
        return " ".join(f"{name} {pct}%" for name, pct in value.items()) or "clean"
    return str(value) or "nothing"


@pytest.mark.parametrize(("changes", "rule"), RAISE_CASES, ids=case_id)
def test_raise_rules_at_their_thresholds(changes, rule):
    decision = decide_during_day(LEVEL, day(**changes))

    assert decision.rule == rule
    assert decision.action is (RAISE if rule else NONE)


@pytest.mark.parametrize(("changes", "rule"), LOWER_CASES, ids=case_id)
def test_lower_rules_at_their_thresholds(changes, rule):
    decision = decide_overnight(5, day(**changes))

    assert decision.rule == rule
    assert decision.action is (LOWER if rule else NONE)
    expected = (4, 5_000) if rule else (5, 10_000)
    assert (decision.new_level, decision.new_daily_limit) == expected


@pytest.mark.parametrize(("changes", "rule"), BLOCK_CASES, ids=case_id)
def test_block_rules_at_their_thresholds(changes, rule):
    decision = decide_during_day(LEVEL, day(**changes))

    assert decision.rule == rule
    assert decision.action is (BLOCK if rule else NONE)
    assert decision.new_level == LEVEL


def test_block_takes_precedence_over_raise():
    # Impossible in consistent counts, but the order must not rely on that.
    figures = day(**B | {"spam": "16"})

    decision = decide_during_day(LEVEL, figures)

    assert (decision.action, decision.rule) == (BLOCK, "block-spam")
    assert levels_to_raise(LEVEL, figures) == []


@pytest.mark.parametrize(("sent", "action"), [(300, NONE), (301, BLOCK)])
def test_block_needs_more_than_300_sent(sent, action):
    figures = DayFigures(sent=sent, delivered=sent // 2, invalid_bounces=sent // 2)

    assert decide_during_day(1, figures).action is action


@pytest.mark.parametrize(("sent", "action"), [(300, NONE), (301, LOWER)])
def test_lower_needs_more_than_300_sent(sent, action):
    figures = DayFigures(sent=sent, delivered=sent // 2)

    assert decide_overnight(3, figures).action is action


@pytest.mark.parametrize(
    ("level", "daily_limit", "sent", "action"),
    [
        (1, None, 350, RAISE),
        (1, None, 349, NONE),
        (11, None, 105_000, RAISE),
        (11, None, 104_999, NONE),
        (5, 1_000, 700, RAISE),
        (5, 1_000, 699, NONE),
    ],
)
def test_raise_needs_70_percent_of_the_limit_in_force(level, daily_limit, sent, action):
    decision = decide_during_day(level, clean(sent), daily_limit)

    assert decision.action is action
    if action is NONE:
        assert "below 70% of the daily limit" in decision.reason


def test_a_raise_records_both_levels_and_limits():
    decision = decide_during_day(1, clean(350))

    assert decision == Decision(
        action=RAISE,
        rule="raise-a",
        reason=decision.reason,
        figures=clean(350),
        level=1,
        new_level=2,
        daily_limit=500,
        new_daily_limit=1_000,
    )
    assert decision.reason.startswith("sent 350 ≥ 70% of the daily limit 500 (350)")


@pytest.mark.parametrize(("level", "daily_limit"), [(20, None), (21, 2_000_000)])
def test_level_20_and_above_never_raise(level, daily_limit):
    figures = clean(1_000_000)

    assert decide_during_day(level, figures, daily_limit).action is NONE
    assert levels_to_raise(level, figures, daily_limit) == []


def test_level_1_never_lowers():
    decision = decide_overnight(1, day(invalid="50"))

    assert decision.action is NONE
    assert decision.new_level == 1
    assert "level 1 is the lowest" in decision.reason


def test_zero_sent_decides_nothing_and_does_not_crash():
    figures = DayFigures()

    assert figures.invalid_rate == figures.deliverability == 0
    assert figures.complaint_rate == figures.open_rate == 0
    assert decide_during_day(1, figures).action is NONE
    assert decide_overnight(3, figures).action is NONE
    assert levels_to_raise(1, figures) == []


def test_nothing_delivered_counts_as_zero_complaints_and_opens():
    figures = DayFigures(sent=400, delivered=0, complaints=5, unique_opens=5)

    assert figures.complaint_rate == figures.open_rate == 0
    decision = decide_overnight(3, figures)
    assert (decision.action, decision.rule) == (LOWER, "lower-deliverability")


def test_clean_day_climbs_until_70_percent_of_the_new_limit_is_out_of_reach():
    steps = levels_to_raise(1, clean(10_000))

    assert [(s.level, s.new_level) for s in steps] == [
        (1, 2),
        (2, 3),
        (3, 4),
        (4, 5),
        (5, 6),
    ]
    assert [(s.daily_limit, s.new_daily_limit) for s in steps] == [
        (500, 1_000),
        (1_000, 2_000),
        (2_000, 5_000),
        (5_000, 10_000),
        (10_000, 20_000),
    ]
    assert all(s.action is RAISE for s in steps)


def test_level_1_can_reach_20_in_one_day():
    steps = levels_to_raise(1, clean(700_000))

    assert [s.new_level for s in steps] == list(range(2, 21))
    assert steps[-1].new_daily_limit == DAILY_LIMITS[20]


def test_reasons_name_the_figures_and_thresholds():
    lowered = decide_overnight(4, day(invalid="9.5"))
    blocked = decide_during_day(1, day(spam="16"))
    # 0.101% would read "0.10%" at two decimals: a third one is shown.
    missed = decide_during_day(10, DayFigures(100_000, 100_000, complaints=101))

    assert lowered.reason == "sent 200,000 > 300 and invalid-address rate 9.50% > 9%"
    assert blocked.reason == "sent 200,000 > 300 and spam-bounce rate 16.00% > 15%"
    assert "complaint rate 0.101% is not < 0.1%" in missed.reason
    assert "open rate 0.00% is not > 50%" in missed.reason


def test_figures_refuse_negative_counts():
    with pytest.raises(ValueError, match="complaints"):
        DayFigures(sent=10, complaints=-1)


def test_decisions_are_frozen():
    decision = decide_overnight(3, DayFigures())

    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.new_level = 2  # type: ignore[misc]
