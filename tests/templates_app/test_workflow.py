"""Draft → pending → approved | rejected, with every version kept."""

import pytest

from templates_app import services
from templates_app.errors import (
    ContainsBlockedContent,
    RejectReasonMissing,
    TemplateContentIsNull,
    TemplateContentTooLarge,
    TemplateNameIllegal,
    TemplateStatusError,
    VariableInStyle,
)
from templates_app.models import EmailTemplate, Status, TemplateVersion
from templates_app.variables import render_version
from tests.factories import EmailTemplateFactory


def create(account, author, **fields):
    values = {"name": "Welcome", "kind": "html", "body": "<p>Hi {{name}}</p>"}
    return services.create_template(
        account=account, author=author, **{**values, **fields}
    )


def test_a_new_template_is_a_draft_with_its_variables_and_text(account, operator):
    template = create(
        account, operator, body='<h1>Hi {{name}}</h1><a href="{{link}}">Go</a>'
    )

    version = template.current_version
    assert (template.status, version.status, version.number) == ("draft", "draft", 1)
    assert version.variables == ["name", "link"]
    assert version.body_text == "Hi {{name}}\n\nGo ({{link}})"
    assert version.text_generated
    assert version.url_templates == ["{{link}}"]
    assert not EmailTemplate.objects.for_account(account).sendable().exists()


def test_what_the_sanitiser_removed_is_kept_on_the_version(account, operator):
    template = create(
        account, operator, body="<p onclick='x()'>Hi</p><script>1</script>"
    )

    assert template.current_version.removed == [
        {"what": "onclick event handler on <p>", "count": 1},
        {"what": "<script> element", "count": 1},
    ]


def test_submit_approve_makes_the_template_sendable(account, operator, reviewer):
    template = create(account, operator)

    version = services.submit_template(template=template, author=operator)
    assert (version.status, version.submitted_by) == (Status.PENDING, operator)
    services.approve_version(version=version, reviewer=reviewer)

    template.refresh_from_db()
    assert template.status == Status.APPROVED
    assert template.approved_version == version
    assert list(EmailTemplate.objects.for_account(account).sendable()) == [template]
    assert render_version(template.approved_version, {"name": "Ann"}).text == "Hi Ann"


def test_an_edited_approved_template_stays_sendable_until_the_new_version_passes(
    account, operator, reviewer
):
    template = EmailTemplateFactory(account=account, author=operator, status="approved")
    first = template.approved_version

    second = services.update_template(
        template=template,
        author=operator,
        name=template.name,
        kind="html",
        body="<p>Hello again {{name}}</p>",
    )

    template.refresh_from_db()
    assert (second.number, second.status) == (2, Status.PENDING)
    assert template.approved_version == first
    assert EmailTemplate.objects.for_account(account).sendable().get() == template

    services.reject_version(version=second, reviewer=reviewer, reason="Typo in line 1")
    template.refresh_from_db()
    assert template.status == Status.REJECTED
    assert template.approved_version == first

    third = services.update_template(
        template=template, author=operator, name=template.name, kind="html",
        body="<p>Hello again, {{name}}</p>", submit=True,
    )  # fmt: skip
    services.approve_version(version=third, reviewer=reviewer)
    template.refresh_from_db()
    assert template.approved_version == third
    assert list(template.versions.values_list("number", "status", "reason")) == [
        (3, "approved", ""),
        (2, "rejected", "Typo in line 1"),
        (1, "approved", ""),
    ]


def test_a_draft_is_edited_in_place(account, operator):
    template = create(account, operator)

    version = services.update_template(
        template=template, author=operator, name="Welcome v2", kind="text",
        body="Plain {{code}}",
    )  # fmt: skip

    assert version.pk == template.current_version_id
    assert TemplateVersion.objects.filter(template=template).count() == 1
    template.refresh_from_db()
    assert (template.name, template.kind, version.body_text) == (
        "Welcome v2",
        "text",
        "Plain {{code}}",
    )
    assert version.body_html == ""


def test_a_pending_version_cannot_be_edited_until_withdrawn(account, operator):
    template = create(account, operator, submit=True)

    with pytest.raises(TemplateStatusError, match="Withdraw it"):
        services.update_template(
            template=template, author=operator, name="x", kind="html", body="<p>x</p>"
        )
    services.withdraw_template(template=template, author=operator)

    template.refresh_from_db()
    assert template.status == Status.DRAFT
    assert template.current_version.submitted_at is None


def test_blocking_words_refuse_submission_and_change_nothing(
    account, operator, settings
):
    settings.SES_BLOCKING_WORDS = ["fake invoice"]
    template = create(account, operator, body="<p>Buy a fake invoice</p>")
    assert template.current_version.blocking_findings

    with pytest.raises(ContainsBlockedContent, match="Blocked word “fake invoice”"):
        services.submit_template(template=template, author=operator)

    template.refresh_from_db()
    assert (template.status, template.current_version.status) == ("draft", "draft")


def test_save_and_submit_with_a_blocking_word_writes_nothing(
    account, operator, settings
):
    settings.SES_BLOCKING_WORDS = ["fake invoice"]

    with pytest.raises(ContainsBlockedContent):
        create(account, operator, body="<p>fake invoice</p>", submit=True)

    assert not EmailTemplate.objects.exists()
    assert not TemplateVersion.objects.exists()


def test_sensitive_findings_go_with_the_submission(account, operator, settings):
    settings.SES_SENSITIVE_WORDS = ["casino"]
    template = create(account, operator, body="<p>Casino night! 加微信 acme_shop1</p>")

    version = services.submit_template(template=template, author=operator)

    assert [f.label for f in version.finding_list] == [
        "Sensitive word “casino”",
        "WeChat ID acme_shop1",
        "Asks readers to add a WeChat contact",
    ]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": "  "}, TemplateNameIllegal),
        ({"name": "x" * 101}, TemplateNameIllegal),
        ({"body": "   "}, TemplateContentIsNull),
        ({"body": "<script>alert(1)</script>"}, TemplateContentIsNull),
        ({"body": '<p style="color: {{c}}">x</p>'}, VariableInStyle),
        ({"body": "x" * 2000}, TemplateContentTooLarge),
    ],
)
def test_bad_content_is_refused_and_nothing_is_written(
    account, operator, settings, fields, error
):
    settings.SES_TEMPLATE_MAX_BYTES = 1000

    with pytest.raises(error):
        create(account, operator, **fields)

    assert not EmailTemplate.objects.exists()


def test_names_are_unique_per_account_whatever_the_case(
    account, operator, other_account
):
    create(account, operator, name="Welcome")
    EmailTemplateFactory(account=other_account, name="Welcome")

    with pytest.raises(TemplateNameIllegal, match="already exists"):
        create(account, operator, name="WELCOME")


def test_a_rejection_needs_a_reason(account, operator, reviewer):
    template = create(account, operator, submit=True)

    with pytest.raises(RejectReasonMissing):
        services.reject_version(
            version=template.current_version, reviewer=reviewer, reason="  "
        )

    template.current_version.refresh_from_db()
    assert template.current_version.status == Status.PENDING


def test_a_version_is_reviewed_once(account, operator, reviewer):
    template = create(account, operator, submit=True)
    version = template.current_version
    services.approve_version(version=version, reviewer=reviewer)

    with pytest.raises(TemplateStatusError, match="not waiting for review"):
        services.reject_version(version=version, reviewer=reviewer, reason="Oops")


def test_the_review_queue_is_oldest_first(account, operator, reviewer):
    first = EmailTemplateFactory(account=account, author=operator, status="pending")
    second = EmailTemplateFactory(account=account, author=operator, status="pending")
    EmailTemplateFactory(account=account, author=operator)  # a draft

    queue = TemplateVersion.objects.for_account(account).pending_review()

    assert [v.template for v in queue] == [first, second]
