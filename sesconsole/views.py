from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: the web process answers (no database)."""
    return HttpResponse("ok", content_type="text/plain")
