from django.http import HttpRequest


def login_attempt_email(request: HttpRequest, credentials: dict | None) -> str:
    """The email a login attempt was for, as django-axes counts failures.

    Django authenticates with the user model's USERNAME_FIELD (`email`), while
    the login form posts it as `username`; lower-case so case games cannot
    dodge the count.
    """
    credentials = credentials or {}
    email = (
        credentials.get("email")
        or credentials.get("username")
        or request.POST.get("username")
        or ""
    )
    return email.strip().lower()
