"""What an SMTP answer means for a message: pure rules, tested without SMTP."""

import re
from dataclasses import dataclass
from datetime import timedelta

from sending.models import BounceType, MessageStatus

_ENHANCED = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_INVALID_WORDING = re.compile(
    r"user unknown|unknown user|no such user|no such (?:mailbox|recipient|domain)"
    r"|does not exist|doesn't exist|mailbox unavailable|invalid (?:recipient|mailbox)"
    r"|recipient address rejected|address rejected|not found|host not found",
    re.IGNORECASE,
)
_SPAM_WORDING = re.compile(
    r"spam|junk|policy|blocked|blacklist|blocklist|reputation|content filter"
    r"|rejected due to|abuse",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Outcome:
    status: str
    bounce_type: str = BounceType.NONE


def classify(code: int | None, text: str) -> Outcome:
    """2xx delivered; 4xx or no answer deferred; 5xx bounced, by kind."""
    if code is None or 400 <= code < 500:
        return Outcome(MessageStatus.DEFERRED)
    if 200 <= code < 300:
        return Outcome(MessageStatus.DELIVERED)
    enhanced = _ENHANCED.search(text)
    subject = enhanced.group(2) if enhanced else ""
    if subject == "1" or (subject != "7" and _INVALID_WORDING.search(text)):
        return Outcome(MessageStatus.BOUNCED, BounceType.INVALID_ADDRESS)
    if _SPAM_WORDING.search(text) and (subject in {"7", ""} or code == 554):
        return Outcome(MessageStatus.BOUNCED, BounceType.SPAM)
    if subject == "7":
        return Outcome(MessageStatus.BOUNCED, BounceType.SPAM)
    return Outcome(MessageStatus.BOUNCED, BounceType.OTHER)


def retry_delay(attempts: int, base_seconds: float) -> timedelta:
    """Exponential backoff: base, 2 x base, 4 x base ... capped at one hour."""
    seconds = base_seconds * (2 ** max(0, attempts - 1))
    return timedelta(seconds=min(seconds, 3600))
