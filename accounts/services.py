"""Account, membership and invitation changes. Each runs in one transaction."""

import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.errors import (
    AlreadyMember,
    InvitationForAnotherEmail,
    InvitationNotValid,
    LastOwner,
)
from accounts.models import Account, ApiKey, Invitation, Membership, Role, User
from accounts.tasks import send_invitation_email
from sesconsole import row_cache
from sesconsole.encryption import encrypt_text

INVITATION_LIFETIME = timedelta(days=7)


def _valid_roles(roles: Iterable[str]) -> list[str]:
    chosen = sorted(set(roles))
    if not chosen or any(role not in Role.values for role in chosen):
        raise ValueError(f"Roles must be a non-empty subset of {Role.values}.")
    return chosen


@transaction.atomic
def create_account(*, name: str, slug: str, owner: User) -> Account:
    account = Account.objects.create(name=name, slug=slug)
    Membership.objects.create(account=account, user=owner, role=Role.OWNER)
    return account


@transaction.atomic
def grant_roles(*, account: Account, user: User, roles: Iterable[str]) -> None:
    """Give `user` each of `roles` in `account`; roles already held are kept."""
    for role in _valid_roles(roles):
        Membership.objects.get_or_create(account=account, user=user, role=role)


@transaction.atomic
def invite_member(
    *, account: Account, email: str, roles: Iterable[str], invited_by: User
) -> Invitation:
    """Invite `email` to `account`; replaces an earlier open invitation."""
    email = email.strip().lower()
    if Membership.objects.filter(account=account, user__email__iexact=email).exists():
        raise AlreadyMember(f"{email} is already a member of {account.name}.")
    Invitation.objects.filter(
        account=account, email__iexact=email, accepted_at__isnull=True
    ).delete()
    invitation = Invitation.objects.create(
        account=account,
        email=email,
        roles=_valid_roles(roles),
        invited_by=invited_by,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    send_invitation_email.delay_on_commit(invitation.pk)
    return invitation


def revoke_invitation(*, invitation: Invitation) -> None:
    invitation.delete()


@transaction.atomic
def accept_invitation(*, token: str, user: User) -> Account:
    """Join the invitation's account with its roles, as `user`."""
    invitation = (
        Invitation.objects.select_for_update()
        .pending()
        .filter(token=token)
        .select_related("account")
        .first()
    )
    if invitation is None:
        raise InvitationNotValid
    if invitation.email.lower() != user.email.lower():
        raise InvitationForAnotherEmail(
            f"This invitation was sent to {invitation.email}; you are logged in "
            f"as {user.email}."
        )
    grant_roles(account=invitation.account, user=user, roles=invitation.roles)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return invitation.account


@transaction.atomic
def register_invited_user(*, token: str, full_name: str, password: str) -> User:
    """Create the account of an invited person and accept the invitation."""
    invitation = Invitation.objects.pending().filter(token=token).first()
    if invitation is None:
        raise InvitationNotValid
    user = User.objects.create_user(
        invitation.email, password=password, full_name=full_name
    )
    accept_invitation(token=token, user=user)
    return user


@transaction.atomic
def remove_member(*, account: Account, user: User) -> None:
    """Remove every role of `user` in `account`, never the last owner."""
    memberships = Membership.objects.select_for_update().filter(account=account)
    owners = {m.user_id for m in memberships if m.role == Role.OWNER}
    if owners == {user.pk}:
        raise LastOwner(
            f"{user.email} is the only owner of {account.name}; make someone "
            "else an owner first."
        )
    Membership.objects.filter(account=account, user=user).delete()


@transaction.atomic
def set_member_roles(*, account: Account, user: User, roles: Iterable[str]) -> None:
    """Replace the roles of a member, keeping at least one owner."""
    chosen = _valid_roles(roles)
    memberships = Membership.objects.select_for_update().filter(account=account)
    owners = {m.user_id for m in memberships if m.role == Role.OWNER}
    if Role.OWNER not in chosen and owners == {user.pk}:
        raise LastOwner(f"{user.email} is the only owner of {account.name}.")
    Membership.objects.filter(account=account, user=user).exclude(
        role__in=chosen
    ).delete()
    grant_roles(account=account, user=user, roles=chosen)


def create_api_key(
    *, account: Account, created_by: User | None, name: str = ""
) -> tuple[ApiKey, str]:
    """A new SecretId / SecretKey pair; the SecretKey is returned to show once."""
    secret_key = secrets.token_urlsafe(24)[:32]
    key = ApiKey.objects.create(
        account=account,
        name=name.strip()[:100],
        secret_key_encrypted=encrypt_text(secret_key),
        created_by=created_by,
    )
    return key, secret_key


def find_api_key(secret_id: str, *, any_version: bool = False) -> ApiKey | None:
    """The API key with this SecretId and its account, or None.

    Every API request looks its key up: a per-process copy serves it (of any
    age with `any_version`: see sesconsole.row_cache.lookup).
    """
    return row_cache.lookup(
        ("api-key", secret_id),
        lambda: (
            ApiKey.objects.select_related("account").filter(secret_id=secret_id).first()
        ),
        any_version=any_version,
    )


def set_api_key_enabled(*, key: ApiKey, enabled: bool) -> None:
    key.disabled_at = None if enabled else timezone.now()
    key.save(update_fields=["disabled_at"])


def delete_api_key(*, key: ApiKey) -> None:
    key.delete()
