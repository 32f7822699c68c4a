import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def log_in(page, user, password):
    page.goto("/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Acme Mail")).to_be_visible()


def test_add_domain_publish_records_verify_and_add_address(page, owner, password, dns):
    log_in(page, owner, password)
    page.get_by_role("navigation").get_by_role("link", name="Sender domains").click()
    expect(page.get_by_text("No sender domains yet")).to_be_visible()

    page.get_by_label("Domain", exact=True).fill("acme-mail.com")
    page.get_by_role("button", name="Add domain").click()
    expect(page.get_by_role("heading", name="acme-mail.com")).to_be_visible()
    expect(page.get_by_text("Pending verification")).to_be_visible()

    # Read the four records off the page and publish them, as an operator would.
    rows = page.locator("#dns-records tbody tr")
    expect(rows).to_have_count(4)
    for index in range(4):
        row = rows.nth(index)
        record_type = row.locator("td").first.inner_text().split()[-1]
        host = row.locator("[data-field=host]").inner_text()
        value = row.locator("[data-field=value]").inner_text()
        dns.set(host, record_type, [value])

    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Check now").click()

    records = page.locator("#dns-records")
    expect(records.get_by_text("Verified", exact=True)).to_be_visible()
    expect(records.locator(".badge.ok", has_text="Pass")).to_have_count(4)
    assert page.evaluate("window.notReloaded") is True

    page.get_by_role("navigation").get_by_role("link", name="Sender addresses").click()
    page.get_by_label("Address prefix").fill("noreply")
    page.get_by_label("Sender name").fill("Acme Support")
    page.get_by_role("button", name="Create address").click()

    expect(page.get_by_role("heading", name="noreply@acme-mail.com")).to_be_visible()
    expect(page.get_by_text("Acme Support <noreply@acme-mail.com>")).to_be_visible()


def test_a_wrong_record_shows_what_is_seen(page, owner, password, dns):
    log_in(page, owner, password)
    page.goto("/domains/")
    page.get_by_label("Domain", exact=True).fill("acme-mail.com")
    page.get_by_role("button", name="Add domain").click()
    dns.set("acme-mail.com", "TXT", ["v=spf1 include:_spf.google.com ~all"])

    page.get_by_role("button", name="Check now").click()

    spf = page.locator("tr[data-record=spf]")
    expect(spf.locator(".badge.bad")).to_have_text("Fail")
    expect(spf.get_by_text("v=spf1 include:_spf.google.com ~all").first).to_be_visible()
    expect(spf.get_by_text("Do not add a second record")).to_be_visible()
