from django.conf import settings
from django.http import HttpRequest

from accounts.models import Account
from sesconsole.navigation import navigation_for


def console(request: HttpRequest) -> dict[str, object]:
    """The shell's data: current account, the switcher's list, navigation."""
    context = getattr(request, "account_context", None)
    if context is None:
        return {}
    return {
        "current_account": context.account,
        "current_roles": context.roles,
        "my_accounts": Account.objects.for_user(request.user),
        "navigation": navigation_for(context.roles, debug=settings.DEBUG),
    }
