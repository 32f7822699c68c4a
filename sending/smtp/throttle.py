"""Failed SMTP logins, counted per address and per client IP, with a cool-off."""

from django.conf import settings
from django.core.cache import cache


def _keys(address: str, ip: str) -> list[str]:
    return [f"smtp-auth:address:{address.lower()}", f"smtp-auth:ip:{ip}"]


def is_locked(address: str, ip: str) -> bool:
    limit = settings.SES_SMTP_AUTH_FAILURE_LIMIT
    counts = cache.get_many(_keys(address, ip))
    return any(count >= limit for count in counts.values())


def record_failure(address: str, ip: str) -> None:
    timeout = settings.SES_SMTP_AUTH_COOLOFF_MINUTES * 60
    for key in _keys(address, ip):
        # add() starts the cool-off window; incr() counts inside it.
        if not cache.add(key, 1, timeout):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout)


def clear(address: str) -> None:
    cache.delete(_keys(address, "")[0])
