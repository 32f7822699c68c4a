"""Fuzz: no subject, sender name or variable value adds a header on the wire."""

from email import message_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sending.mime import message_bytes
from sending.models import Message
from tests.sending.helpers import approved_template, verified_sender

NASTY = [
    "\r",
    "\n",
    "\r\n",
    "\r\nBcc: victim@example.org",
    "\nX-Injected: yes",
    "\x00",
    "=0D=0ABcc: a@b.c",
    "%0d%0aBcc: a@b.c",
    "=?utf-8?q?x=0D=0ABcc:_a@b.c?=",
    "\u2028X-Injected: yes",
    "\u0085X-Injected: yes",
    "\x0bX-Injected: yes",
    "\x0cX-Injected: yes",
    "\r\n\r\n<html>body</html>",
    "Zoë ✉ 漢字",
]
pieces = st.lists(
    st.one_of(st.sampled_from(NASTY), st.text(max_size=20)), max_size=6
).map("".join)

EXPECTED_HEADERS = {
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "x-ses-message-id",
    "content-type",
    "cc",
    "reply-to",
}


def header_names(raw: bytes) -> list[str]:
    head = raw.split(b"\r\n\r\n", 1)[0]
    names = []
    for line in head.split(b"\r\n"):
        assert not {b"\n", b"\r", b"\x00"} & {bytes([c]) for c in line}
        if line[:1] in (b" ", b"\t"):
            continue  # a folded continuation of the previous header
        names.append(line.split(b":", 1)[0].decode("ascii").lower())
    return names


@pytest.fixture
def parts(account):
    sender = verified_sender(account)
    template = approved_template(account, body="<p>Hi {{name}}</p>")
    return sender, template.approved_version


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(subject=pieces, sender_name=pieces, value=pieces)
def test_no_field_adds_a_header(parts, subject, sender_name, value):
    sender, version = parts
    message = Message(
        account=sender.account,
        domain=sender.domain,
        sender=sender,
        request_id="fuzz",
        from_name=sender_name,
        from_email=sender.email,
        recipient="ana@example.org",
        template_version=version,
        subject=subject,
        variables={"name": value},
        unsubscribe_language="en",
    )

    raw = message_bytes(message)

    names = header_names(raw)
    assert set(names) <= EXPECTED_HEADERS
    assert len(names) == len(set(names))
    parsed = message_from_bytes(raw)
    assert parsed["To"] == "ana@example.org"
    assert parsed.get_all("Bcc") is None
    assert parsed.get_all("X-Injected") is None
    assert [p.get_content_type() for p in parsed.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]
