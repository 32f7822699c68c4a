from datetime import timedelta

from django.utils import timezone

from templates_app import services
from templates_app.models import TemplateVersion
from tests.factories import EmailTemplateFactory
from tests.templates_app.test_templates_browser import WELCOME_HTML, log_in, log_out

OUT = "/tmp/shots"


def shot(page, name):
    page.screenshot(path=f"{OUT}/{name}.png", full_page=True)


def test_screens(page, account, owner, operator, reviewer, password, settings):
    settings.SES_SENSITIVE_WORDS = ["casino"]
    log_in(page, operator, password)
    page.goto("/templates/")
    shot(page, "01_list_empty")
    page.goto("/templates/new/")
    page.get_by_label("Name").fill("Bad one")
    page.get_by_label("Body", exact=True).fill("Hi {{ user.name }} {% for x in y %}")
    page.get_by_role("button", name="Save draft").click()
    shot(page, "02_new_with_errors")

    welcome = EmailTemplateFactory(account=account, author=operator, name="Welcome email",
        summary="Sent when someone signs up", body=WELCOME_HTML.decode())
    promo = EmailTemplateFactory(account=account, author=operator, name="Spring promo",
        summary="Seasonal newsletter", body="<p>Casino night! 加微信 acme_shop1, QQ 12345678. Scan the QR code.</p><p>{{first_name}}, {{code}}</p>", status="pending")
    TemplateVersion.objects.filter(pk=promo.current_version_id).update(submitted_at=timezone.now() - timedelta(days=6))
    EmailTemplateFactory(account=account, author=operator, name="Password reset", summary="Security mail", status="approved",
        body="<p>Reset: <a href='{{link}}'>link</a></p>")
    r = EmailTemplateFactory(account=account, author=operator, name="Invoice", status="rejected")
    v = r.current_version; v.reason = "The footer needs our postal address and an unsubscribe link."; v.save()
    live = EmailTemplateFactory(account=account, author=operator, name="Order shipped", status="approved", body="<h2>Your order {{order_id}} shipped</h2>")
    services.update_template(template=live, author=operator, name="Order shipped", kind="html", body="<h2>Order {{order_id}} is on its way</h2>")
    page.goto("/templates/")
    shot(page, "03_list")
    page.goto(f"/templates/{welcome.pk}/")
    page.wait_for_timeout(1500)
    shot(page, "04_detail_draft")
    page.goto(f"/templates/{r.pk}/")
    shot(page, "05_detail_rejected")
    page.goto(f"/templates/{welcome.pk}/versions/1/preview/?v-first_name=Ada")
    page.wait_for_timeout(1500)
    shot(page, "06_preview_desktop")
    page.get_by_role("link", name="Mobile").click()
    page.wait_for_timeout(1500)
    shot(page, "07_preview_mobile")
    page.goto(f"/templates/{welcome.pk}/edit/")
    shot(page, "08_edit")
    page.goto(f"/templates/{live.pk}/edit/")
    shot(page, "08b_edit_pending")
    log_out(page)
    log_in(page, reviewer, password)
    page.goto("/review/")
    shot(page, "09_queue")
    page.goto(f"/review/{promo.current_version_id}/")
    page.wait_for_timeout(1500)
    print("FRAMESRC", page.locator("iframe").get_attribute("src"))
    print("FRAME", page.frame_locator("iframe").locator("body").inner_html())
    shot(page, "10_review")
    page.screenshot(path=f"{OUT}/10b_review_viewport.png")
    page.set_viewport_size({"width": 420, "height": 900})
    page.goto("/templates/")
    shot(page, "11_list_narrow")
