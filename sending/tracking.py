"""Open and click tracking: a pixel and signed click links in HTML mail.

A click link carries only a signed, opaque token naming the message and the
link's position in it. The target is never in the URL: it is found again by
rendering the message's approved template version with its stored values, so
a tampered or invented token answers 404 and no URL can send a reader
anywhere the message did not link to.
"""

import html
import re
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from templates_app.variables import render_version

SALT = "sending.tracking"
# The sanitiser writes every attribute in double quotes.
TRACKED_LINK = re.compile(r'(<a\s[^>]*?href=")(https?://[^"]+)(")', re.IGNORECASE)
PIXEL = (
    '<img src="{url}" width="1" height="1" alt="" '
    'style="display:block;width:1px;height:1px;border:0">'
)


@dataclass(frozen=True)
class Target:
    message_id: str
    link_index: int | None  # None: the open pixel


def _token(message_id: str, link_index: int | None) -> str:
    value = [message_id] if link_index is None else [message_id, link_index]
    return signing.dumps(value, salt=SALT, compress=True)


def target_of(token: str) -> Target | None:
    """What a token points at; None for a forged or garbled token."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if (
        not isinstance(value, list)
        or not 1 <= len(value) <= 2
        or not isinstance(value[0], str)
        or (len(value) == 2 and not isinstance(value[1], int))
    ):
        return None
    return Target(value[0], value[1] if len(value) == 2 else None)


def _url(name: str, token: str) -> str:
    return f"{settings.SES_TRACKING_BASE_URL}{reverse(name, args=[token])}"


def open_url(message_id: str) -> str:
    return _url("track_open", _token(message_id, None))


def click_url(message_id: str, link_index: int) -> str:
    return _url("track_click", _token(message_id, link_index))


def with_tracking(body_html: str, message_id: str) -> str:
    """The HTML with its web links through the click endpoint, and a pixel."""
    counter = iter(range(10_000))

    def rewrite(match: re.Match) -> str:
        url = click_url(message_id, next(counter))
        return f"{match.group(1)}{html.escape(url)}{match.group(3)}"

    tracked = TRACKED_LINK.sub(rewrite, body_html)
    pixel = PIXEL.format(url=html.escape(open_url(message_id)))
    marker = "</body>"
    if marker in tracked:
        index = tracked.rindex(marker)
        return tracked[:index] + pixel + tracked[index:]
    return tracked + pixel


def links_in(body_html: str) -> list[str]:
    """The web links of a rendered body, in the order `with_tracking` numbers them."""
    return [html.unescape(match.group(2)) for match in TRACKED_LINK.finditer(body_html)]


def link_target(message, link_index: int) -> str | None:
    """The URL behind link `link_index` of a tracked message, or None."""
    if message.template_version_id is None:
        return None
    bodies = render_version(message.template_version, message.variables)
    links = links_in(bodies.html)
    return links[link_index] if 0 <= link_index < len(links) else None
