from django.urls import reverse

from accounts.models import Invitation, Membership, Role
from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory


def roles_of(user, account) -> set[str]:
    return set(
        Membership.objects.filter(user=user, account=account).values_list(
            "role", flat=True
        )
    )


def test_owner_invites_a_new_person_who_signs_up_and_joins(
    owner_client, account, client
):
    response = owner_client.post(
        reverse("accounts:invite"),
        {"email": "New.Person@Example.com", "roles": [Role.OPERATOR, Role.REVIEWER]},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(account=account)
    assert invitation.email == "new.person@example.com"

    accept_url = reverse("accounts:accept_invitation", args=[invitation.token])
    response = client.post(
        accept_url,
        {
            "full_name": "Nina New",
            "password1": "a-good-long-passphrase",
            "password2": "a-good-long-passphrase",
        },
    )

    assert response.status_code == 302
    overview = client.get(reverse("overview"))
    assert "Acme Mail" in overview.text
    user = overview.context["user"]
    assert roles_of(user, account) == {Role.OPERATOR, Role.REVIEWER}
    assert client.get(accept_url).status_code == 404  # used once


def test_existing_user_accepts_while_logged_in(owner_client, account, outsider):
    owner_client.post(
        reverse("accounts:invite"), {"email": outsider.email, "roles": [Role.REVIEWER]}
    )
    invitation = Invitation.objects.get(account=account)

    client = client_for(outsider)
    client.post(reverse("accounts:accept_invitation", args=[invitation.token]))

    assert roles_of(outsider, account) == {Role.REVIEWER}


def test_invitation_for_someone_else_is_refused(owner_client, account, outsider):
    owner_client.post(
        reverse("accounts:invite"),
        {"email": "third@example.com", "roles": ["operator"]},
    )
    invitation = Invitation.objects.get(account=account)

    response = client_for(outsider).post(
        reverse("accounts:accept_invitation", args=[invitation.token]), follow=True
    )

    assert "was sent to third@example.com" in response.text
    assert roles_of(outsider, account) == set()


def test_bad_invite_email_and_missing_role_are_shown_inline(owner_client, account):
    response = owner_client.post(reverse("accounts:invite"), {"email": "not-an-email"})

    assert response.status_code == 400
    assert "Enter a full email address" in response.text
    assert "Choose at least one role." in response.text
    assert not Invitation.objects.exists()


def test_inviting_a_member_again_is_refused(owner_client, operator):
    response = owner_client.post(
        reverse("accounts:invite"), {"email": operator.email, "roles": ["reviewer"]}
    )

    assert response.status_code == 400
    assert "already a member" in response.text


def test_operator_cannot_invite(operator_client):
    response = operator_client.post(
        reverse("accounts:invite"), {"email": "x@example.com", "roles": ["operator"]}
    )

    assert response.status_code == 403
    assert "Owner role" in response.text
    assert not Invitation.objects.exists()


def test_owner_removes_a_member(owner_client, account, operator):
    owner_client.post(reverse("accounts:remove_member", args=[operator.pk]))

    assert roles_of(operator, account) == set()


def test_the_last_owner_cannot_be_removed(owner_client, account, owner):
    response = owner_client.post(
        reverse("accounts:remove_member", args=[owner.pk]), follow=True
    )

    assert "only owner" in response.text
    assert roles_of(owner, account) == {Role.OWNER}


def test_owner_changes_roles_and_a_member_holds_several(
    owner_client, account, operator
):
    owner_client.post(
        reverse("accounts:member_roles", args=[operator.pk]),
        {"roles": [Role.OPERATOR, Role.REVIEWER]},
    )

    assert roles_of(operator, account) == {Role.OPERATOR, Role.REVIEWER}


def test_revoked_invitation_no_longer_works(owner_client, account, client):
    owner_client.post(
        reverse("accounts:invite"), {"email": "gone@example.com", "roles": ["operator"]}
    )
    invitation = Invitation.objects.get()
    owner_client.post(reverse("accounts:revoke_invitation", args=[invitation.pk]))

    response = client.get(
        reverse("accounts:accept_invitation", args=[invitation.token])
    )

    assert response.status_code == 404
    assert "not valid" in response.text


def test_switching_account_changes_what_the_console_shows(
    owner, account, other_account
):
    MembershipFactory(account=other_account, user=owner, role=Role.OPERATOR)
    client = client_for(owner)

    client.post(reverse("accounts:switch"), {"account": "other"})
    response = client.get(reverse("overview"))

    assert "Other Corp" in response.text
    assert response.context["current_roles"] == {Role.OPERATOR}


def test_switching_to_an_unknown_account_says_so(owner_client):
    response = owner_client.post(
        reverse("accounts:switch"), {"account": "nope"}, follow=True
    )

    assert "You are not a member of an account named “nope”" in response.text
    assert "Acme Mail" in response.text


def test_user_without_an_account_is_told_so(db):
    loner = UserFactory(email="loner@example.com")

    response = client_for(loner).get(reverse("overview"))

    assert response.status_code == 403
    assert "not in an account yet" in response.text


def test_overview_shows_real_counts_with_few_queries(
    owner_client, operator, reviewer, django_assert_max_num_queries
):
    # One count per figure plus the shell's own queries: constant, not per row.
    with django_assert_max_num_queries(12):
        response = owner_client.get(reverse("overview"))

    assert response.context["figures"].members == 3
    assert response.context["figures"].pending_invitations == 0
    assert "Add a sender domain" in response.text
