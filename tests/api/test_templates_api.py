"""Email template actions through the official SDK."""

import base64
import time

from accounts.models import Membership, Role
from templates_app.models import EmailTemplate, Status
from tests.api.conftest import call, refused
from tests.factories import EmailTemplateFactory, MessageFactory


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def unb64(value: str) -> str:
    return base64.b64decode(value).decode()


def next_second() -> None:
    """Wait for the next second, so an equal body is not refused as a replay.

    The SDK signs the body and the time in seconds, not the action.
    """
    time.sleep(1 - time.time() % 1)


def content(html: str = "", text: str = "") -> dict:
    return {key: b64(value) for key, value in (("Html", html), ("Text", text)) if value}


def test_a_created_template_goes_to_review_as_the_key_creator(ses, account, owner):
    response = call(
        ses,
        "CreateEmailTemplate",
        TemplateName="Welcome",
        TemplateContent=content("<p>Hello {{name}}</p>", "Hello {{name}}"),
    )

    template = EmailTemplate.objects.get(pk=response.TemplateID)
    assert template.account == account
    assert template.status == Status.PENDING
    assert template.current_version.submitted_by == owner
    assert template.current_version.body_text == "Hello {{name}}"
    assert template.current_version.variables == ["name"]


def test_a_text_only_template_is_a_plain_text_template(ses):
    response = call(
        ses,
        "CreateEmailTemplate",
        TemplateName="Plain",
        TemplateContent=content(text="Hi {{name}}"),
    )

    template = EmailTemplate.objects.get(pk=response.TemplateID)
    assert template.kind == "text"
    assert template.current_version.body_html == ""


def test_create_refuses_what_the_console_refuses(ses, account):
    EmailTemplateFactory(account=account, name="Taken")
    good = content("<p>Hi</p>")

    def create(name: str, template_content: dict) -> str:
        return refused(
            ses,
            "CreateEmailTemplate",
            TemplateName=name,
            TemplateContent=template_content,
        )

    assert create("   ", good) == "InvalidParameterValue.TemplateNameIsNULL"
    assert create("taken", good) == "InvalidParameterValue.TemplateNameIllegal"
    assert create("x" * 101, good) == "InvalidParameterValue.TemplateNameIllegal"
    assert create("A", {}) == "InvalidParameterValue.TemplateContentIsNULL"
    assert create("B", {"Html": "   "}) == (
        "InvalidParameterValue.TemplateContentIsNULL"
    )
    assert create("C", {"Html": "not base64!"}) == (
        "InvalidParameterValue.TemplateContentIsWrong"
    )
    assert create("D", {"Text": b64("{% if x %}")}) == (
        "InvalidParameterValue.TemplateContentIsWrong"
    )
    assert create("E", content("<p>赌博</p>")) == "FailedOperation.ContainSensitiveWord"
    assert not EmailTemplate.objects.filter(name__in=["A", "B", "C", "D", "E"]).exists()


def test_a_missing_template_content_is_a_missing_parameter(ses):
    code = refused(ses, "CreateEmailTemplate", TemplateName="No content")

    assert code == "MissingParameter"


def test_a_key_whose_creator_is_no_longer_an_author_cannot_write(ses, account, owner):
    Membership.objects.filter(account=account, user=owner).update(role=Role.REVIEWER)
    template = EmailTemplateFactory(account=account, status="approved")

    assert refused(
        ses, "CreateEmailTemplate", TemplateName="New", TemplateContent=content("x")
    ) == ("OperationDenied.KeyCreatorNotAuthor")
    assert refused(
        ses,
        "UpdateEmailTemplate",
        TemplateID=template.pk,
        TemplateName=template.name,
        TemplateContent=content("<p>New</p>"),
    ) == ("OperationDenied.KeyCreatorNotAuthor")
    assert refused(ses, "DeleteEmailTemplate", TemplateID=template.pk) == (
        "OperationDenied.KeyCreatorNotAuthor"
    )


def test_get_returns_the_current_version_and_its_status(ses, account):
    template = EmailTemplateFactory(
        account=account,
        name="Receipt",
        body="<p>Paid {{amount}}</p>",
        text_alternative="Paid {{amount}}",
        status="approved",
    )

    response = call(ses, "GetEmailTemplate", TemplateID=template.pk)

    assert response.TemplateName == "Receipt"
    assert response.TemplateStatus == 0
    assert "<p>Paid {{amount}}</p>" in unb64(response.TemplateContent.Html)
    assert unb64(response.TemplateContent.Text) == "Paid {{amount}}"


def test_statuses_map_to_tencents_numbers(ses, account):
    statuses = ["approved", "pending", "rejected", "draft"]
    ids = {
        status: EmailTemplateFactory(account=account, status=status).pk
        for status in statuses
    }

    got = {
        status: call(ses, "GetEmailTemplate", TemplateID=ids[status]).TemplateStatus
        for status in statuses
    }

    assert got == {"approved": 0, "pending": 1, "rejected": 2, "draft": 3}


def test_another_accounts_template_does_not_exist(ses, outsider_ses, account):
    template = EmailTemplateFactory(account=account, status="approved")
    content_ = content("<p>Mine now</p>")

    assert refused(outsider_ses, "GetEmailTemplate", TemplateID=template.pk) == (
        "InvalidParameterValue.TemplateNotExist"
    )
    assert refused(
        outsider_ses,
        "UpdateEmailTemplate",
        TemplateID=template.pk,
        TemplateName="Stolen",
        TemplateContent=content_,
    ) == ("InvalidParameterValue.TemplateNotExist")
    next_second()
    assert refused(outsider_ses, "DeleteEmailTemplate", TemplateID=template.pk) == (
        "InvalidParameterValue.TemplateNotExist"
    )
    assert call(outsider_ses, "ListEmailTemplates", Limit=10, Offset=0).TotalCount == 0
    assert refused(ses, "GetEmailTemplate", TemplateID=template.pk + 1000) == (
        "InvalidParameterValue.TemplateNotExist"
    )
    assert EmailTemplate.objects.get(pk=template.pk).name == template.name


def test_list_pages_this_accounts_templates_newest_first(ses, account, other_account):
    first = EmailTemplateFactory(account=account, name="First", status="approved")
    second = EmailTemplateFactory(account=account, name="Second", status="rejected")
    EmailTemplateFactory(account=other_account, name="Theirs")

    response = call(ses, "ListEmailTemplates", Limit=1, Offset=0)
    rest = call(ses, "ListEmailTemplates", Limit=10, Offset=1)

    assert response.TotalCount == 2
    [newest] = response.TemplatesMetadata
    assert (newest.TemplateID, newest.TemplateName) == (second.pk, "Second")
    assert newest.TemplateStatus == 2
    assert newest.ReviewReason == "Not this time."
    assert newest.CreatedTimestamp == int(second.created_at.timestamp())
    assert [t.TemplateID for t in rest.TemplatesMetadata] == [first.pk]
    assert rest.TemplatesMetadata[0].ReviewReason == ""


def test_list_refuses_a_negative_offset(ses):
    code = refused(ses, "ListEmailTemplates", Limit=10, Offset=-1)

    assert code == "InvalidParameterValue"


def test_an_update_is_reviewed_while_the_approved_version_stays_sendable(ses, account):
    template = EmailTemplateFactory(account=account, name="News", status="approved")
    approved = template.approved_version

    call(
        ses,
        "UpdateEmailTemplate",
        TemplateID=template.pk,
        TemplateName="News v2",
        TemplateContent=content("<p>New look</p>"),
    )

    template.refresh_from_db()
    assert template.name == "News v2"
    assert template.status == Status.PENDING
    assert template.approved_version == approved
    assert template.current_version.number == 2
    assert "New look" in template.current_version.body_html
    got = call(ses, "GetEmailTemplate", TemplateID=template.pk)
    assert got.TemplateStatus == 1
    assert "New look" in unb64(got.TemplateContent.Html)


def test_update_refuses_a_pending_template_and_bad_content(ses, account):
    pending = EmailTemplateFactory(account=account, status="pending")
    rejected = EmailTemplateFactory(account=account, status="rejected")

    def update(template: EmailTemplate, name: str, template_content: dict) -> str:
        return refused(
            ses,
            "UpdateEmailTemplate",
            TemplateID=template.pk,
            TemplateName=name,
            TemplateContent=template_content,
        )

    assert update(pending, pending.name, content("<p>Now</p>")) == (
        "OperationDenied.TemplateStatusError"
    )
    assert update(rejected, "", content("<p>Now</p>")) == (
        "InvalidParameterValue.TemplateNameIsNULL"
    )
    assert update(rejected, rejected.name, {"Text": "%%%"}) == (
        "InvalidParameterValue.TemplateContentIsWrong"
    )
    assert update(rejected, pending.name, content("<p>Now</p>")) == (
        "InvalidParameterValue.TemplateNameIllegal"
    )
    assert update(rejected, rejected.name, content("<p>博彩</p>")) == (
        "FailedOperation.ContainSensitiveWord"
    )
    rejected.refresh_from_db()
    assert rejected.status == Status.REJECTED
    assert rejected.current_version.number == 1


def test_delete_removes_the_template_and_its_versions(ses, account):
    template = EmailTemplateFactory(account=account, status="approved")

    call(ses, "DeleteEmailTemplate", TemplateID=template.pk)

    assert not EmailTemplate.objects.filter(pk=template.pk).exists()
    next_second()
    assert refused(ses, "GetEmailTemplate", TemplateID=template.pk) == (
        "InvalidParameterValue.TemplateNotExist"
    )


def test_a_template_that_messages_used_cannot_be_deleted(ses, account):
    template = EmailTemplateFactory(account=account, status="approved")
    MessageFactory(domain__account=account, template_version=template.approved_version)

    code = refused(ses, "DeleteEmailTemplate", TemplateID=template.pk)

    assert code == "OperationDenied.TemplateInUse"
    assert EmailTemplate.objects.filter(pk=template.pk).exists()
