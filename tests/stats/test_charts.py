import re
from datetime import date, timedelta

import pytest

from stats.charts import (
    MAX_MARKED_DAYS,
    Series,
    format_percent,
    line_chart,
    nice_step,
    x_label_indexes,
    y_ticks,
)


def days(count: int) -> list[date]:
    return [date(2026, 3, 1) + timedelta(days=n) for n in range(count)]


@pytest.mark.parametrize(
    ("span", "step"), [(4, 1), (10, 5), (7, 2), (1234, 500), (0.04, 0.01), (0, 1)]
)
def test_nice_step_is_one_two_or_five_times_a_power_of_ten(span, step):
    assert nice_step(span) == pytest.approx(step)


def test_count_ticks_are_round_and_cover_the_highest_value():
    assert y_ticks(0, percent=False) == [0, 1, 2, 3, 4]
    assert y_ticks(9, percent=False) == [0, 5, 10]
    assert y_ticks(1234, percent=False) == [0, 500, 1000, 1500]


def test_percent_ticks_stop_at_100_percent():
    assert y_ticks(0.97, percent=True) == pytest.approx([0, 0.5, 1.0])
    assert y_ticks(0.031, percent=True) == pytest.approx([0, 0.01, 0.02, 0.03, 0.04])
    assert y_ticks(0, percent=True)[-1] == pytest.approx(0.01)


def test_percent_labels_show_the_decimals_their_step_needs():
    assert format_percent(0.5, step=0.1) == "50%"
    assert format_percent(0.002, step=0.001) == "0.2%"
    assert format_percent(0.0005, step=0.0001) == "0.05%"


def test_x_labels_are_evenly_spaced_with_the_first_and_last_day():
    assert x_label_indexes(5) == [0, 1, 2, 3, 4]
    labels = x_label_indexes(30)
    assert labels[0] == 0
    assert labels[-1] == 29
    assert len(labels) <= 7
    assert labels == sorted(set(labels))


def test_a_chart_has_a_title_axes_legend_and_a_tooltip_per_day():
    svg = line_chart(
        chart_id="c",
        title="Sent and delivered",
        days=days(7),
        series=[Series("Sent", [5, 8, 0, 3, 9, 10, 1]), Series("Delivered", [4] * 7)],
    )

    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert 'role="img"' in svg
    assert '<title id="c-title">Sent and delivered</title>' in svg
    assert '<desc id="c-desc">' in svg
    assert "Sent: highest 10 on 2026-03-06." in svg
    assert svg.count('class="legend"') == 2
    tooltips = re.findall(r'<rect class="day"[^>]*><title>([^<]*)</title>', svg)
    assert len(tooltips) == 7
    assert tooltips[1] == "Mon 2026-03-02\nSent: 8\nDelivered: 4"
    assert svg.count("<polyline") == 2
    assert svg.count("<circle") == 14
    assert ">Mar 1<" in svg
    assert ">Mar 7<" in svg
    assert ">10<" in svg  # the top of the y axis
    assert "style=" not in svg  # the CSP allows no inline styles


def test_days_without_a_value_break_the_line():
    svg = line_chart(
        chart_id="c",
        title="Rates",
        days=days(5),
        series=[Series("Deliverability", [0.9, 0.95, None, 0.8, 0.85])],
        percent=True,
    )

    assert svg.count("<polyline") == 2
    assert "Deliverability: —" in svg
    assert "Deliverability: 95.00%" in svg
    assert ">100%<" in svg


def test_long_ranges_are_drawn_without_markers():
    svg = line_chart(
        chart_id="c",
        title="A year",
        days=days(MAX_MARKED_DAYS + 1),
        series=[Series("Sent", list(range(MAX_MARKED_DAYS + 1)))],
    )

    assert "<circle" not in svg
    assert svg.count('<rect class="day"') == MAX_MARKED_DAYS + 1


def test_a_single_day_is_a_point():
    svg = line_chart(
        chart_id="c", title="One day", days=days(1), series=[Series("Sent", [3])]
    )

    assert "<polyline" not in svg
    assert svg.count("<circle") == 1


def test_text_is_escaped():
    svg = line_chart(
        chart_id="c",
        title="<script>alert(1)</script>",
        days=days(2),
        series=[Series('"><b>x', [1, 2])],
    )

    assert "<script>" not in svg
    assert "<b>" not in svg
    assert "&lt;script&gt;" in svg
