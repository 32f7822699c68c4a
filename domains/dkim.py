"""DKIM keys: generate a pair, publish the public half, sign with the private one."""

import base64

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_SIZES = (1024, 2048)
SIGNED_HEADERS = [
    b"from",
    b"to",
    b"cc",
    b"subject",
    b"date",
    b"message-id",
    b"reply-to",
    b"mime-version",
    b"content-type",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
]


def generate_key_pair(bits: int) -> tuple[str, str]:
    """Return (private key PEM, public key as base64 DER for the `p=` tag)."""
    if bits not in KEY_SIZES:
        raise ValueError(f"DKIM keys are {KEY_SIZES}, not {bits} bits.")
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_der = key.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    return private_pem, base64.b64encode(public_der).decode()


def txt_record_value(public_key_b64: str) -> str:
    return f"v=DKIM1; k=rsa; p={public_key_b64}"


def sign(message: bytes, *, domain: str, selector: str, private_pem: str) -> bytes:
    """Return the DKIM-Signature header line (with CRLF) for `message`."""
    return dkim.sign(
        message,
        selector.encode(),
        domain.encode(),
        private_pem.encode(),
        include_headers=SIGNED_HEADERS,
        canonicalize=(b"relaxed", b"relaxed"),
    )
