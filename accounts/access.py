"""The current account of a request, and what its user may do there.

Every console view is wrapped in `console_view`; every object it shows is
fetched through `get_for_account_or_404`, so another account's objects answer
404 — the user never learns they exist.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.models import Account, Membership, Role, User

SESSION_KEY = "current_account_id"


@dataclass(frozen=True)
class AccountContext:
    """The account a request acts in, with the roles its user holds there."""

    account: Account
    roles: frozenset[str] = field(default_factory=frozenset)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def resolve_account_context(
    user: User, preferred_account_id: int | None
) -> AccountContext | None:
    """Pick the preferred account if the user is a member, else their first."""
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("account")
        .order_by("account__name", "account_id")
    )
    if not memberships:
        return None
    account_ids = [m.account_id for m in memberships]
    chosen = (
        preferred_account_id if preferred_account_id in account_ids else account_ids[0]
    )
    roles = frozenset(m.role for m in memberships if m.account_id == chosen)
    account = next(m.account for m in memberships if m.account_id == chosen)
    return AccountContext(account=account, roles=roles)


def console_view(
    *roles: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Require a logged-in member of the current account holding one of `roles`.

    Anonymous users go to the login page; a user without any account sees a
    page saying so; a member without the role gets a 403 page naming it.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            context: AccountContext | None = request.account_context
            if context is None:
                return render(request, "accounts/no_account.html", status=403)
            if roles and not context.has_role(*roles):
                return role_required(request, *roles)
            return view(request, *args, **kwargs)

        wrapper.console_view = True  # type: ignore[attr-defined]
        return wrapper

    return decorator


def role_required(request: HttpRequest, *roles: str) -> HttpResponse:
    """The 403 page naming the roles a member needs for what they tried."""
    return render(
        request,
        "accounts/role_required.html",
        {"required_roles": [Role(r).label for r in roles]},
        status=403,
    )


class AccountScopedQuerySet[M: models.Model](models.QuerySet[M]):
    """Base queryset of every model that belongs to an account."""

    def for_account(self, account: Account) -> "AccountScopedQuerySet[M]":
        return self.filter(account=account)


def get_for_account_or_404[M: models.Model](
    queryset: models.QuerySet[M], account: Account, **lookup: Any
) -> M:
    """Fetch one object of `account`; anything else is a 404."""
    if account is None:
        raise Http404
    return get_object_or_404(queryset.filter(account=account), **lookup)


def switch_account(request: HttpRequest, slug: str) -> Account | None:
    """Make the user's account with `slug` current; None if they have none."""
    account = Account.objects.for_user(request.user).filter(slug=slug).first()
    if account is not None:
        request.session[SESSION_KEY] = account.pk
    return account
