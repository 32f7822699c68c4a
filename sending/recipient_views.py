"""What recipients reach from a message: the open pixel and click links.

Public and unauthenticated; every answer for a bad token is a plain 404, so
the endpoints never redirect anywhere the message itself did not link to.
"""

import base64

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.cache import never_cache

from sending import events, tracking
from sending.models import Message

# The smallest transparent GIF.
PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _tracked_message(token: str, *, link: bool) -> tuple[Message, tracking.Target]:
    target = tracking.target_of(token)
    if target is None or (target.link_index is None) == link:
        raise Http404
    message = (
        Message.objects.select_related("template_version", "account", "sender")
        .filter(message_id=target.message_id, tracked=True)
        .first()
    )
    if message is None:
        raise Http404
    return message, target


def _user_agent(request: HttpRequest) -> str:
    return request.headers.get("User-Agent", "")


@never_cache
def track_open(request: HttpRequest, token: str) -> HttpResponse:
    message, _ = _tracked_message(token, link=False)
    events.record_open(message, user_agent=_user_agent(request))
    return HttpResponse(PIXEL_GIF, content_type="image/gif")


@never_cache
def track_click(request: HttpRequest, token: str) -> HttpResponse:
    message, target = _tracked_message(token, link=True)
    url = tracking.link_target(message, target.link_index)
    if url is None:
        raise Http404
    events.record_click(message, link=url, user_agent=_user_agent(request))
    # Not `redirect()`: the target is the message's own link, any host.
    return HttpResponseRedirect(url)
