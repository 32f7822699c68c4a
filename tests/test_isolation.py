"""Every console URL, seen by an anonymous user and by an outsider.

Each issue that adds a console URL adds it to CONSOLE_URLS. An anonymous
visitor is sent to the login page; a member of another account gets 404 for
any object of this account, and never sees this account's data on a page.
`test_every_console_url_is_covered` fails when a URL is missing here.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Account, Invitation, User
from accounts.services import invite_member


@dataclass(frozen=True)
class ConsoleUrl:
    name: str
    # Builds URL kwargs from this account's objects; None for pages without one.
    kwargs: Callable[[Account, User], dict] | None = None
    method: str = "get"
    data: dict = field(default_factory=dict)

    @property
    def has_object(self) -> bool:
        return self.kwargs is not None


def _invitation(account: Account, owner: User) -> dict:
    invitation = invite_member(
        account=account,
        email="invitee@example.com",
        roles=["operator"],
        invited_by=owner,
    )
    return {"invitation_id": invitation.pk}


CONSOLE_URLS = [
    ConsoleUrl("overview"),
    ConsoleUrl("accounts:settings"),
    ConsoleUrl("accounts:api_keys"),
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
    ConsoleUrl("domains:list"),
    ConsoleUrl("domains:addresses"),
    ConsoleUrl("templates_app:list"),
    ConsoleUrl("templates_app:review_queue"),
    ConsoleUrl("sending:send"),
    ConsoleUrl("sending:batches"),
    ConsoleUrl("sending:recipient_lists"),
    ConsoleUrl("sending:messages"),
    ConsoleUrl("sending:suppression"),
    ConsoleUrl("stats:overview"),
]

# URLs outside the console: public pages, and ones with their own tests.
NOT_CONSOLE = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "password_change",
    "password_change_done",
    "accounts:switch",
    "accounts:accept_invitation",
}


def _url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = pattern.namespace or ""
            prefix = f"{namespace}{inner}:" if inner else namespace
            names |= _url_names(pattern, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_console_url_is_covered():
    covered = {url.name for url in CONSOLE_URLS}
    missing = _url_names(get_resolver()) - covered - NOT_CONSOLE
    assert not missing, f"add these to CONSOLE_URLS: {sorted(missing)}"


def _request(client, url: ConsoleUrl, path: str):
    return getattr(client, url.method)(path, url.data)


@pytest.mark.parametrize("url", CONSOLE_URLS, ids=lambda url: url.name)
def test_anonymous_is_sent_to_login(client, account, owner, url):
    kwargs = url.kwargs(account, owner) if url.has_object else {}
    path = reverse(url.name, kwargs=kwargs)

    response = _request(client, url, path)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("url", CONSOLE_URLS, ids=lambda url: url.name)
def test_outsider_never_reaches_this_account(
    outsider_client, account, owner, operator, url
):
    kwargs = url.kwargs(account, owner) if url.has_object else {}
    path = reverse(url.name, kwargs=kwargs)
    before = (
        Invitation.objects.filter(account=account).count(),
        account.memberships.count(),
    )

    response = _request(outsider_client, url, path)

    if url.has_object:
        assert response.status_code == 404
    else:
        # A page of the outsider's own account: nothing of this one shows.
        assert response.status_code in {200, 302, 400}
        body = response.text
        for secret in (account.name, owner.email, operator.email):
            assert secret not in body
    after = (
        Invitation.objects.filter(account=account).count(),
        account.memberships.count(),
    )
    assert after == before
