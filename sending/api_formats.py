"""How the sending API actions read and write Tencent's wire formats."""

import json
from datetime import date, datetime, time
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings

from sesconsole.api.errors import ApiError

MAX_LIMIT = 100


def zone() -> ZoneInfo:
    return ZoneInfo(settings.SES_TIME_ZONE)


def date_time(value: datetime) -> str:
    """Tencent's `YYYY-MM-DD HH:MM:SS`, in SES_TIME_ZONE."""
    return value.astimezone(zone()).strftime("%Y-%m-%d %H:%M:%S")


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, zone())


def iso_day(value: str, code: str, name: str) -> date:
    """A `YYYY-MM-DD` parameter, or `code` naming the parameter."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(code, f"{name} must be a date as YYYY-MM-DD.") from None


def page_bounds(params: dict, limit: int) -> tuple[int, int]:
    """(first, last) rows of an Offset/Limit page; refuses a bad Limit."""
    if not 0 < limit <= MAX_LIMIT:
        raise ApiError(
            "FailedOperation.InvalidLimit", f"Limit must be 1 to {MAX_LIMIT}."
        )
    offset = params.get("Offset", 0)
    if offset < 0:
        raise ApiError("InvalidParameterValue", "Offset must be 0 or more.")
    return offset, offset + limit


def address_of(value: str) -> str:
    """`Name <addr>` or `addr` → `addr`."""
    return parseaddr(value)[1] or value.strip()


def template_data(raw: str) -> dict[str, str]:
    """TemplateData: a JSON object in a string."""
    try:
        data = json.loads(raw) if raw else {}
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        raise ApiError(
            "FailedOperation.WrongContentJson",
            "TemplateData must be a JSON object as a string, like "
            '"{\\"name\\": \\"Ana\\"}".',
        )
    return {str(k): str(v) for k, v in data.items()}
