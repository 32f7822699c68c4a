"""Reputation levels and the daily limit each one allows (SPEC.md §5)."""

DAILY_LIMITS: dict[int, int] = {
    1: 500,
    2: 1_000,
    3: 2_000,
    4: 5_000,
    5: 10_000,
    6: 20_000,
    7: 40_000,
    8: 60_000,
    9: 80_000,
    10: 100_000,
    11: 150_000,
    12: 200_000,
    13: 300_000,
    14: 400_000,
    15: 500_000,
    16: 600_000,
    17: 700_000,
    18: 800_000,
    19: 900_000,
    20: 1_000_000,
}
FIRST_LEVEL = 1
HIGHEST_AUTOMATIC_LEVEL = 20


def daily_limit_for(level: int) -> int:
    """The daily limit of an automatic level (1 to 20)."""
    return DAILY_LIMITS[level]
