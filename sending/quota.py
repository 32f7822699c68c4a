"""The daily limit: reserve sends against a domain's limit for the sending day.

The reservation is one conditional UPDATE (`reserved + n <= limit`), so it is
atomic on PostgreSQL (row lock, condition re-checked after a concurrent
update) and on SQLite (IMMEDIATE transactions serialise writers) — any number
of web and worker processes together never exceed the limit.
"""

import zoneinfo
from datetime import date, datetime

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone

from domains.models import SenderDomain
from sending.errors import ExceedSendLimit
from sending.models import DailyUsage


def sending_day(now: datetime | None = None) -> date:
    """Today in SES_TIME_ZONE: the day daily limits count."""
    now = now or timezone.now()
    return now.astimezone(zoneinfo.ZoneInfo(settings.SES_TIME_ZONE)).date()


def start_of_sending_day(now: datetime | None = None) -> datetime:
    """The moment today's sending day began, in SES_TIME_ZONE."""
    zone = zoneinfo.ZoneInfo(settings.SES_TIME_ZONE)
    today = sending_day(now)
    return datetime(today.year, today.month, today.day, tzinfo=zone)


def reserve(domain: SenderDomain, count: int, *, day: date | None = None) -> None:
    """Take `count` sends from today's limit, or raise ExceedSendLimit.

    Call inside the transaction that creates the messages, so a later
    failure gives the reservation back.
    """
    if count <= 0:
        return
    day = day or sending_day()
    if _take(domain, day, count):
        return
    # The day's row may not exist yet: create it (a concurrent creator wins
    # harmlessly) and try once more.
    DailyUsage.objects.bulk_create(
        [DailyUsage(domain=domain, day=day)], ignore_conflicts=True
    )
    if _take(domain, day, count):
        return
    limit = SenderDomain.objects.values_list("daily_limit", flat=True).get(pk=domain.pk)
    left = remaining(domain, day=day, limit=limit)
    raise ExceedSendLimit(
        f"{domain.name} can send {left} more today (daily limit {limit:,}); "
        f"this request needs {count}."
    )


def reserve_up_to(domain: SenderDomain, count: int, *, day: date | None = None) -> int:
    """Take as many of `count` sends as today's limit still allows; how many.

    For batches, which send what fits and keep the rest for later.
    """
    day = day or sending_day()
    DailyUsage.objects.bulk_create(
        [DailyUsage(domain=domain, day=day)], ignore_conflicts=True
    )
    while count > 0:
        limit = SenderDomain.objects.values_list("daily_limit", flat=True).get(
            pk=domain.pk
        )
        count = min(count, remaining(domain, day=day, limit=limit))
        # Fails only when another sender took some in between: try again
        # with what is left.
        if count > 0 and _take(domain, day, count):
            return count
    return 0


def _take(domain: SenderDomain, day: date, count: int) -> bool:
    """One conditional UPDATE against the domain's current limit."""
    usage = DailyUsage._meta.db_table
    domains = SenderDomain._meta.db_table
    # Plain SQL: every send runs this, and building it through the ORM cost
    # several times what running it does.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {usage} SET reserved = reserved + %s "
            "WHERE domain_id = %s AND day = %s AND reserved + %s <= "
            f"(SELECT daily_limit FROM {domains} WHERE id = %s)",
            [
                count,
                domain.pk,
                connection.ops.adapt_datefield_value(day),
                count,
                domain.pk,
            ],
        )
        return cursor.rowcount > 0


def release(domain: SenderDomain, count: int, *, day: date) -> None:
    """Give back reservations that will not be sent (e.g. a cancelled batch)."""
    DailyUsage.objects.filter(domain=domain, day=day, reserved__gte=count).update(
        reserved=F("reserved") - count
    )


def used(domain: SenderDomain, *, day: date | None = None) -> int:
    day = day or sending_day()
    return (
        DailyUsage.objects.filter(domain=domain, day=day)
        .values_list("reserved", flat=True)
        .first()
        or 0
    )


def remaining(
    domain: SenderDomain, *, day: date | None = None, limit: int | None = None
) -> int:
    limit = domain.daily_limit if limit is None else limit
    return max(0, limit - used(domain, day=day))
