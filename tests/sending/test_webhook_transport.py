"""Webhook POSTs reach the address that was checked, with TLS checked
against the endpoint's name (sending/webhook_transport.py)."""

import socket
import ssl
from collections.abc import Iterator

import pytest

from sending import webhooks
from sending.smtp.tls import _write_self_signed
from tests.sending.test_webhooks import Receiver

NAME = "hooks.rebinding.test"


@pytest.fixture
def rebinding_dns(monkeypatch) -> None:
    """NAME resolves to the receiver's address once, then to one where nothing
    listens: what a name rebound after the check looks like."""
    answers = iter(["127.0.0.1"])
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == NAME:
            host = next(answers, "127.0.0.2")
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    settings.SES_WEBHOOK_ALLOW_HTTP = True  # the receiver is on loopback
    with Receiver() as server:
        yield server


def post(url: str) -> webhooks.Attempt:
    return webhooks.post(url, "secret", {"event": "test"}, 1)


def test_the_post_goes_to_the_address_resolved_once(rebinding_dns, receiver):
    port = receiver.server.server_address[1]

    attempt = post(f"http://{NAME}:{port}/ses/events")

    assert attempt.ok, attempt.response
    assert receiver.received[0].headers["Host"] == f"{NAME}:{port}"


@pytest.mark.parametrize(
    ("certificate_name", "delivered"),
    [(NAME, True), ("somewhere-else.test", False)],
)
def test_https_checks_the_certificate_against_the_name_not_the_address(
    rebinding_dns, receiver, tmp_path, monkeypatch, certificate_name, delivered
):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    _write_self_signed(cert, key, certificate_name)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust only this certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    receiver.server.socket = context.wrap_socket(
        receiver.server.socket, server_side=True, do_handshake_on_connect=False
    )
    # The refused handshake is the expected outcome, not a server error.
    receiver.server.handle_error = lambda request, client_address: None
    port = receiver.server.server_address[1]

    attempt = post(f"https://{NAME}:{port}/ses/events")

    assert attempt.ok is delivered, attempt.response
    if not delivered:
        assert "not valid for 'hooks.rebinding.test'" in attempt.response
        assert receiver.received == []


def test_a_name_that_does_not_resolve_is_reported(settings):
    settings.SES_WEBHOOK_ALLOW_HTTP = False

    attempt = post("https://hooks.invalid/ses")

    assert attempt.status_code is None
    assert attempt.response.startswith("Refused: Could not resolve hooks.invalid")


def test_only_http_and_https_are_opened(settings):
    settings.SES_WEBHOOK_ALLOW_HTTP = True

    attempt = post("file:///etc/passwd")

    assert attempt.status_code is None
    assert attempt.response == "Refused: file:// URLs are not supported."
