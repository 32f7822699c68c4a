import csv
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.access import console_view
from sending.quota import sending_day
from stats import charts
from stats.forms import Filters, StatisticsFilterForm
from stats.models import COLUMNS
from stats.report import RATES, Figures, Report, breakdown, daily_report
from stats.templatetags.stats_format import rate


@console_view()
def overview(request: HttpRequest) -> HttpResponse:
    """The statistics page: every member of the account may read it."""
    form = StatisticsFilterForm(
        request.GET, account=request.account, today=sending_day()
    )
    fragment = request.htmx and not request.htmx.history_restore_request
    template = "stats/overview.html#statistics" if fragment else "stats/overview.html"
    if not form.is_valid():
        # A filter, not a submission: show what is wrong, nothing else.
        form.offer_providers([])
        return render(
            request, template, {"form": form, "time_zone": settings.SES_TIME_ZONE}
        )
    filters = form.filters()
    scope = {
        "start": filters.start,
        "end": filters.end,
        "domain": filters.domain,
    }
    report = daily_report(request.account, **scope, provider=filters.provider)
    if request.GET.get("format") == "csv":
        return csv_response(report, filters, slug=request.account.slug)
    ranking = breakdown(request.account, **scope, provider=filters.provider)
    form.offer_providers([p.label for p in ranking.providers])
    context = {
        "form": form,
        "filters": filters,
        "report": report,
        "charts": [] if report.is_empty else report_charts(report),
        "table": table_rows(report),
        # A breakdown by what a filter already fixes would say nothing new.
        "providers": [] if filters.provider else ranking.providers,
        "domains": [] if filters.domain else ranking.domains,
        "csv_query": urlencode(filters.query(format="csv")),
        "time_zone": settings.SES_TIME_ZONE,
    }
    return render(request, template, context)


def report_charts(report: Report) -> list[SafeString]:
    """The page's charts: volumes, bounces, engagement, and the reputation rates."""
    days = [figures.day for figures in report.days]

    def counts(label: str, column: str, color: str = "") -> charts.Series:
        return charts.Series(label, [getattr(f, column) for f in report.days], color)

    def rates(name: str, color: str = "") -> charts.Series:
        return charts.Series(
            RATES[name], [getattr(f, name) for f in report.days], color
        )

    blue, green, red, amber, purple, teal = charts.PALETTE
    return [
        charts.line_chart(
            chart_id="chart-volume",
            title="Sent and delivered",
            days=days,
            series=[
                counts("Sent", "sent", blue),
                counts("Delivered", "delivered", green),
            ],
        ),
        charts.line_chart(
            chart_id="chart-bounces",
            title="Bounces",
            days=days,
            series=[
                counts("Bounced", "bounced", red),
                counts("Invalid address", "bounced_invalid", amber),
                counts("Spam rejection", "bounced_spam", purple),
            ],
        ),
        charts.line_chart(
            chart_id="chart-engagement",
            title="Opened and clicked (unique)",
            days=days,
            series=[
                counts("Opened", "unique_opened", blue),
                counts("Clicked", "unique_clicked", teal),
            ],
        ),
        charts.line_chart(
            chart_id="chart-feedback",
            title="Unsubscribes and complaints",
            days=days,
            series=[
                counts("Unsubscribed", "unsubscribed", amber),
                counts("Complained", "complained", red),
            ],
        ),
        charts.line_chart(
            chart_id="chart-delivery-rates",
            title="Deliverability and open rate",
            days=days,
            series=[rates("deliverability", green), rates("open_rate", blue)],
            percent=True,
        ),
        charts.line_chart(
            chart_id="chart-problem-rates",
            title="Invalid-address, spam-bounce and complaint rates",
            days=days,
            series=[
                rates("invalid_rate", amber),
                rates("spam_rate", purple),
                rates("complaint_rate", red),
            ],
            percent=True,
        ),
    ]


def table_rows(report: Report) -> tuple[SafeString, SafeString]:
    """The day-by-day table's rows (newest first) and its totals row, as HTML.

    Built here rather than in the template: a year is 8,000 cells, and the
    template language would spend a fifth of the page's time on them. Every
    cell is a number, a percentage or a date we formatted ourselves.
    """

    def row(label: str, f: Figures, *, quiet: bool = False) -> str:
        counts = "".join(f"<td>{getattr(f, column):,}</td>" for column in COLUMNS)
        rates = "".join(f"<td>{rate(value)}</td>" for value in f.rates().values())
        opening = '<tr class="quiet">' if quiet else "<tr>"
        return f'{opening}<th scope="row">{escape(label)}</th>{counts}{rates}</tr>'

    days = "\n".join(
        row(f"{f.day:%a %Y-%m-%d}", f, quiet=not (f.requests or f.sent or f.opened))
        for f in reversed(report.days)
    )
    return mark_safe(days), mark_safe(row("Total", report.total))


# The CSV's columns: the day, every counter, then the rates as fractions.
CSV_HEADER = ["date", *COLUMNS, *RATES]


def csv_response(report: Report, filters: Filters, *, slug: str) -> HttpResponse:
    name = f"statistics-{slug}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for figures in report.days:
        writer.writerow(
            [
                figures.day.isoformat(),
                *figures.counts().values(),
                *("" if r is None else f"{r:.4f}" for r in figures.rates().values()),
            ]
        )
    return response
