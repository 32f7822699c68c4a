import dkim
from django.core import serializers

from domains import services
from domains.dns_records import lookup, make_resolver
from tests.domains.helpers import publish

MESSAGE = (
    b"From: Acme <noreply@acme-mail.com>\r\n"
    b"To: someone@example.org\r\n"
    b"Subject: Hello\r\n"
    b"Date: Thu, 26 Nov 2026 10:00:00 +0000\r\n"
    b"Message-ID: <1@acme-mail.com>\r\n"
    b"\r\n"
    b"Hello there.\r\n"
)


def test_private_key_is_encrypted_in_the_database(account, dns):
    domain = services.create_domain(account=account, name="acme-mail.com")
    private_pem = services.dkim_private_key(domain)

    dump = serializers.serialize("json", [domain])

    assert private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    body = private_pem.splitlines()[1]
    assert "PRIVATE KEY" not in dump
    assert body not in dump
    assert domain.dkim_private_key_encrypted.startswith("gAAAA")  # Fernet token


def test_published_public_key_verifies_what_the_private_key_signs(account, dns):
    domain = services.create_domain(account=account, name="acme-mail.com")
    publish(dns, domain)
    resolver = make_resolver()

    signature = services.sign_message(domain, MESSAGE)

    def fixture_dns(name: bytes, timeout: int = 5) -> bytes:
        values = lookup(resolver, name.decode().rstrip("."), "TXT")
        return values[0].encode() if values else b""

    signed = signature + MESSAGE
    assert dkim.verify(signed, dnsfunc=fixture_dns)
    assert not dkim.verify(
        signed.replace(b"Hello there.", b"Hello thar."), dnsfunc=fixture_dns
    )
