from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from accounts.access import SESSION_KEY, resolve_account_context


class CurrentAccountMiddleware:
    """Attach `request.account_context` and `request.account` to each request.

    Both are None for anonymous users and for users without any account.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context = None
        if request.user.is_authenticated:
            context = resolve_account_context(
                request.user, request.session.get(SESSION_KEY)
            )
        request.account_context = context
        request.account = context.account if context else None
        return self.get_response(request)
