"""Who may do what: authors write, reviewers review (never their own work)."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Role
from templates_app import services
from templates_app.errors import CannotReviewOwnSubmission, NotAllowed
from templates_app.models import Status
from tests.conftest import client_for
from tests.factories import EmailTemplateFactory, MembershipFactory, UserFactory
from tests.templates_app.console_urls import URLS


@pytest.fixture
def pending(account, operator):
    return EmailTemplateFactory(account=account, author=operator, status="pending")


def test_an_operator_cannot_approve(pending, operator, operator_client):
    version = pending.current_version
    other_operator = MembershipFactory(account=pending.account, role=Role.OPERATOR).user

    with pytest.raises(NotAllowed):
        services.approve_version(version=version, reviewer=other_operator)
    response = operator_client.post(reverse("templates_app:approve", args=[version.pk]))

    assert response.status_code == 403
    version.refresh_from_db()
    assert version.status == Status.PENDING


def test_a_reviewer_cannot_approve_their_own_submission(account, reviewer):
    MembershipFactory(account=account, user=reviewer, role=Role.OPERATOR)
    template = EmailTemplateFactory(account=account, author=reviewer, status="pending")
    version = template.current_version

    with pytest.raises(CannotReviewOwnSubmission):
        services.approve_version(version=version, reviewer=reviewer)
    response = client_for(reviewer).post(
        reverse("templates_app:approve", args=[version.pk]), follow=True
    )

    assert "another reviewer has to review it" in response.text
    version.refresh_from_db()
    assert version.status == Status.PENDING


def test_the_database_refuses_a_self_review_too(account, reviewer, pending):
    version = pending.current_version
    version.reviewed_by = version.submitted_by

    with pytest.raises(IntegrityError), transaction.atomic():
        version.save()


def test_a_reviewer_of_another_account_cannot_review(pending, other_account):
    stranger = MembershipFactory(account=other_account, role=Role.REVIEWER).user

    with pytest.raises(NotAllowed):
        services.approve_version(version=pending.current_version, reviewer=stranger)


def test_a_reviewer_without_author_role_cannot_create(
    account, reviewer, reviewer_client
):
    with pytest.raises(NotAllowed):
        services.create_template(
            account=account, author=reviewer, name="x", kind="text", body="x"
        )
    response = reviewer_client.post(
        reverse("templates_app:create"), {"name": "x", "kind": "text", "body": "x"}
    )

    assert response.status_code == 403
    assert not account.email_templates.exists()


def test_an_operator_cannot_open_the_review_pages(pending, operator_client):
    assert operator_client.get(reverse("templates_app:review_queue")).status_code == 403
    response = operator_client.get(
        reverse("templates_app:review", args=[pending.current_version_id])
    )
    assert response.status_code == 403


def test_platform_staff_may_review_any_account(pending):
    staff = UserFactory(email="staff@platform.example.com", is_staff=True)

    services.approve_version(version=pending.current_version, reviewer=staff)

    pending.refresh_from_db()
    assert pending.status == Status.APPROVED


@pytest.mark.parametrize(
    "url", [url for url in URLS if url.has_object], ids=lambda url: url.name
)
def test_an_outsider_gets_404_on_every_template_url_whatever_their_roles(
    account, owner, other_account, outsider, url
):
    for role in (Role.OPERATOR, Role.REVIEWER):  # the outsider owns their account
        MembershipFactory(account=other_account, user=outsider, role=role)
    path = reverse(url.name, kwargs=url.kwargs(account, owner))

    response = getattr(client_for(outsider), url.method)(path, url.data)

    assert response.status_code == 404
