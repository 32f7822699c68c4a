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


def test_unbuilt_area_says_so_honestly(page, owner, password):
    page.goto("/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("navigation").get_by_role("link", name="Statistics").click()

    expect(page.get_by_text("Statistics is not available yet")).to_be_visible()
