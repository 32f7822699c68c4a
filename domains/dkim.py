"""DKIM keys: generate a pair, publish the public half, sign with the private one.

Signing uses dkimpy for everything DKIM (canonicalisation, the header, the
tags) except the RSA operation itself: dkimpy does that in pure Python
(about 6 ms for a 2048-bit key), which would cap a worker near 150 messages a
second. `_rsa_sign_with_openssl` replaces that one step with OpenSSL through
`cryptography` (about 0.2 ms). RSASSA-PKCS1-v1_5 is deterministic, so both
produce the same bytes; a test checks that they do. dkimpy also parses the
PEM key in pure Python on every call (0.3 ms); the parsed key is kept.
"""

import base64
import functools
import threading

import dkim
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

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


_pure_python_rsa_sign = dkim.RSASSA_PKCS1_v1_5_sign
_current_key = threading.local()


def _rsa_sign_with_openssl(hash_object: object, private_key: dict) -> bytes:
    key = getattr(_current_key, "value", None)
    if key is None:
        return _pure_python_rsa_sign(hash_object, private_key)
    return key.sign(
        hash_object.digest(), padding.PKCS1v15(), utils.Prehashed(hashes.SHA256())
    )


dkim.RSASSA_PKCS1_v1_5_sign = _rsa_sign_with_openssl
dkim.parse_pem_private_key = functools.lru_cache(maxsize=256)(
    dkim.parse_pem_private_key
)


@functools.lru_cache(maxsize=256)
def _openssl_key(private_pem: str) -> rsa.RSAPrivateKey:
    return serialization.load_pem_private_key(private_pem.encode(), password=None)


def sign(
    message: bytes,
    *,
    domain: str,
    selector: str,
    private_pem: str,
    use_openssl: bool = True,
) -> bytes:
    """Return the DKIM-Signature header line (with CRLF) for `message`."""
    _current_key.value = _openssl_key(private_pem) if use_openssl else None
    try:
        return dkim.sign(
            message,
            selector.encode(),
            domain.encode(),
            private_pem.encode(),
            include_headers=SIGNED_HEADERS,
            canonicalize=(b"relaxed", b"relaxed"),
        )
    finally:
        _current_key.value = None
