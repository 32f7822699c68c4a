import pytest
from playwright.sync_api import expect

from accounts.models import Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.browser


def test_log_in_see_overview_switch_account_and_log_out(
    page, owner, password, other_account
):
    MembershipFactory(account=other_account, user=owner, role=Role.OPERATOR)

    page.goto("/")
    expect(page).to_have_url("/login/?next=/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Acme Mail")).to_be_visible()
    expect(page.get_by_text("Get started")).to_be_visible()
    nav = page.get_by_role("navigation", name="Console")
    expect(nav.get_by_role("link", name="Sender domains")).to_be_visible()

    page.get_by_label("Switch account").select_option(label="Other Corp")
    expect(page.get_by_role("heading", name="Other Corp")).to_be_visible()
    expect(page.get_by_text("You are now working in Other Corp.")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url("/login/?next=/")


def test_every_navigation_link_opens_a_page_of_its_own(page, owner, password):
    page.goto("/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()

    links = page.get_by_role("navigation").get_by_role("link")
    names = [links.nth(n).inner_text() for n in range(links.count())]
    assert "Statistics" in names
    for name in names:
        page.get_by_role("navigation").get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.get_by_text("not available yet")).to_have_count(0)
