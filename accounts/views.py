from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import services
from accounts.access import (
    console_view,
    get_for_account_or_404,
    role_required,
    switch_account,
)
from accounts.errors import AlreadyMember, LastOwner
from accounts.forms import (
    AcceptInvitationForm,
    AccountSettingsForm,
    ApiKeyForm,
    InviteMemberForm,
    MemberRolesForm,
)
from accounts.models import ApiKey, Invitation, Membership, Role, User
from accounts.overview import overview_figures
from sesconsole.errors import ServiceError


@console_view()
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/overview.html",
        {"figures": overview_figures(request.account)},
    )


def _members(account: object) -> list[dict[str, object]]:
    rows: dict[int, dict[str, object]] = {}
    for membership in Membership.objects.filter(account=account).select_related("user"):
        row = rows.setdefault(
            membership.user_id, {"user": membership.user, "roles": []}
        )
        row["roles"].append(membership.role)
    return sorted(rows.values(), key=lambda row: row["user"].email)


def _settings_page(
    request: HttpRequest,
    *,
    settings_form: AccountSettingsForm | None = None,
    invite_form: InviteMemberForm | None = None,
    status: int = 200,
) -> HttpResponse:
    account = request.account
    return render(
        request,
        "accounts/settings.html",
        {
            "settings_form": settings_form or AccountSettingsForm(instance=account),
            "invite_form": invite_form or InviteMemberForm(),
            "members": _members(account),
            "invitations": Invitation.objects.filter(account=account).pending(),
            "is_owner": request.account_context.has_role(Role.OWNER),
            "roles": Role.choices,
        },
        status=status,
    )


@console_view()
def account_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not request.account_context.has_role(Role.OWNER):
            return role_required(request, Role.OWNER)
        form = AccountSettingsForm(request.POST, instance=request.account)
        if form.is_valid():
            form.save()
            messages.success(request, "Account settings saved.")
            return redirect("accounts:settings")
        return _settings_page(request, settings_form=form, status=400)
    return _settings_page(request)


@require_POST
@console_view(Role.OWNER)
def invite_member(request: HttpRequest) -> HttpResponse:
    form = InviteMemberForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invite_member(
                account=request.account,
                email=form.cleaned_data["email"],
                roles=form.cleaned_data["roles"],
                invited_by=request.user,
            )
        except AlreadyMember as error:
            form.add_error("email", error.message)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. It is valid for 7 days.",
            )
            return redirect("accounts:settings")
    return _settings_page(request, invite_form=form, status=400)


@require_POST
@console_view(Role.OWNER)
def revoke_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_for_account_or_404(
        Invitation.objects.pending(), request.account, pk=invitation_id
    )
    services.revoke_invitation(invitation=invitation)
    messages.success(request, f"Invitation to {invitation.email} revoked.")
    return redirect("accounts:settings")


def _member_or_404(request: HttpRequest, user_id: int) -> User:
    """A member of the current account, or 404 (whatever their roles)."""
    membership = (
        Membership.objects.filter(account=request.account, user_id=user_id)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise Http404
    return membership.user


@require_POST
@console_view(Role.OWNER)
def remove_member(request: HttpRequest, user_id: int) -> HttpResponse:
    member = _member_or_404(request, user_id)
    try:
        services.remove_member(account=request.account, user=member)
    except LastOwner as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{member.email} was removed from the account.")
    return redirect("accounts:settings")


@require_POST
@console_view(Role.OWNER)
def change_member_roles(request: HttpRequest, user_id: int) -> HttpResponse:
    member = _member_or_404(request, user_id)
    form = MemberRolesForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Choose at least one role for {member.email}.")
        return redirect("accounts:settings")
    try:
        services.set_member_roles(
            account=request.account, user=member, roles=form.cleaned_data["roles"]
        )
    except LastOwner as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Roles of {member.email} updated.")
    return redirect("accounts:settings")


@require_POST
@login_required
def switch(request: HttpRequest) -> HttpResponse:
    slug = request.POST.get("account", "").strip()
    account = switch_account(request, slug)
    if account is None:
        messages.error(request, f"You are not a member of an account named “{slug}”.")
    else:
        messages.success(request, f"You are now working in {account.name}.")
    return redirect("overview")


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Join an account: logged-in invitees confirm, new people sign up."""
    invitation = (
        Invitation.objects.pending().filter(token=token).select_related("account")
    ).first()
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    has_login = User.objects.filter(email__iexact=invitation.email).exists()
    form = None
    if not request.user.is_authenticated and not has_login:
        form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST":
        if not request.user.is_authenticated and has_login:
            return redirect_to_login(request.path)
        try:
            if request.user.is_authenticated:
                services.accept_invitation(token=token, user=request.user)
            elif form.is_valid():
                user = services.register_invited_user(
                    token=token,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                )
                login(
                    request, user, backend="django.contrib.auth.backends.ModelBackend"
                )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            if request.user.is_authenticated:
                switch_account(request, invitation.account.slug)
                messages.success(request, f"Welcome to {invitation.account.name}.")
                return redirect("overview")
    return render(
        request,
        "accounts/accept_invitation.html",
        {"invitation": invitation, "form": form, "has_login": has_login},
        status=400 if form is not None and form.errors else 200,
    )


def _api_keys_page(
    request: HttpRequest, *, new_key: tuple | None = None, form: object = None
) -> HttpResponse:
    return render(
        request,
        "accounts/api_keys.html",
        {
            "keys": ApiKey.objects.for_account(request.account).select_related(
                "created_by"
            ),
            "new_key": new_key,
            "form": form or ApiKeyForm(),
            "is_owner": request.account_context.has_role(Role.OWNER),
            "endpoint": request.build_absolute_uri("/"),
        },
        status=400 if form is not None and form.errors else 200,
    )


@console_view()
def api_keys(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _api_keys_page(request)
    if not request.account_context.has_role(Role.OWNER):
        return role_required(request, Role.OWNER)
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _api_keys_page(request, form=form)
    key, secret_key = services.create_api_key(
        account=request.account, created_by=request.user, name=form.cleaned_data["name"]
    )
    # The SecretKey is shown in this response only.
    return _api_keys_page(request, new_key=(key, secret_key))


@require_POST
@console_view(Role.OWNER)
def api_key_toggle(request: HttpRequest, key_id: int) -> HttpResponse:
    key = get_for_account_or_404(ApiKey.objects.all(), request.account, pk=key_id)
    services.set_api_key_enabled(key=key, enabled=not key.is_enabled)
    state = "enabled" if key.is_enabled else "disabled"
    messages.success(request, f"API key {key.secret_id} {state}.")
    return redirect("accounts:api_keys")


@require_POST
@console_view(Role.OWNER)
def api_key_delete(request: HttpRequest, key_id: int) -> HttpResponse:
    key = get_for_account_or_404(ApiKey.objects.all(), request.account, pk=key_id)
    services.delete_api_key(key=key)
    messages.success(request, f"API key {key.secret_id} deleted.")
    return redirect("accounts:api_keys")
