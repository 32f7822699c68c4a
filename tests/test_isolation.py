"""Every console URL, seen by an anonymous user and by an outsider.

Each app lists its console URLs in tests/<app>/console_urls.py. An anonymous
visitor is sent to the login page; a member of another account gets 404 for
any object of this account, and never sees this account's data on a page.
`test_every_console_url_is_covered` fails when a URL is missing there.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Invitation
from tests.accounts import console_urls as accounts_urls
from tests.console_urls import ConsoleUrl
from tests.domains import console_urls as domains_urls
from tests.sending import console_urls as sending_urls
from tests.stats import console_urls as stats_urls
from tests.templates_app import console_urls as templates_urls

CONSOLE_URLS = [
    *accounts_urls.URLS,
    *domains_urls.URLS,
    *templates_urls.URLS,
    *sending_urls.URLS,
    *stats_urls.URLS,
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
    "unsubscribe",
    "track_open",
    "track_click",
    "api",  # the HTTP API authenticates by signature: tests/api
    "healthz",
    # Development only (404 unless DEBUG): the local mail sink's mailbox.
    "sending:dev_mailbox",
    "sending:dev_mailbox_message",
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
        # A page of the outsider's own account (or a role they lack there):
        # nothing of this one shows.
        assert response.status_code in {200, 302, 400, 403}
        body = response.text
        for secret in (account.name, owner.email, operator.email):
            assert secret not in body
    after = (
        Invitation.objects.filter(account=account).count(),
        account.memberships.count(),
    )
    assert after == before
