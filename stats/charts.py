"""Daily line charts as inline SVG, drawn on the server.

Readable without JavaScript and allowed by the console's Content Security
Policy (presentation attributes only, no inline styles): axes with labels, a
title and description for screen readers, a legend, and for every day a hover
target whose <title> is the tooltip with that day's values.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# The console's palette (console.css), in the order series take it.
PALETTE = ("#0b6cff", "#0a8f5a", "#c62828", "#b26b00", "#7b3fe4", "#00838f")
INK_SOFT = "#5b6477"
GRID = "#e3e7ee"
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Markers on every point while they stay apart; beyond, lines alone.
MAX_MARKED_DAYS = 62


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]  # one per day; None: no value that day
    color: str = ""


@dataclass(frozen=True)
class Box:
    # About the size it is shown at, so 11 units of text read as 11px.
    width: int = 480
    height: int = 220
    left: int = 52
    right: int = 14
    top: int = 46
    bottom: int = 28

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom


def nice_step(span: float, intervals: int = 4) -> float:
    """A round tick step (1, 2 or 5 times a power of ten), about `intervals` a span."""
    if span <= 0:
        return 1.0
    raw = span / intervals
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude * (1 + 1e-9):
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def y_ticks(highest: float, *, percent: bool) -> list[float]:
    """Tick values from 0 to a round top at or above `highest`."""
    if percent:
        highest = max(highest, 0.01)
        step = nice_step(highest)
        top = step * math.ceil(highest / step - 1e-9)
        if highest <= 1 < top:
            top = 1.0
    else:
        step = max(1.0, nice_step(max(highest, 4)))
        top = step * math.ceil(max(highest, 4) / step - 1e-9)
    count = round(top / step)
    return [step * i for i in range(count + 1)]


def format_count(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.3g}M"
    if abs(value) >= 10_000:
        return f"{value / 1_000:.3g}k"
    return f"{value:,.0f}"


def format_percent(value: float, *, step: float = 0.01) -> str:
    """`value` (a fraction) as a percentage, with the decimals `step` needs."""
    decimals = 0 if step >= 0.01 else 1 if step >= 0.001 else 2
    return f"{value * 100:.{decimals}f}%"


def format_value(value: float | None, *, percent: bool) -> str:
    if value is None:
        return "—"
    if percent:
        return format_percent(value, step=0.0001)
    return f"{value:,.0f}"


def format_day(day: date, *, with_year: bool = False) -> str:
    """An x-axis label: Mar 14, or 2025-03-14 where the range spans years."""
    return day.isoformat() if with_year else f"{day:%b} {day.day}"


def x_label_indexes(count: int, most: int = 7) -> list[int]:
    """Which days get an x-axis label: evenly spaced, the last one included."""
    if count <= most:
        return list(range(count))
    every = math.ceil((count - 1) / (most - 1))
    indexes = list(range(0, count, every))
    if count - 1 - indexes[-1] < every / 2:
        indexes[-1] = count - 1
    else:
        indexes.append(count - 1)
    return indexes


def _number(value: float) -> str:
    return f"{value:.1f}"


def line_chart(
    *,
    chart_id: str,
    title: str,
    days: Sequence[date],
    series: Sequence[Series],
    percent: bool = False,
    box: Box | None = None,
) -> SafeString:
    """An SVG line chart of `series` over `days`."""
    box = box or Box()
    colors = [s.color or PALETTE[n % len(PALETTE)] for n, s in enumerate(series)]
    present = [v for s in series for v in s.values if v is not None]
    ticks = y_ticks(max(present, default=0), percent=percent)
    top = ticks[-1]
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1

    # Positions are computed once: a year of days is thousands of points.
    count, plot_width, plot_height = len(days), box.plot_width, box.plot_height
    xs = (
        [box.left + plot_width / 2]
        if count == 1
        else [box.left + plot_width * i / (count - 1) for i in range(count)]
    )
    x_text = [_number(value) for value in xs]

    def y(value: float) -> float:
        share = min(max(value / top, 0), 1) if top else 0
        return box.top + plot_height * (1 - share)

    def tick_label(value: float) -> str:
        return format_percent(value, step=step) if percent else format_count(value)

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg id="{escape(chart_id)}" class="chart" role="img" '
        f'viewBox="0 0 {box.width} {box.height}" width="100%" '
        f'aria-labelledby="{title_id} {desc_id}" font-size="11" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(_describe(days, series, percent=percent))}'
        "</desc>",
        f'<text x="{box.left}" y="16" font-size="13" font-weight="600" '
        f'fill="currentColor">{escape(title)}</text>',
    ]
    # Legend, one row under the title.
    legend_x = box.left
    for label, color in zip((s.label for s in series), colors, strict=True):
        parts.append(
            f'<g class="legend"><rect x="{_number(legend_x)}" y="25" width="12" '
            f'height="4" rx="1" fill="{color}"/><text x="{_number(legend_x + 16)}" '
            f'y="31" fill="{INK_SOFT}">{escape(label)}</text></g>'
        )
        legend_x += 28 + 5.6 * len(label)  # about the width of 11px text
    # Grid and y axis.
    for value in ticks:
        at = _number(y(value))
        parts.append(
            f'<line x1="{box.left}" x2="{box.width - box.right}" y1="{at}" '
            f'y2="{at}" stroke="{GRID}"/>'
            f'<text x="{box.left - 6}" y="{at}" dy="3.5" text-anchor="end" '
            f'fill="{INK_SOFT}">{escape(tick_label(value))}</text>'
        )
    # X axis.
    baseline = _number(box.top + box.plot_height)
    parts.append(
        f'<line x1="{box.left}" x2="{box.width - box.right}" y1="{baseline}" '
        f'y2="{baseline}" stroke="{INK_SOFT}"/>'
    )
    with_year = bool(days) and days[0].year != days[-1].year
    for index in x_label_indexes(len(days), most=5 if with_year else 7):
        anchor = (
            "start"
            if index == 0 and len(days) > 1
            else "end"
            if index == len(days) - 1 and len(days) > 1
            else "middle"
        )
        parts.append(
            f'<text x="{x_text[index]}" y="{box.height - 8}" '
            f'text-anchor="{anchor}" fill="{INK_SOFT}">'
            f"{escape(format_day(days[index], with_year=with_year))}</text>"
        )
    # Lines, broken where a day has no value, and markers on short ranges.
    for values, color in zip((s.values for s in series), colors, strict=True):
        y_text = [None if v is None else _number(y(v)) for v in values]
        for run in _runs(values):
            if len(run) > 1:
                points = " ".join(f"{x_text[i]},{y_text[i]}" for i in run)
                parts.append(
                    f'<polyline points="{points}" fill="none" stroke="{color}" '
                    'stroke-width="2" stroke-linejoin="round"/>'
                )
            if len(run) == 1 or count <= MAX_MARKED_DAYS:
                parts.extend(
                    f'<circle cx="{x_text[i]}" cy="{y_text[i]}" r="2.5" '
                    f'fill="{color}"/>'
                    for i in run
                )
    # A hover target per day: its <title> is the tooltip of that day's points.
    # (Built from pre-escaped labels and our own numbers: a year of days in
    # six charts is 2,000 of them.)
    labels = [escape(s.label) for s in series]
    column = plot_width / max(count - 1, 1)
    low, high = box.left, box.width - box.right
    for index, day in enumerate(days):
        left = low if count == 1 else max(low, xs[index] - column / 2)
        right = high if count == 1 else min(high, xs[index] + column / 2)
        tip = "\n".join(
            f"{label}: {format_value(s.values[index], percent=percent)}"
            for label, s in zip(labels, series, strict=True)
        )
        parts.append(
            f'<rect class="day" x="{_number(left)}" y="{box.top}" '
            f'width="{_number(right - left)}" height="{plot_height}" '
            f'fill="transparent"><title>{_WEEKDAYS[day.weekday()]} '
            f"{day.isoformat()}\n{tip}</title></rect>"
        )
    parts.append("</svg>")
    # Safe: every text above went through escape(); the rest are our numbers.
    return mark_safe("".join(parts))


def _runs(values: Sequence[float | None]) -> list[list[int]]:
    """Indexes of consecutive days that have a value."""
    runs: list[list[int]] = []
    for index, value in enumerate(values):
        if value is None:
            continue
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def _describe(days: Sequence[date], series: Sequence[Series], *, percent: bool) -> str:
    if not days:
        return "No days."
    text = [f"Daily values from {days[0]:%Y-%m-%d} to {days[-1]:%Y-%m-%d}."]
    for s in series:
        known = [(v, d) for v, d in zip(s.values, days, strict=True) if v is not None]
        if not known:
            text.append(f"{s.label}: no values.")
            continue
        value, day = max(known, key=lambda pair: pair[0])
        text.append(
            f"{s.label}: highest {format_value(value, percent=percent)} "
            f"on {day:%Y-%m-%d}."
        )
    return " ".join(text)
