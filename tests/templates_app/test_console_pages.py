"""The console pages: list, create and edit, detail, review queue and review."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from templates_app import services
from templates_app.models import EmailTemplate, Status, TemplateVersion
from tests.conftest import client_for
from tests.factories import EmailTemplateFactory

LIST = reverse("templates_app:list")
CREATE = reverse("templates_app:create")


def no_inline_styles(html: str) -> bool:
    """The console's CSP forbids style attributes; the email frame is separate."""
    return ' style="' not in html and "<style" not in html


# --- List -------------------------------------------------------------------


def test_the_empty_list_invites_authors_to_create_one(owner_client, reviewer_client):
    page = owner_client.get(LIST).text
    assert "No templates yet" in page
    assert "Create your first template" in page

    page = reviewer_client.get(LIST).text
    assert "Owners and operators create templates." in page
    assert "New template" not in page


def test_the_list_shows_status_live_version_and_rejection_reason(
    account, operator, reviewer, owner_client
):
    EmailTemplateFactory(account=account, name="Receipt", status="approved")
    rejected = EmailTemplateFactory(account=account, name="Promo", status="rejected")
    rejected.current_version.reason = "Remove the QQ number please"
    rejected.current_version.save()
    live = EmailTemplateFactory(account=account, name="Welcome", status="approved")
    live_version = live.current_version
    services.update_template(
        template=live, author=operator, name="Welcome", kind="html", body="<p>v2</p>"
    )

    page = owner_client.get(LIST).text

    assert page.count("Approved") >= 1
    assert "Reason: Remove the QQ number please" in page
    assert f"v{live_version.number} live" in page
    assert "Pending review" in page
    assert no_inline_styles(page)


def test_search_and_status_filter(account, owner_client):
    EmailTemplateFactory(account=account, name="Password reset", summary="Security")
    EmailTemplateFactory(account=account, name="Newsletter May", status="pending")
    EmailTemplateFactory(account=account, name="Newsletter June")

    assert _names(owner_client.get(LIST, {"q": "newsletter"})) == [
        "Newsletter June",
        "Newsletter May",
    ]
    assert _names(owner_client.get(LIST, {"q": "security"})) == ["Password reset"]
    assert _names(owner_client.get(LIST, {"status": "pending"})) == ["Newsletter May"]
    page = owner_client.get(LIST, {"q": "nothing like it"}).text
    assert "No templates match" in page


def _names(response) -> list[str]:
    return [t.name for t in response.context["page"].object_list]


def test_htmx_filtering_returns_only_the_table(account, owner_client):
    EmailTemplateFactory(account=account, name="Receipt")

    response = owner_client.get(
        LIST, {"q": "rec"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="template-table"
    )

    assert response.text.lstrip().startswith('<div id="template-table">')
    assert "Receipt" in response.text
    assert "<html" not in response.text


def test_the_list_takes_the_same_queries_for_3_or_30_templates(account, owner_client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(LIST).status_code == 200
        return len(captured)

    for _ in range(3):
        EmailTemplateFactory(account=account, status="rejected")
    few = queries()
    for _ in range(27):
        EmailTemplateFactory(account=account, status="approved")

    assert queries() == few


# --- Create and edit --------------------------------------------------------


def test_uploading_an_html_file_creates_a_draft_and_reports_removals(
    account, owner_client
):
    upload = SimpleUploadedFile(
        "welcome.html",
        b"<html><body><p>Hi {{name}}</p><script>alert(1)</script></body></html>",
        content_type="text/html",
    )

    response = owner_client.post(
        CREATE,
        {"name": "Welcome", "kind": "text", "upload": upload, "action": "save"},
        follow=True,
    )

    template = EmailTemplate.objects.get(account=account)
    version = template.current_version
    assert (template.kind, version.status, version.source_filename) == (
        "html",
        "draft",
        "welcome.html",
    )
    assert version.body_html == "<p>Hi {{name}}</p>"
    assert "Version 1 was saved as a draft." in response.text
    assert "We removed what email cannot safely carry: &lt;script&gt; element" in (
        response.text
    )


def test_save_and_submit_sends_it_to_review(account, operator_client):
    operator_client.post(
        CREATE,
        {
            "name": "Receipt",
            "kind": "text",
            "body": "Paid {{amount}}",
            "action": "submit",
        },
    )

    template = EmailTemplate.objects.get(account=account)
    assert template.status == Status.PENDING


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "body": "x"}, "name", "Give the template a name."),
        ({"name": "A", "body": ""}, "body", "Type the body of the template or upload"),
        ({"name": "A", "body": "Hi {{ user.name }}"}, "body", "{{ user.name }}"),
        (
            {"name": "A", "body": "<p>x</p>", "text_alternative": "{% now %}"},
            "text_alternative",
            "Only plain variables",
        ),
        ({"name": "A", "body": '<p style="color:{{c}}">x</p>'}, "body", "style"),
    ],
)
def test_bad_input_is_shown_inline_and_nothing_is_saved(
    owner_client, data, field, message
):
    response = owner_client.post(CREATE, {"kind": "html", **data})

    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert "has-error" in response.text
    assert not EmailTemplate.objects.exists()


def test_a_bad_upload_is_explained_next_to_the_file_field(owner_client, settings):
    settings.SES_TEMPLATE_MAX_BYTES = 1024
    latin = SimpleUploadedFile("fr.html", "<p>café</p>".encode("latin-1"))
    response = owner_client.post(CREATE, {"name": "A", "kind": "html", "upload": latin})
    assert "not valid UTF-8" in str(response.context["form"].errors["upload"])

    big = SimpleUploadedFile("big.txt", b"x" * 5000)
    response = owner_client.post(CREATE, {"name": "A", "kind": "html", "upload": big})
    assert "The file is 5 KB; the limit is 1 KB." in str(
        response.context["form"].errors["upload"]
    )
    assert not EmailTemplate.objects.exists()


def test_a_taken_name_is_shown_on_the_name_field(account, owner_client):
    EmailTemplateFactory(account=account, name="Welcome")

    response = owner_client.post(
        CREATE, {"name": "welcome", "kind": "text", "body": "x"}
    )

    assert "already exists" in str(response.context["form"].errors["name"])


def test_editing_an_approved_template_goes_to_review(account, owner, owner_client):
    template = EmailTemplateFactory(account=account, author=owner, status="approved")
    edit = reverse("templates_app:edit", args=[template.pk])

    page = owner_client.get(edit).text
    assert "Submit changes for review" in page
    assert "Save draft" not in page
    assert "Hello {{name}}" in page

    owner_client.post(
        edit, {"name": template.name, "kind": "html", "body": "<p>New {{name}}</p>"}
    )

    template.refresh_from_db()
    assert template.current_version.number == 2
    assert template.status == Status.PENDING
    assert template.approved_version.number == 1


def test_a_pending_template_must_be_withdrawn_before_editing(
    account, owner, owner_client
):
    template = EmailTemplateFactory(account=account, author=owner, status="pending")

    page = owner_client.get(reverse("templates_app:edit", args=[template.pk])).text
    assert "Withdraw from review" in page
    response = owner_client.post(
        reverse("templates_app:edit", args=[template.pk]),
        {"name": "x", "kind": "text", "body": "changed"},
    )
    assert "Withdraw it from review" in response.text

    owner_client.post(reverse("templates_app:withdraw", args=[template.pk]))
    template.refresh_from_db()
    assert template.status == Status.DRAFT


def test_submitting_from_the_detail_page(account, owner, owner_client, settings):
    settings.SES_BLOCKING_WORDS = ["forbidden"]
    good = EmailTemplateFactory(account=account, author=owner)
    bad = EmailTemplateFactory(account=account, author=owner, body="<p>forbidden</p>")

    owner_client.post(reverse("templates_app:submit", args=[good.pk]))
    response = owner_client.post(
        reverse("templates_app:submit", args=[bad.pk]), follow=True
    )

    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.status, bad.status) == ("pending", "draft")
    assert "cannot be submitted: Blocked word “forbidden”" in response.text


# --- Detail -------------------------------------------------------------------


def test_the_detail_page_shows_findings_removals_preview_and_history(
    account, owner, owner_client
):
    template = EmailTemplateFactory(
        account=account,
        author=owner,
        body='<p onclick="x()">Scan the QR code, {{name}}</p>',
        status="rejected",
    )

    page = owner_client.get(reverse("templates_app:detail", args=[template.pk])).text

    assert "Mentions a QR code" in page
    assert "onclick event handler on &lt;p&gt;" in page
    assert "Version 1 was rejected" in page
    assert "Not this time." in page
    assert '<iframe class="preview-frame compact" src="/templates/' in page
    assert " sandbox " in page
    assert "allow-scripts" not in page
    assert no_inline_styles(page)


# --- Review -------------------------------------------------------------------


def test_the_review_queue_lists_pending_versions_oldest_first_with_age(
    account, operator, reviewer_client
):
    old = EmailTemplateFactory(
        account=account, author=operator, name="Old", status="pending"
    )
    TemplateVersion.objects.filter(pk=old.current_version_id).update(
        submitted_at=timezone.now() - timedelta(days=8)
    )
    EmailTemplateFactory(
        account=account, author=operator, name="Fresh", status="pending",
        body="<p>加微信 acme_shop1</p>",
    )  # fmt: skip
    EmailTemplateFactory(account=account, author=operator, name="Draft")

    response = reviewer_client.get(reverse("templates_app:review_queue"))

    assert [v.template.name for v in response.context["versions"]] == ["Old", "Fresh"]
    page = response.text
    assert page.index("Old") < page.index("Fresh")
    assert "1\xa0week, 1\xa0day" in page  # timesince, with no-break spaces
    assert "overdue" in page
    assert "2 findings" in page
    assert response.context["overdue"] == 1
    assert no_inline_styles(page)


def test_an_empty_queue_says_so(reviewer_client):
    assert (
        "Nothing waiting for review"
        in reviewer_client.get(reverse("templates_app:review_queue")).text
    )


def test_rejecting_needs_a_reason_and_the_author_sees_it(
    account, operator, reviewer_client
):
    template = EmailTemplateFactory(account=account, author=operator, status="pending")
    reject = reverse("templates_app:reject", args=[template.current_version_id])

    response = reviewer_client.post(reject, {"reason": ""})
    assert response.status_code == 400
    assert "Say why, so the author knows what to fix." in response.text

    reviewer_client.post(reject, {"reason": "Remove the WeChat ID."})
    page = client_for(operator).get(LIST).text
    assert "Rejected" in page
    assert "Reason: Remove the WeChat ID." in page


def test_approving_from_the_review_page(account, operator, reviewer_client):
    template = EmailTemplateFactory(account=account, author=operator, status="pending")
    review = reverse("templates_app:review", args=[template.current_version_id])

    page = reviewer_client.get(review).text
    assert "Approve version 1" in page
    response = reviewer_client.post(
        reverse("templates_app:approve", args=[template.current_version_id]),
        follow=True,
    )

    assert "It can be sent now." in response.text
    template.refresh_from_db()
    assert template.is_sendable
