"""The daily limit: reserve sends against a domain's limit for the sending day.

The reservation is one conditional UPDATE (`reserved + n <= limit`), so it is
atomic on PostgreSQL (row lock, condition re-checked after a concurrent
update) and on SQLite (IMMEDIATE transactions serialise writers) — any number
of web and worker processes together never exceed the limit.
"""

import functools
import zoneinfo
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.db.models.base import ModelState
from django.utils import timezone

from domains.models import SenderDomain
from domains.services import current_domain
from sending.errors import DomainNotVerified, ExceedSendLimit, TemporaryBlocked
from sending.models import DailyUsage
from sesconsole import statements
from sesconsole.statements import Statement


def sending_day(now: datetime | None = None) -> date:
    """Today in SES_TIME_ZONE: the day daily limits count."""
    now = now or timezone.now()
    return now.astimezone(zoneinfo.ZoneInfo(settings.SES_TIME_ZONE)).date()


def start_of_sending_day(now: datetime | None = None) -> datetime:
    """The moment today's sending day began, in SES_TIME_ZONE."""
    zone = zoneinfo.ZoneInfo(settings.SES_TIME_ZONE)
    today = sending_day(now)
    return datetime(today.year, today.month, today.day, tzinfo=zone)


def require_sending_domain(domain: SenderDomain) -> None:
    """Refuse a domain that is blocked today or not verified."""
    if domain.is_blocked():
        raise TemporaryBlocked(
            f"{domain.name} is blocked until {domain.blocked_until:%Y-%m-%d %H:%M} "
            "UTC after too many bounces or spam reports."
        )
    if not domain.can_send():
        raise DomainNotVerified(f"{domain.name} is not verified.")


def reserve(domain: SenderDomain, count: int, *, day: date | None = None) -> None:
    """Take `count` sends from today's limit of a domain that may send now.

    Raises TemporaryBlocked or DomainNotVerified (see require_sending_domain),
    then ExceedSendLimit. The domain's state is read by the reservation
    itself, so `domain` may be a copy from before a block or a DNS failure.
    Call inside the transaction that creates the messages, so a later
    failure gives the reservation back.
    """
    day = day or sending_day()
    with transaction.atomic(savepoint=False):
        state = _take(domain, day, count) if count > 0 else None
        if state is None:
            require_sending_domain(current_domain(domain.pk))
            if count <= 0:
                return
            # The day's row may not exist yet: create it (a concurrent creator
            # wins harmlessly) and try once more.
            DailyUsage.objects.bulk_create(
                [DailyUsage(domain=domain, day=day)], ignore_conflicts=True
            )
            state = _take(domain, day, count)
        if state is not None:
            require_sending_domain(_with_state(domain, state))
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


# What decides whether a domain may send (SenderDomain.can_send), read back
# by the reservation.
_STATE_FIELDS = ("status", "blocked_until", "broken_since")


def _take(domain: SenderDomain, day: date, count: int) -> tuple | None:
    """Run `taking`: the domain's state if it took `count`, else None."""
    (state,) = statements.run(taking(domain, count, day=day))
    return state


def taking(domain: SenderDomain, count: int, *, day: date) -> Statement[tuple | None]:
    """One conditional UPDATE taking `count` against the domain's current limit.

    It reads the domain's current state (_STATE_FIELDS) if it took them, else
    None. To run with other statements; `settle` finishes the reservation.
    """
    usage = DailyUsage._meta.db_table
    domains = SenderDomain._meta.db_table
    state = ", ".join(
        f"(SELECT {name} FROM {domains} WHERE id = domain_id)" for name in _STATE_FIELDS
    )
    # Plain SQL: every send runs this, and building it through the ORM cost
    # several times what running it does.
    return Statement(
        f"UPDATE {usage} SET reserved = reserved + %s "
        "WHERE domain_id = %s AND day = %s AND reserved + %s <= "
        f"(SELECT daily_limit FROM {domains} WHERE id = %s) "
        f"RETURNING {state}",
        [
            count,
            domain.pk,
            connection.ops.adapt_datefield_value(day),
            count,
            domain.pk,
        ],
        _first_row,
    )


def _first_row(rows: list[tuple]) -> tuple | None:
    return rows[0] if rows else None


def settle(
    domain: SenderDomain, taken: tuple | None, *, day: date, took: int, needed: int
) -> None:
    """Finish a reservation begun by running `taking(domain, took, day=day)`.

    `taken` is what that statement read. `needed` (at most `took`) of the
    sends are kept once the domain is found able to send, and the rest given
    back; if the take failed, `needed` is reserved as `reserve` does.
    """
    if taken is None:
        reserve(domain, needed, day=day)
        return
    require_sending_domain(_with_state(domain, taken))
    if took > needed:
        release(domain, took - needed, day=day)


def _with_state(domain: SenderDomain, state: tuple) -> SenderDomain:
    """A copy of `domain` with the state the reservation read, to check."""
    # Not copy.copy: unpickling a model (its protocol) costs more than the
    # reservation's statement; this copy is only read.
    fresh = object.__new__(SenderDomain)
    fresh.__dict__ = {**domain.__dict__, "_state": ModelState()}
    for (attname, converters, column), value in zip(
        _state_converters(connection.vendor), state, strict=True
    ):
        for convert in converters:
            value = convert(value, column, connection)
        setattr(fresh, attname, value)
    return fresh


@functools.cache
def _state_converters(vendor: str) -> list[tuple[str, list, object]]:
    # SQLite returns the subqueries' datetimes as text.
    found = []
    for name in _STATE_FIELDS:
        field = SenderDomain._meta.get_field(name)
        column = field.get_col(SenderDomain._meta.db_table)
        found.append((field.attname, connection.ops.get_db_converters(column), column))
    return found


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
