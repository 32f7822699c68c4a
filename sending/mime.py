"""Build the MIME message a recipient receives.

Every header value passes through `header_safe`, and the `email` package
with the SMTP policy encodes non-ASCII names and subjects as RFC 2047 words,
so no field a customer controls (subject, sender name, variables) can end a
header line and start another.
"""

import html
import quopri
from email.errors import HeaderParseError
from email.header import Header, decode_header, make_header
from email.utils import encode_rfc2231, format_datetime, formataddr

from django.conf import settings

from sending import tracking, unsubscribe
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


def message_bytes(message: Message) -> bytes:
    """The message as it will be signed and sent (without DKIM-Signature).

    Written directly rather than through `email.message.EmailMessage`, which
    costs about 5 ms a message; every value still goes through `header_safe`
    and RFC 2047 encoding, and the header-injection fuzz test parses the
    result back with the `email` package.
    """
    if message.submitted_id is not None:
        return submitted_bytes(message)
    bodies = render_version(message.template_version, message.variables)
    body_html, body_text = bodies.html, bodies.text
    if message.tracked and body_html:
        body_html = tracking.with_tracking(body_html, message.message_id)
    if message.unsubscribe_language:
        body_html, body_text = _with_footer(body_html, body_text, message)

    headers = [
        (
            "From",
            formataddr((header_safe(message.from_name), message.from_email), "utf-8"),
        ),
        ("To", header_safe(message.to_header or message.recipient)),
        *([("Cc", header_safe(message.cc_header))] if message.cc_header else []),
        *([("Reply-To", header_safe(message.reply_to))] if message.reply_to else []),
        ("Subject", _unstructured("Subject", header_safe(message.subject))),
        ("Date", format_datetime(message.created_at)),
        ("Message-ID", message.header_message_id),
        ("MIME-Version", "1.0"),
    ]
    if message.unsubscribe_language:
        url = unsubscribe.url_for(message.message_id)
        mailto = unsubscribe.mailto_for(message.message_id)
        headers.append(("List-Unsubscribe", f"<{url}>,\r\n <{mailto}>"))
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    headers.append(("X-SES-Message-ID", message.message_id))
    head = "".join(f"{name}: {value}\r\n" for name, value in headers).encode("ascii")

    entity = _text_part(body_text, "plain")
    if body_html:
        # QP-encoded content never holds "=_" (QP writes "=" as "=3D"), so
        # the boundary cannot occur inside a part.
        boundary = f"=_ses_{message.message_id}".encode("ascii")
        entity = _multipart(
            "alternative", boundary, [entity, _text_part(body_html, "html")]
        )
    if message.attachments_id is not None:
        boundary = f"=_ses_mixed_{message.message_id}".encode("ascii")
        files = [_attachment_part(file) for file in message.attachments.files]
        entity = _multipart("mixed", boundary, [entity, *files])
    return head + entity


def _multipart(subtype: str, boundary: bytes, parts: list[bytes]) -> bytes:
    """A multipart entity: its Content-Type line, a blank line, the parts."""
    chunks = [f'Content-Type: multipart/{subtype}; boundary="'.encode() + boundary]
    chunks.append(b'"\r\n')
    for part in parts:
        chunks += [b"\r\n--", boundary, b"\r\n", part]
    chunks += [b"\r\n--", boundary, b"--\r\n"]
    return b"".join(chunks)


def _attachment_part(file: dict) -> bytes:
    """A base64 attachment; base64 never holds "=_", nor does the boundary."""
    name = file["filename"]
    if name.isascii() and '"' not in name:
        filename = f'filename="{name}"'
    else:  # RFC 2231: the UTF-8 name, percent-encoded
        filename = f"filename*={encode_rfc2231(name, 'utf-8')}"
    data = file["data"]
    lines = "\r\n".join(data[i : i + 76] for i in range(0, len(data), 76))
    return (
        f"Content-Type: {file['content_type']}\r\n"
        f"Content-Disposition: attachment; {filename}\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{lines}\r\n"
    ).encode("ascii")


def _unstructured(name: str, value: str) -> str:
    """An RFC 2047-encoded, folded header value (plain when short ASCII)."""
    if value.isascii() and len(name) + 2 + len(value) <= 78:
        return value
    # Encoded words split anywhere, so even a long unbroken ASCII value folds
    # within the line limit.
    return Header(value, "utf-8", header_name=name).encode(linesep="\r\n")


def _text_part(content: str, subtype: str) -> bytes:
    """A quoted-printable UTF-8 text part: headers, blank line, body."""
    data = content.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    body = quopri.encodestring(data).replace(b"\n", b"\r\n")
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode("ascii") + body


_DROPPED_ON_SUBMIT = {b"bcc", b"return-path", b"x-ses-message-id"}


def submitted_bytes(message: Message) -> bytes:
    """A submitted message as it goes out to one recipient.

    Its own headers and body are kept byte for byte, except that `Bcc` (which
    would reveal the other recipients) and any `Return-Path` are removed, a
    Message-ID is added when the client gave none, and ours is recorded.
    """
    data = bytes(message.submitted.data).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    head, separator, body = data.partition(b"\r\n\r\n")
    kept: list[bytes] = []
    dropping = False
    has_message_id = False
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                kept.append(line)
            continue
        name = line.split(b":", 1)[0].strip().lower()
        dropping = name in _DROPPED_ON_SUBMIT
        has_message_id = has_message_id or name == b"message-id"
        if not dropping:
            kept.append(line)
    extra = [f"X-SES-Message-ID: {message.message_id}".encode("ascii")]
    if not has_message_id:
        extra.insert(0, f"Message-ID: {message.header_message_id}".encode("ascii"))
    return b"\r\n".join([*kept, *extra]) + (separator or b"\r\n\r\n") + body
