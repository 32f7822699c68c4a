"""Build the MIME message a recipient receives.

Every header value passes through `header_safe`, and the `email` package
with the SMTP policy encodes non-ASCII names and subjects as RFC 2047 words,
so no field a customer controls (subject, sender name, variables) can end a
header line and start another.
"""

import html
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from django.conf import settings

from sending import unsubscribe
from sending.models import Message
from templates_app.variables import render_version

# Characters that could end a header line in some mail program, and NUL.
_UNSAFE = str.maketrans(
    dict.fromkeys("\r\n\x0b\x0c\x00\x1c\x1d\x1e\x85\u2028\u2029", " ")
)


def header_safe(value: str) -> str:
    """One header line's worth of `value`: line breaks and NUL become spaces.

    RFC 2047 encoded words are decoded first: the `email` package decodes
    them when it parses a header value, so `=?utf-8?q?=0D=0ABcc:...?=` would
    otherwise come back as a real line break on the wire.
    """
    for _ in range(3):
        if "=?" not in value:
            break
        try:
            value = str(make_header(decode_header(value)))
        except (HeaderParseError, UnicodeError, LookupError):
            value = value.replace("=?", "= ?")
    return value.translate(_UNSAFE).replace("=?", "= ?").strip()


def bounce_address(message: Message) -> str:
    """The per-message envelope sender (VERP) on the platform's bounce domain."""
    return f"b-{message.message_id}@{settings.SES_BOUNCE_DOMAIN}"


def _with_footer(
    bodies_html: str, bodies_text: str, message: Message
) -> tuple[str, str]:
    url = unsubscribe.url_for(message.message_id)
    label = unsubscribe.footer_label(message.unsubscribe_language)
    text = f"{bodies_text.rstrip()}\n\n{label}: {url}\n"
    if not bodies_html:
        return "", text
    link = (
        '<p style="font-size:12px;color:#888">'
        f'<a href="{html.escape(url)}">{html.escape(label)}</a></p>'
    )
    marker = "</body>"
    if marker in bodies_html:
        index = bodies_html.rindex(marker)
        return bodies_html[:index] + link + bodies_html[index:], text
    return bodies_html + link, text


def build_message(message: Message) -> EmailMessage:
    """The message as it will be signed and sent (without DKIM-Signature)."""
    bodies = render_version(message.template_version, message.variables)
    body_html, body_text = bodies.html, bodies.text
    if message.unsubscribe_language:
        body_html, body_text = _with_footer(body_html, body_text, message)

    email = EmailMessage(policy=SMTP)
    local, _, domain = message.from_email.partition("@")
    email["From"] = Address(
        display_name=header_safe(message.from_name), username=local, domain=domain
    )
    email["To"] = header_safe(message.recipient)
    email["Subject"] = header_safe(message.subject)
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = message.header_message_id
    email["MIME-Version"] = "1.0"
    if message.unsubscribe_language:
        url = unsubscribe.url_for(message.message_id)
        mailto = unsubscribe.mailto_for(message.message_id)
        email["List-Unsubscribe"] = f"<{url}>, <{mailto}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email["X-SES-Message-ID"] = message.message_id
    email.set_content(body_text, subtype="plain", charset="utf-8")
    if body_html:
        email.add_alternative(body_html, subtype="html", charset="utf-8")
    return email


def message_bytes(message: Message) -> bytes:
    return build_message(message).as_bytes(policy=SMTP)
