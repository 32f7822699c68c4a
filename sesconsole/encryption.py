"""Encrypt secrets at rest (DKIM private keys, API secret keys).

Keys come from `SES_ENCRYPTION_KEYS` (comma-separated Fernet keys, newest
first, so old keys can be rotated out). Without it, one key is derived from
SECRET_KEY — fine for a single install, but then rotating SECRET_KEY makes
stored secrets unreadable, so production should set its own keys.
"""

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.SES_ENCRYPTION_KEYS), settings.SECRET_KEY)


@functools.lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        digest = hashlib.sha256(
            b"sesconsole-encryption:" + secret_key.encode()
        ).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "SES_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64 bytes); "
            "make one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
        ) from None


def encrypt_text(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt_text(token: str) -> str:
    return _decrypt(_fernet(), token)


# Every delivery needs its domain's DKIM key and every API request its
# SecretKey: decrypting each time would cost 0.1 ms a message or request.
@functools.lru_cache(maxsize=1024)
def _decrypt(fernet: MultiFernet, token: str) -> str:
    try:
        return fernet.decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted: SES_ENCRYPTION_KEYS (or "
            "SECRET_KEY) changed without keeping the old key."
        ) from None
