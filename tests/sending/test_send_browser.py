import pytest
from playwright.sync_api import expect

from tests.domains.test_domains_browser import log_in
from tests.sending.helpers import approved_template, verified_sender

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_send_form_points_out_bad_lines_then_shows_live_delivery(
    page, owner, password, account, dns, mail_sink, celery_worker
):
    verified_sender(account, dns)
    approved_template(
        account, name="Welcome", body="<p>Hello {{name}}, code {{code}}</p>"
    )
    log_in(page, owner, password)
    page.get_by_role("navigation").get_by_role("link", name="Send email").click()

    page.get_by_label("Template").select_option(label="Welcome")
    expect(page.get_by_label("{{code}}")).to_be_visible()  # fields of its variables
    page.get_by_label("Subject").fill("Your code, {{name}}")
    page.get_by_label("Recipients").fill(
        "success@simulator.invalid\nnot-an-address\nsuccess@simulator.invalid"
    )
    page.get_by_label("{{name}}").fill("Ana")
    page.get_by_label("{{code}}").fill("4711")
    page.get_by_role("button", name="Send").click()

    expect(
        page.get_by_text("Line 2: “not-an-address” is not a valid email address.")
    ).to_be_visible()
    expect(
        page.get_by_text("Line 3: success@simulator.invalid is a duplicate.")
    ).to_be_visible()

    page.get_by_label("Recipients").fill(
        "success@simulator.invalid\nbounce@simulator.invalid"
    )
    page.get_by_label("{{name}}").fill("Ana")
    page.get_by_label("{{code}}").fill("4711")
    page.get_by_role("button", name="Send").click()

    rows = page.locator("#request-messages")
    expect(
        rows.locator("tr[data-recipient='success@simulator.invalid'] .badge")
    ).to_have_text("Delivered", timeout=20_000)
    expect(
        rows.locator("tr[data-recipient='bounce@simulator.invalid'] .badge")
    ).to_have_text("Bounced: invalid address")
    expect(rows.get_by_text("Done")).to_be_visible()
    assert (
        "Hello Ana, code 4711"
        in mail_sink.received[0].message().get_body(("html",)).get_content()
    )
