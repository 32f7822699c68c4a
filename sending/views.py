from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.access import console_view, get_for_account_or_404
from accounts.models import Role
from sending import services, unsubscribe
from sending.forms import (
    CONSOLE_MAX_RECIPIENTS,
    MessageSearchForm,
    SendForm,
    SuppressionForm,
)
from sending.maildir_view import message_source, recent_messages
from sending.models import FINAL_STATUSES, Message, Suppression, SuppressionReason
from sending.suppression import suppress
from sesconsole.errors import ServiceError
from templates_app.models import EmailTemplate

SENDERS = (Role.OWNER, Role.OPERATOR)


def _template_variables(request: HttpRequest, template_id: str | None) -> list[str]:
    if not template_id or not str(template_id).isdigit():
        return []
    template = (
        EmailTemplate.objects.for_account(request.account)
        .sendable()
        .select_related("approved_version")
        .filter(pk=template_id)
        .first()
    )
    return list(template.approved_version.variables) if template else []


@console_view(*SENDERS)
def send(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    template_id = (data or request.GET).get("template")
    form = SendForm(
        data,
        account=request.account,
        variables=_template_variables(request, template_id),
        initial={"template": template_id},
    )
    if request.htmx and request.method == "GET":
        return render(request, "sending/send.html#variables", {"form": form})
    if data is not None and form.is_valid():
        try:
            result = services.send_email(
                account=request.account,
                from_email=form.cleaned_data["from_address"],
                recipients=form.cleaned_data["recipients"],
                template_id=form.cleaned_data["template"].pk,
                template_data=form.template_data(),
                subject=form.cleaned_data["subject"],
                unsubscribe_language=form.cleaned_data["unsubscribe_language"],
                max_recipients=CONSOLE_MAX_RECIPIENTS,
            )
        except ServiceError as error:
            form.add_error(None, f"{error.message} ({error.code})")
        else:
            messages.success(
                request,
                f"Accepted {len(result.accepted)} message(s)"
                + (f", dropped {len(result.dropped)}" if result.dropped else "")
                + ".",
            )
            return redirect("sending:request", request_id=result.request_id)
    return render(
        request,
        "sending/send.html",
        {"form": form, "has_templates": form.fields["template"].queryset.exists()},
        status=400 if form.errors else 200,
    )


@console_view()
def request_status(request: HttpRequest, request_id: str) -> HttpResponse:
    rows = list(
        Message.objects.for_account(request.account)
        .filter(request_id=request_id)
        .order_by("pk")
    )
    if not rows:
        raise Http404
    context = {
        "request_id": request_id,
        "rows": rows,
        "done": all(m.status in FINAL_STATUSES for m in rows),
    }
    template = (
        "sending/request.html#request-messages"
        if request.htmx
        else "sending/request.html"
    )
    return render(request, template, context)


@console_view()
def message_log(request: HttpRequest) -> HttpResponse:
    form = MessageSearchForm(request.GET or None)
    found = Message.objects.for_account(request.account).select_related("domain")
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            found = found.filter(
                Q(message_id=query) | Q(request_id=query) | Q(recipient__iexact=query)
            )
        if form.cleaned_data["status"]:
            found = found.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["day"]:
            found = found.filter(created_at__date=form.cleaned_data["day"])
    page = Paginator(found.order_by("-created_at", "-pk"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "sending/messages.html", {"form": form, "page": page})


@console_view()
def message_detail(request: HttpRequest, message_id: str) -> HttpResponse:
    message = get_for_account_or_404(
        Message.objects.select_related("domain", "template_version__template"),
        request.account,
        message_id=message_id,
    )
    return render(
        request,
        "sending/message_detail.html",
        {"message": message, "events": message.events.all()},
    )


@console_view()
def suppression_list(request: HttpRequest) -> HttpResponse:
    return _suppression_page(request, SuppressionForm())


def _suppression_page(
    request: HttpRequest, form: SuppressionForm, status: int = 200
) -> HttpResponse:
    entries = (
        Suppression.objects.for_account(request.account)
        .select_related("sender__domain")
        .order_by("-created_at")
    )
    query = request.GET.get("q", "").strip()
    if query:
        entries = entries.filter(address__icontains=query)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "sending/suppression.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "now": timezone.now(),
            "can_edit": request.account_context.has_role(*SENDERS),
        },
        status=status,
    )


@require_POST
@console_view(*SENDERS)
def suppression_add(request: HttpRequest) -> HttpResponse:
    form = SuppressionForm(request.POST)
    if not form.is_valid():
        return _suppression_page(request, form, status=400)
    entry = suppress(
        account=request.account,
        address=form.cleaned_data["address"],
        reason=SuppressionReason.MANUAL,
        expires_at=form.cleaned_data["expires_at"],
        note=form.cleaned_data["note"],
    )
    messages.success(request, f"{entry.address} will not be sent to.")
    return redirect("sending:suppression")


@require_POST
@console_view(*SENDERS)
def suppression_remove(request: HttpRequest, suppression_id: int) -> HttpResponse:
    entry = get_for_account_or_404(
        Suppression.objects.all(), request.account, pk=suppression_id
    )
    entry.delete()
    messages.success(request, f"{entry.address} can be sent to again.")
    return redirect("sending:suppression")


# --- Public unsubscribe (RFC 8058) ------------------------------------------


# One-click unsubscribe comes from mail providers' servers: no cookies, no
# CSRF token. The signed token is the authorisation.
@csrf_exempt
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    message_id = unsubscribe.message_id_from(token)
    message = (
        Message.objects.select_related("sender", "account")
        .filter(message_id=message_id)
        .first()
        if message_id
        else None
    )
    if message is None:
        return render(
            request, "sending/unsubscribe.html", {"invalid": True}, status=404
        )
    if request.method == "POST":
        services.unsubscribe_recipient(message=message)
        return render(
            request, "sending/unsubscribe.html", {"done": True, "message": message}
        )
    return render(
        request, "sending/unsubscribe.html", {"message": message, "token": token}
    )


# --- The local mail sink's mailbox (development only) -----------------------


@console_view()
def dev_mailbox(request: HttpRequest) -> HttpResponse:
    """What `manage.py mailsink` received: shown only with DEBUG on."""
    if not settings.DEBUG:
        raise Http404
    return render(
        request,
        "sending/dev_mailbox.html",
        {"entries": recent_messages(settings.SES_MAILSINK_DIR)},
    )


@console_view()
def dev_mailbox_message(request: HttpRequest, key: str) -> HttpResponse:
    if not settings.DEBUG:
        raise Http404
    try:
        source = message_source(settings.SES_MAILSINK_DIR, key)
    except KeyError:
        raise Http404 from None
    return HttpResponse(source, content_type="text/plain; charset=utf-8")
