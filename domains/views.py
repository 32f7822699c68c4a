from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import console_view, get_for_account_or_404
from accounts.models import Role
from domains import reputation_updates, services
from domains.dns_records import expected_records
from domains.forms import (
    DomainForm,
    QuotaRequestForm,
    SenderAddressForm,
    SenderAddressSettingsForm,
    SmtpPasswordForm,
)
from domains.models import SenderAddress, SenderDomain
from domains.standing import standing
from sesconsole.errors import ServiceError

EDITORS = (Role.OWNER, Role.OPERATOR)


def _error_text(error: ServiceError) -> str:
    return f"{error.message} ({error.code})"


def _domains_page(
    request: HttpRequest, form: DomainForm | None = None, status: int = 200
) -> HttpResponse:
    domains = SenderDomain.objects.for_account(request.account).order_by("name")
    return render(
        request,
        "domains/list.html",
        {
            "domains": domains,
            "form": form or DomainForm(),
            "can_edit": request.account_context.has_role(*EDITORS),
        },
        status=status,
    )


@console_view()
def domain_list(request: HttpRequest) -> HttpResponse:
    return _domains_page(request)


@require_POST
@console_view(*EDITORS)
def domain_create(request: HttpRequest) -> HttpResponse:
    form = DomainForm(request.POST)
    if form.is_valid():
        try:
            domain = services.create_domain(
                account=request.account,
                name=form.cleaned_data["name"],
                key_bits=form.cleaned_data["key_bits"],
            )
        except ServiceError as error:
            form.add_error("name", _error_text(error))
        else:
            messages.success(
                request,
                f"{domain.display_name} added. Publish the records below, then "
                "check them.",
            )
            return redirect("domains:detail", domain_id=domain.pk)
    return _domains_page(request, form, status=400)


def _records_context(domain: SenderDomain) -> dict[str, object]:
    checks = {check.kind: check for check in domain.record_checks.all()}
    rows = [
        {"expected": record, "check": checks.get(record.kind)}
        for record in expected_records(domain)
    ]
    return {"domain": domain, "rows": rows}


@console_view()
def domain_detail(request: HttpRequest, domain_id: int) -> HttpResponse:
    domain = get_for_account_or_404(
        SenderDomain.objects.all(), request.account, pk=domain_id
    )
    return render(
        request,
        "domains/detail.html",
        {
            **_records_context(domain),
            **(standing(domain) if domain.verified_at else {}),
            "addresses": domain.addresses.all(),
            "can_edit": request.account_context.has_role(*EDITORS),
            "quota_form": QuotaRequestForm(),
            "pending_quota": domain.quota_requests.filter(status="pending").first(),
        },
    )


@require_POST
@console_view(*EDITORS)
def domain_quota_request(request: HttpRequest, domain_id: int) -> HttpResponse:
    """Ask staff for a limit above level 20's."""
    domain = get_for_account_or_404(
        SenderDomain.objects.all(), request.account, pk=domain_id
    )
    form = QuotaRequestForm(request.POST)
    if form.is_valid():
        try:
            reputation_updates.request_quota(
                domain=domain,
                wanted_limit=form.cleaned_data["wanted_limit"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Request sent: staff will answer it.")
            return redirect("domains:detail", domain_id=domain.pk)
    return render(
        request,
        "domains/detail.html",
        {
            **_records_context(domain),
            **(standing(domain) if domain.verified_at else {}),
            "addresses": domain.addresses.all(),
            "can_edit": True,
            "quota_form": form,
        },
        status=400,
    )


@require_POST
@console_view(*EDITORS)
def domain_check(request: HttpRequest, domain_id: int) -> HttpResponse:
    domain = get_for_account_or_404(
        SenderDomain.objects.all(), request.account, pk=domain_id
    )
    domain = services.check_domain(domain_id=domain.pk)
    if request.htmx:
        return render(
            request,
            "domains/detail.html#dns-records",
            {**_records_context(domain), "can_edit": True},
        )
    return redirect("domains:detail", domain_id=domain.pk)


@require_POST
@console_view(*EDITORS)
def domain_delete(request: HttpRequest, domain_id: int) -> HttpResponse:
    domain = get_for_account_or_404(
        SenderDomain.objects.all(), request.account, pk=domain_id
    )
    services.delete_domain(domain=domain)
    messages.success(request, f"{domain.display_name} and its addresses were removed.")
    return redirect("domains:list")


# --- Sender addresses -------------------------------------------------------


def _addresses_page(
    request: HttpRequest, form: SenderAddressForm | None = None, status: int = 200
) -> HttpResponse:
    account = request.account
    return render(
        request,
        "domains/addresses.html",
        {
            "addresses": SenderAddress.objects.for_account(account).select_related(
                "domain"
            ),
            "form": form or SenderAddressForm(account=account),
            "has_verified_domain": SenderDomain.objects.for_account(account)
            .verified()
            .exists(),
            "can_edit": request.account_context.has_role(*EDITORS),
        },
        status=status,
    )


@console_view()
def address_list(request: HttpRequest) -> HttpResponse:
    return _addresses_page(request)


@require_POST
@console_view(*EDITORS)
def address_create(request: HttpRequest) -> HttpResponse:
    form = SenderAddressForm(request.POST, account=request.account)
    if form.is_valid():
        data = form.cleaned_data
        try:
            address = services.create_sender_address(
                account=request.account,
                domain=data["domain"],
                local_part=data["local_part"],
                sender_name=data["sender_name"],
                unsubscribe_language=data["unsubscribe_language"],
            )
        except ServiceError as error:
            field = {
                "InvalidParameterValue.IllegalSenderName": "sender_name",
                "OperationDenied.DomainNotVerified": "domain",
                "OperationDenied.ExceedSenderLimit": "domain",
            }.get(error.code, "local_part")
            form.add_error(field, _error_text(error))
        else:
            messages.success(request, f"{address.email} created.")
            return redirect("domains:address_detail", address_id=address.pk)
    return _addresses_page(request, form, status=400)


def _address_page(
    request: HttpRequest,
    address: SenderAddress,
    *,
    settings_form: SenderAddressSettingsForm | None = None,
    password_form: SmtpPasswordForm | None = None,
    new_password: str | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "domains/address_detail.html",
        {
            "address": address,
            "settings_form": settings_form
            or SenderAddressSettingsForm(
                initial={
                    "sender_name": address.sender_name,
                    "unsubscribe_language": address.unsubscribe_language,
                }
            ),
            "password_form": password_form or SmtpPasswordForm(),
            "new_password": new_password,
            "can_edit": request.account_context.has_role(*EDITORS),
        },
        status=status,
    )


def _address_or_404(request: HttpRequest, address_id: int) -> SenderAddress:
    return get_for_account_or_404(
        SenderAddress.objects.select_related("domain"),
        request.account,
        pk=address_id,
    )


@console_view()
def address_detail(request: HttpRequest, address_id: int) -> HttpResponse:
    return _address_page(request, _address_or_404(request, address_id))


@require_POST
@console_view(*EDITORS)
def address_update(request: HttpRequest, address_id: int) -> HttpResponse:
    address = _address_or_404(request, address_id)
    form = SenderAddressSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.update_sender_address(
                address=address,
                sender_name=form.cleaned_data["sender_name"],
                unsubscribe_language=form.cleaned_data["unsubscribe_language"],
            )
        except ServiceError as error:
            form.add_error("sender_name", _error_text(error))
        else:
            messages.success(request, f"{address.email} saved.")
            return redirect("domains:address_detail", address_id=address.pk)
    return _address_page(request, address, settings_form=form, status=400)


@require_POST
@console_view(*EDITORS)
def address_password(request: HttpRequest, address_id: int) -> HttpResponse:
    address = _address_or_404(request, address_id)
    form = SmtpPasswordForm(request.POST)
    if form.is_valid():
        try:
            password = services.set_smtp_password(
                address=address, password=form.cleaned_data["password"] or None
            )
        except ServiceError as error:
            form.add_error("password", _error_text(error))
        else:
            # Shown in this response only: it is stored hashed.
            return _address_page(request, address, new_password=password)
    return _address_page(request, address, password_form=form, status=400)


@require_POST
@console_view(*EDITORS)
def address_delete(request: HttpRequest, address_id: int) -> HttpResponse:
    address = _address_or_404(request, address_id)
    services.delete_sender_address(address=address)
    messages.success(request, f"{address.email} was removed.")
    return redirect("domains:addresses")
