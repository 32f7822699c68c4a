import dkim

from domains.dns_records import lookup, make_resolver
from domains.models import SenderAddress
from tests.domains.helpers import publish
from tests.factories import EmailTemplateFactory, SenderAddressFactory


def verified_sender(account, dns=None, **kwargs) -> SenderAddress:
    """A sender address on a verified domain, its records in the fixture DNS."""
    sender = SenderAddressFactory(
        domain__account=account,
        domain__name=kwargs.pop("domain", "acme-mail.com"),
        local_part="noreply",
        sender_name=kwargs.pop("sender_name", "Acme Support"),
        **kwargs,
    )
    if dns is not None:
        publish(dns, sender.domain)
    return sender


def approved_template(account, body="<p>Hello {{name}}</p>", **kwargs):
    return EmailTemplateFactory(account=account, status="approved", body=body, **kwargs)


def dkim_verifies(raw: bytes) -> bool:
    """Verify a received message's DKIM signature against the fixture DNS."""
    resolver = make_resolver()

    def fixture_dns(name: bytes, timeout: int = 5) -> bytes:
        values = lookup(resolver, name.decode().rstrip("."), "TXT")
        return values[0].encode() if values else b""

    return dkim.verify(raw, dnsfunc=fixture_dns)


def signed_headers(raw: bytes) -> list[str]:
    """The h= list of the DKIM-Signature of a raw message."""
    from email import message_from_bytes

    signature = message_from_bytes(raw)["DKIM-Signature"]
    tags = dict(
        part.strip().split("=", 1)
        for part in "".join(signature.split()).split(";")
        if "=" in part
    )
    return tags["h"].lower().split(":")
