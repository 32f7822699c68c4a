"""Console pages of event webhooks: endpoints, their secret and delivery log.

Every member sees them; owners add, change, disable, delete and test.
"""

from datetime import timedelta

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import console_view, get_for_account_or_404
from accounts.models import Role
from sending import webhooks
from sending.models import EventKind, WebhookDelivery, WebhookEndpoint
from sending.tasks import send_test_webhook
from sending.webhook_forms import WebhookEndpointForm, http_allowed

PER_PAGE = 50
# The log asks again while a delivery on it waits for its first attempt.
POLL = "2s"
POLL_FOR_SECONDS = 120
STATUS_FILTERS = [
    ("", "All"),
    (webhooks.PENDING, "Retrying"),
    (webhooks.DONE, "Delivered"),
    (webhooks.FAILED, "Failed"),
]


def _endpoint_or_404(request: HttpRequest, endpoint_id: int) -> WebhookEndpoint:
    return get_for_account_or_404(
        WebhookEndpoint.objects.all(), request.account, pk=endpoint_id
    )


def _is_owner(request: HttpRequest) -> bool:
    return request.account_context.has_role(Role.OWNER)


def _kind_labels(endpoint: WebhookEndpoint) -> list[str]:
    """What the endpoint subscribes to, in words; empty for every event."""
    return [EventKind(k).label for k in endpoint.event_kinds if k in EventKind.values]


@console_view()
def endpoints(request: HttpRequest) -> HttpResponse:
    return _endpoints_page(request, WebhookEndpointForm(account=request.account))


def _endpoints_page(
    request: HttpRequest, form: WebhookEndpointForm, status: int = 200
) -> HttpResponse:
    rows = list(WebhookEndpoint.objects.filter(account=request.account))
    for endpoint in rows:
        endpoint.kind_labels = _kind_labels(endpoint)
    return render(
        request,
        "sending/webhooks/endpoints.html",
        {
            "endpoints": rows,
            "form": form,
            "is_owner": _is_owner(request),
            "http_allowed": http_allowed(),
        },
        status=status,
    )


@require_POST
@console_view(Role.OWNER)
def endpoint_add(request: HttpRequest) -> HttpResponse:
    form = WebhookEndpointForm(request.POST, account=request.account)
    if not form.is_valid():
        return _endpoints_page(request, form, status=400)
    endpoint = webhooks.create_endpoint(
        account=request.account,
        url=form.cleaned_data["url"],
        event_kinds=form.cleaned_data["event_kinds"],
    )
    messages.success(
        request,
        "Endpoint added. It receives events from now on; "
        "send a test event to check it.",
    )
    return redirect("sending:webhook", endpoint_id=endpoint.pk)


@console_view()
def endpoint_detail(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint_or_404(request, endpoint_id)
    form = WebhookEndpointForm(
        account=request.account,
        endpoint=endpoint,
        initial={"url": endpoint.url, "event_kinds": endpoint.event_kinds},
    )
    return _detail_page(request, endpoint, form)


def _log(request: HttpRequest, endpoint: WebhookEndpoint) -> dict:
    """One page of the delivery log, newest first, paged by primary key.

    Keyset paging: the log of a busy endpoint is long, and a page never
    counts it.
    """
    status = request.GET.get("status", "")
    if status not in dict(STATUS_FILTERS):
        status = ""
    deliveries: QuerySet[WebhookDelivery] = WebhookDelivery.objects.filter(
        endpoint=endpoint
    ).order_by("-pk")
    if status:
        deliveries = deliveries.filter(status=status)
    before = request.GET.get("before", "")
    if before.isdigit():
        deliveries = deliveries.filter(pk__lt=int(before))
    else:
        before = ""
    rows = list(deliveries[: PER_PAGE + 1])
    older = rows[PER_PAGE - 1].pk if len(rows) > PER_PAGE else None
    rows = rows[:PER_PAGE]
    recent = timezone.now() - timedelta(seconds=POLL_FOR_SECONDS)
    waiting = any(
        d.status == webhooks.PENDING and not d.attempts and d.created_at > recent
        for d in rows
    )
    return {
        "deliveries": rows,
        "status_filter": status,
        "status_filters": STATUS_FILTERS,
        "before": before,
        "older": older,
        "poll": POLL if waiting else None,
    }


def _detail_page(
    request: HttpRequest,
    endpoint: WebhookEndpoint,
    form: WebhookEndpointForm,
    status: int = 200,
) -> HttpResponse:
    context = {"endpoint": endpoint, **_log(request, endpoint)}
    if request.htmx and request.method == "GET":
        return render(request, "sending/webhooks/endpoint.html#delivery-log", context)
    is_owner = _is_owner(request)
    context.update(
        {
            "form": form,
            "is_owner": is_owner,
            "kind_labels": _kind_labels(endpoint),
            # The signing key: only owners, who can change the endpoint anyway.
            "secret": webhooks.endpoint_secret(endpoint) if is_owner else None,
        }
    )
    return render(request, "sending/webhooks/endpoint.html", context, status=status)


@require_POST
@console_view(Role.OWNER)
def endpoint_edit(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint_or_404(request, endpoint_id)
    form = WebhookEndpointForm(request.POST, account=request.account, endpoint=endpoint)
    if not form.is_valid():
        return _detail_page(request, endpoint, form, status=400)
    webhooks.update_endpoint(
        endpoint=endpoint,
        url=form.cleaned_data["url"],
        event_kinds=form.cleaned_data["event_kinds"],
    )
    messages.success(request, "Endpoint saved.")
    return redirect("sending:webhook", endpoint_id=endpoint.pk)


@require_POST
@console_view(Role.OWNER)
def endpoint_toggle(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint_or_404(request, endpoint_id)
    webhooks.set_endpoint_enabled(endpoint=endpoint, enabled=not endpoint.enabled)
    if endpoint.enabled:
        messages.success(request, f"{endpoint.url} enabled: it gets new events.")
    else:
        messages.success(request, f"{endpoint.url} disabled: it gets nothing.")
    if request.POST.get("back") == "endpoint":
        return redirect("sending:webhook", endpoint_id=endpoint.pk)
    return redirect("sending:webhooks")


@require_POST
@console_view(Role.OWNER)
def endpoint_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint_or_404(request, endpoint_id)
    webhooks.delete_endpoint(endpoint=endpoint)
    messages.success(request, f"{endpoint.url} deleted with its delivery log.")
    return redirect("sending:webhooks")


@require_POST
@console_view(Role.OWNER)
def endpoint_test(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint_or_404(request, endpoint_id)
    delivery = webhooks.create_test_delivery(endpoint=endpoint)
    send_test_webhook.delay_on_commit(delivery.pk)
    messages.success(request, "Test event on its way; its answer shows in the log.")
    return redirect("sending:webhook", endpoint_id=endpoint.pk)
