from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts.access import console_view


@console_view()
def not_built(request: HttpRequest, *, area: str, summary: str) -> HttpResponse:
    """An honest page for an area of the console that does not exist yet."""
    return render(request, "not_built.html", {"area": area, "summary": summary})


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: the web process answers (no database)."""
    return HttpResponse("ok", content_type="text/plain")
