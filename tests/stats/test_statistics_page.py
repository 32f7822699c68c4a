import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from sending.quota import sending_day
from tests.conftest import client_for
from tests.factories import SenderDomainFactory
from tests.stats.helpers import counter, typical

URL = reverse("stats:overview")


@pytest.fixture
def today():
    return sending_day()


@pytest.fixture
def domain(account):
    return SenderDomainFactory(account=account, name="news.acme.com", verified=True)


def figure(response, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', response.text)
    assert match, f"no {name} figure on the page"
    return match.group(1)


@pytest.mark.parametrize("persona", ["owner", "operator", "reviewer"])
def test_every_member_reads_the_statistics(request, persona, domain, today):
    counter(domain, today, sent=1200, delivered=1150, unique_opened=600)

    response = client_for(request.getfixturevalue(persona)).get(URL)

    assert response.status_code == 200
    assert figure(response, "sent") == "1,200"
    assert figure(response, "delivered") == "1,150"
    assert "95.8% deliverability" in response.text
    assert "52.2% open rate" in response.text  # 600 of 1,150 delivered


def test_the_page_says_figures_may_lag(owner_client, domain, today):
    counter(domain, today, sent=1)

    response = owner_client.get(URL)

    assert "may lag a few minutes" in response.text


def test_without_mail_the_page_says_so(owner_client, domain):
    response = owner_client.get(URL)

    assert response.status_code == 200
    assert "No mail in this period" in response.text
    assert "may lag a few minutes" in response.text
    assert "<svg" not in response.text
    assert "Download CSV" not in response.text


def test_the_default_range_is_the_last_30_days(owner_client, domain, today):
    counter(domain, today, sent=5)
    counter(domain, today - timedelta(days=29), sent=7)
    counter(domain, today - timedelta(days=30), sent=1000)

    response = owner_client.get(URL)

    assert figure(response, "sent") == "12"
    assert response.context["report"].start == today - timedelta(days=29)
    assert len(response.context["report"].days) == 30


def test_charts_are_svg_with_a_tooltip_per_day(owner_client, domain, today):
    counter(domain, today, **typical(1000))

    response = owner_client.get(URL, {"start": today - timedelta(days=6)})

    svgs = re.findall(r"<svg .*?</svg>", response.text, flags=re.S)
    assert len(svgs) == 6
    for svg in svgs:
        assert 'role="img"' in svg
        assert svg.count('<rect class="day"') == 7
    assert ">Sent and delivered</title>" in response.text
    assert "Deliverability: 95.00%" in response.text
    assert "Complaint rate: 0.11%" in response.text  # 1 of 950 delivered
    assert "Invalid-address rate: 3.00%" in response.text


def test_the_table_lists_every_day_and_the_totals(owner_client, domain, today):
    counter(domain, today, **typical(1000))
    counter(domain, today - timedelta(days=2), provider="qq.com", **typical(200))

    response = owner_client.get(URL, {"start": today - timedelta(days=3)})

    table = response.text.split('id="daily-figures"')[1].split("</table>")[0]
    assert table.count("<tr") == 2 + 4 + 1  # two header rows, 4 days, totals
    total = table.split("<tfoot>")[1]
    assert '<th scope="row">Total</th>' in total
    assert "<td>1,200</td>" in total  # sent
    assert "<td>1,140</td>" in total  # delivered


def test_filters_by_domain_and_provider(owner_client, account, domain, today):
    other = SenderDomainFactory(account=account, name="billing.acme.com", verified=True)
    counter(domain, today, "gmail.com", sent=100)
    counter(domain, today, "qq.com", sent=20)
    counter(other, today, "gmail.com", sent=3)

    by_domain = owner_client.get(URL, {"domain": "news.acme.com"})
    by_provider = owner_client.get(URL, {"provider": "gmail.com"})
    # A grouped domain selects its provider.
    both = owner_client.get(
        URL, {"domain": "news.acme.com", "provider": "googlemail.com"}
    )

    assert figure(by_domain, "sent") == "120"
    assert figure(by_provider, "sent") == "103"
    assert figure(both, "sent") == "100"
    assert '<option value="gmail.com" selected>gmail.com</option>' in both.text
    # No breakdown by what a filter fixes.
    assert "By sender domain" not in by_domain.text
    assert "By mailbox provider" in by_domain.text
    assert "By mailbox provider" not in by_provider.text
    assert "By sender domain" in by_provider.text


def test_the_breakdowns_rank_providers_and_domains(
    owner_client, account, domain, today
):
    other = SenderDomainFactory(account=account, name="billing.acme.com", verified=True)
    counter(domain, today, "qq.com", sent=20, delivered=20)
    counter(domain, today, "gmail.com", sent=100, delivered=90)
    counter(other, today, "gmail.com", sent=3, delivered=3)

    response = owner_client.get(URL)

    providers = [f.label for f in response.context["providers"]]
    domains = [f.label for f in response.context["domains"]]
    assert providers == ["gmail.com", "qq.com"]
    assert domains == ["news.acme.com", "billing.acme.com"]
    assert response.context["providers"][0].sent == 103


def test_another_accounts_domain_is_refused(owner_client, domain, today):
    theirs = SenderDomainFactory(name="secret.other.com", verified=True)
    counter(theirs, today, sent=999)

    response = owner_client.get(URL, {"domain": "secret.other.com"})

    assert response.status_code == 200
    assert "Choose one of your sender domains." in response.text
    assert "999" not in response.text
    assert "secret.other.com" not in response.text


def test_an_outsider_sees_only_their_own_account(outsider_client, domain, today):
    counter(domain, today, sent=4321)

    response = outsider_client.get(URL)

    assert response.status_code == 200
    assert "No mail in this period" in response.text
    assert "4,321" not in response.text
    assert "news.acme.com" not in response.text


@pytest.mark.parametrize(
    ("params", "error"),
    [
        (
            {"start": "2026-03-10", "end": "2026-03-01"},
            "The start date is after the end date.",
        ),
        ({"start": "2024-01-01", "end": "2026-01-01"}, "Choose at most 366 days."),
        ({"start": "yesterday"}, "Enter a valid date."),
    ],
)
def test_bad_ranges_are_explained(owner_client, domain, params, error):
    response = owner_client.get(URL, params)

    assert response.status_code == 200
    assert error in response.text
    assert "report" not in response.context


def test_csv_export_has_every_day_with_the_same_filters(owner_client, domain, today):
    counter(domain, today, "gmail.com", **typical(1000))
    counter(domain, today, "qq.com", **typical(200))
    start = today - timedelta(days=2)

    response = owner_client.get(
        URL, {"start": start, "provider": "gmail.com", "format": "csv"}
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="statistics-acme-{start:%Y%m%d}-{today:%Y%m%d}.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["date"] for r in rows] == [
        (start + timedelta(days=n)).isoformat() for n in range(3)
    ]
    assert rows[0]["sent"] == "0"
    assert rows[0]["deliverability"] == ""
    assert rows[-1]["sent"] == "1000"
    assert rows[-1]["unique_opened"] == "400"
    assert rows[-1]["deliverability"] == "0.9500"
    assert rows[-1]["open_rate"] == "0.4211"  # 400 of 950 delivered
    assert list(rows[0]) == [
        "date",
        "requests",
        "accepted",
        "dropped",
        "sent",
        "delivered",
        "deferred",
        "bounced",
        "bounced_invalid",
        "bounced_spam",
        "failed",
        "opened",
        "unique_opened",
        "clicked",
        "unique_clicked",
        "unsubscribed",
        "complained",
        "invalid_rate",
        "deliverability",
        "spam_rate",
        "complaint_rate",
        "open_rate",
    ]


def test_the_csv_link_keeps_the_filters(owner_client, domain, today):
    counter(domain, today, sent=1)

    response = owner_client.get(URL, {"domain": "news.acme.com"})

    start = today - timedelta(days=29)
    assert (
        f'href="?start={start}&amp;end={today}&amp;domain=news.acme.com&amp;format=csv"'
        in response.text
    )


def test_htmx_gets_only_the_statistics(owner_client, domain, today):
    counter(domain, today, sent=1)

    response = owner_client.get(URL, headers={"HX-Request": "true"})

    assert response.text.lstrip().startswith('<div id="statistics"')
    assert "<nav" not in response.text


def test_query_count_does_not_grow_with_the_data(
    owner_client, account, today, django_assert_max_num_queries
):
    domains = SenderDomainFactory.create_batch(3, account=account, verified=True)
    for n in range(30):
        for domain in domains:
            for provider in ("gmail.com", "qq.com", "163.com", "outlook.com"):
                counter(domain, today - timedelta(days=n), provider, **typical(100))

    with django_assert_max_num_queries(7):
        response = owner_client.get(URL)

    assert figure(response, "sent") == f"{100 * 30 * 3 * 4:,}"
