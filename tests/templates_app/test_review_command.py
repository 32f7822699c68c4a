"""`manage.py review_template`: staff review from the command line."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role
from templates_app.models import Status
from tests.factories import EmailTemplateFactory, MembershipFactory, UserFactory


@pytest.fixture
def pending(account, operator):
    return EmailTemplateFactory(account=account, author=operator, status="pending")


def review(*args: str) -> str:
    out = StringIO()
    call_command("review_template", *args, stdout=out)
    return out.getvalue()


def test_a_reviewer_approves_from_the_command_line(pending, reviewer):
    output = review(str(pending.pk), "approve", "--reviewer", reviewer.email)

    pending.refresh_from_db()
    assert pending.status == Status.APPROVED
    assert pending.approved_version.reviewed_by == reviewer
    assert f"Approved “{pending.name}” version 1 (Acme Mail)" in output


def test_staff_reject_with_a_reason(pending):
    staff = UserFactory(email="staff@platform.example.com", is_staff=True)

    review(str(pending.pk), "reject", "--reason", "Spam", "--reviewer", staff.email)

    pending.refresh_from_db()
    assert pending.status == Status.REJECTED
    assert pending.current_version.reason == "Spam"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["reject", "--reviewer", "reviewer@acme.example.com"], "Say why"),
        (["approve", "--reviewer", "operator@acme.example.com"], "reviewer role"),
        (["approve", "--reviewer", "nobody@example.com"], "no active user"),
    ],
)
def test_refusals_are_explained(pending, reviewer, operator, args, message):
    with pytest.raises(CommandError, match=message):
        review(str(pending.pk), *args)

    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_the_submitter_cannot_review_their_own_version(account, reviewer):
    MembershipFactory(account=account, user=reviewer, role=Role.OPERATOR)
    template = EmailTemplateFactory(account=account, author=reviewer, status="pending")

    with pytest.raises(CommandError, match=r"OperationDenied\.ReviewOwnSubmission"):
        review(str(template.pk), "approve", "--reviewer", reviewer.email)


def test_a_template_without_a_pending_version_is_refused(account, reviewer):
    draft = EmailTemplateFactory(account=account)

    with pytest.raises(CommandError, match="no version waiting for review"):
        review(str(draft.pk), "approve", "--reviewer", reviewer.email)
    with pytest.raises(CommandError, match="no template with ID 999999"):
        review("999999", "approve", "--reviewer", reviewer.email)
