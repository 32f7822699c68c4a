import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from sending.quota import sending_day
from tests.domains.test_domains_browser import log_in
from tests.factories import SenderDomainFactory
from tests.stats.helpers import counter, typical

pytestmark = pytest.mark.browser


def test_charts_render_and_the_filters_narrow_them(page, owner, password, account):
    today = sending_day()
    news = SenderDomainFactory(account=account, name="news.acme.com", verified=True)
    bills = SenderDomainFactory(account=account, name="bills.acme.com", verified=True)
    for n in range(10):
        counter(news, today - timedelta(days=n), "gmail.com", **typical(1000))
        counter(bills, today - timedelta(days=n), "qq.com", **typical(100))
    log_in(page, owner, password)

    page.get_by_role("navigation").get_by_role("link", name="Statistics").click()

    expect(page.get_by_role("heading", name="Statistics")).to_be_visible()
    expect(page.locator("svg.chart")).to_have_count(6)
    expect(page.get_by_role("img", name="Sent and delivered")).to_be_visible()
    expect(page.locator("[data-figure=sent]")).to_have_text("11,000")

    page.get_by_label("Sender domain").select_option("bills.acme.com")
    page.get_by_role("button", name="Show").click()

    expect(page.locator("[data-figure=sent]")).to_have_text("1,000")
    expect(page).to_have_url(re.compile(r"domain=bills\.acme\.com"))
    # The browser's console stays clean: no CSP violation from the SVG.
