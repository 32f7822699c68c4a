"""Console URLs of the accounts app, for the shared isolation test."""

from accounts.models import Account, User
from accounts.services import create_api_key, invite_member
from tests.console_urls import ConsoleUrl


def _invitation(account: Account, owner: User) -> dict:
    invitation = invite_member(
        account=account,
        email="invitee@example.com",
        roles=["operator"],
        invited_by=owner,
    )
    return {"invitation_id": invitation.pk}


def _api_key(account: Account, owner: User) -> dict:
    key, _ = create_api_key(account=account, created_by=owner)
    return {"key_id": key.pk}


URLS = [
    ConsoleUrl("overview"),
    ConsoleUrl("accounts:settings"),
    ConsoleUrl("accounts:api_keys"),
    ConsoleUrl("accounts:api_key_toggle", _api_key, method="post"),
    ConsoleUrl("accounts:api_key_delete", _api_key, method="post"),
    ConsoleUrl("accounts:invite", method="post", data={"email": "x@example.com"}),
    ConsoleUrl("accounts:revoke_invitation", _invitation, method="post"),
    ConsoleUrl(
        "accounts:remove_member", lambda a, owner: {"user_id": owner.pk}, method="post"
    ),
    ConsoleUrl(
        "accounts:member_roles",
        lambda a, owner: {"user_id": owner.pk},
        method="post",
        data={"roles": ["reviewer"]},
    ),
]
