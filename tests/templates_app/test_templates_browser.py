"""In a real browser: upload, preview, submit, review, approve, see it approved."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# A one-pixel transparent PNG, so the email has an image without any network.
PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNk"
    "YAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
WELCOME_HTML = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Welcome</title></head>
<body>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0">
  <tr><td style="padding: 24px; font-family: Arial, sans-serif">
    <img src="{PIXEL}" alt="Acme logo" width="40" height="40">
    <h1 style="color: #0b6cff">Hello {{{{first_name}}}}</h1>
    <p>Your account is ready.
      <a href="https://acme.example.com/start">Get started</a></p>
    <p onclick="alert('hi')">Thanks for joining Acme.</p>
    <script>alert("xss")</script>
  </td></tr>
</table>
</body></html>
""".encode()


def log_in(page, user, password):
    page.goto("/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_upload_preview_submit_review_and_approve(page, operator, reviewer, password):
    log_in(page, operator, password)
    page.get_by_role("navigation", name="Console").get_by_role(
        "link", name="Templates"
    ).click()
    expect(page.get_by_text("No templates yet")).to_be_visible()
    page.get_by_role("link", name="Create your first template").click()

    page.get_by_label("Name").fill("Welcome email")
    page.get_by_label("Summary").fill("Sent when someone signs up")
    page.get_by_label("Or upload a file").set_input_files(
        files=[
            {"name": "welcome.html", "mimeType": "text/html", "buffer": WELCOME_HTML}
        ]
    )
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_text("Version 1 was saved as a draft.")).to_be_visible()
    expect(
        page.get_by_text("We removed what email cannot safely carry")
    ).to_be_visible()
    removed = page.locator("#removed")
    expect(removed.get_by_text("<script> element")).to_be_visible()
    expect(removed.get_by_text("onclick event handler on <p>")).to_be_visible()

    page.get_by_role("link", name="Preview with your values").click()
    page.get_by_label("{{first_name}}").fill("Ada")
    page.get_by_role("button", name="Update preview").click()
    email = page.frame_locator("iframe.preview-frame")
    expect(email.get_by_role("heading", name="Hello Ada")).to_be_visible()
    expect(email.get_by_role("img", name="Acme logo")).to_be_visible()
    page.get_by_role("link", name="Mobile").click()
    expect(page.locator(".device.narrow")).to_be_visible()
    assert page.locator(".device.narrow").bounding_box()["width"] <= 400
    expect(
        page.frame_locator(".device.narrow iframe").get_by_text("Hello Ada")
    ).to_be_visible()

    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Welcome email"
    ).click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Version 1 was submitted.")).to_be_visible()
    expect(page.get_by_role("heading", name="Waiting for review")).to_be_visible()
    log_out(page)

    log_in(page, reviewer, password)
    page.get_by_role("navigation", name="Console").get_by_role(
        "link", name="Review queue"
    ).click()
    row = page.get_by_role("row", name="Welcome email")
    expect(row.get_by_text("clean")).to_be_visible()
    row.get_by_role("link", name="Review").click()
    expect(
        page.frame_locator("iframe.preview-frame").get_by_text("Hello [first_name]")
    ).to_be_visible()
    page.get_by_role("button", name="Approve version 1").click()
    expect(page.get_by_text("It can be sent now.")).to_be_visible()
    expect(page.get_by_text("Nothing waiting for review")).to_be_visible()
    log_out(page)

    log_in(page, operator, password)
    page.goto("/templates/")
    row = page.get_by_role("row", name="Welcome email")
    expect(row.get_by_text("Approved")).to_be_visible()

    page.get_by_label("Search").fill("nothing like it")
    expect(page.get_by_text("No templates match")).to_be_visible()
    page.get_by_label("Search").fill("welcome")
    page.get_by_label("Status").select_option("rejected")
    expect(page.get_by_text("No templates match")).to_be_visible()
    page.get_by_label("Status").select_option("approved")
    expect(page.get_by_role("row", name="Welcome email")).to_be_visible()
    expect(page).to_have_url("/templates/?q=welcome&status=approved")


def test_rejection_reason_reaches_the_author(page, operator, reviewer, password):
    log_in(page, operator, password)
    page.goto("/templates/new/")
    page.get_by_label("Name").fill("Promo")
    page.get_by_label("Plain text").check()
    page.get_by_label("Body", exact=True).fill("Sale! 加微信 acme_shop1 for {{code}}")
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.get_by_text("Version 1 was submitted for review.")).to_be_visible()
    expect(page.get_by_text("WeChat ID acme_shop1")).to_be_visible()
    log_out(page)

    log_in(page, reviewer, password)
    page.goto("/review/")
    expect(page.get_by_text("2 findings")).to_be_visible()
    page.get_by_role("link", name="Review", exact=True).click()
    page.get_by_role("button", name="Reject").click()
    expect(
        page.get_by_text("Say why, so the author knows what to fix.")
    ).to_be_visible()
    page.get_by_label("Reason").fill("Remove the WeChat ID, then resubmit.")
    page.get_by_role("button", name="Reject").click()
    expect(page.get_by_text("The author sees your reason.")).to_be_visible()
    log_out(page)

    log_in(page, operator, password)
    page.goto("/templates/")
    expect(
        page.get_by_text("Reason: Remove the WeChat ID, then resubmit.")
    ).to_be_visible()
