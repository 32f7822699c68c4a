"""Count events into DailyCounter cells as they are recorded, and recount them.

A cell is one account, sender domain, sending day and mailbox provider.
Recording an event and counting it happen in the same transaction
(`record_events`), so the counters never disagree with the event table —
`recount` rebuilds a day from the events and must find the same numbers.

Counting is one upsert statement per batch (`INSERT … ON CONFLICT DO UPDATE
SET col = col + EXCLUDED.col`), atomic on PostgreSQL and on SQLite ≥ 3.24,
with the batch's deltas merged per cell first and the cells written in key
order, so two transactions touching the same cells never deadlock.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from domains import reputation_updates
from sending.models import BounceType, EventKind, MessageEvent
from sending.quota import sending_day
from sesconsole import statements
from sesconsole.inserts import inserting, rows_per_statement
from sesconsole.statements import Statement
from stats.models import COLUMNS, DailyCounter
from stats.providers import provider_for

# account_id, domain_id, day, provider
CellKey = tuple[int, int, date, str]

_KEY_COLUMNS = ("account_id", "domain_id", "day", "provider")
# The outcome a late bounce (a DSN after the server said 2xx) follows.
LATE_BOUNCE_AFTER = (EventKind.DELIVERED, EventKind.SENT)

_FIXED: dict[str, dict[str, int]] = {
    EventKind.ACCEPTED: {"requests": 1, "accepted": 1},
    EventKind.DROPPED: {"requests": 1, "dropped": 1},
    EventKind.SENT: {"sent": 1},
    EventKind.DELIVERED: {"sent": 1, "delivered": 1},
    EventKind.DEFERRED: {"deferred": 1},
    EventKind.FAILED: {"failed": 1},
    EventKind.UNSUBSCRIBED: {"unsubscribed": 1},
    EventKind.COMPLAINED: {"complained": 1},
}
_BOUNCE_COLUMN = {
    BounceType.INVALID_ADDRESS: "bounced_invalid",
    BounceType.SPAM: "bounced_spam",
}


def columns_for(
    kind: str,
    *,
    bounce_type: str = "",
    first: bool = False,
    previous_outcome: str = "",
) -> dict[str, int]:
    """The counter columns one event increments (a decrement is -1).

    - `first`: for `opened` and `clicked`, this is the message's first open
      (click); it also counts in `unique_opened` (`unique_clicked`).
    - `bounce_type`: for `bounced`, the message's BounceType.
    - `previous_outcome`: for `bounced`, the outcome event the message already
      had — "" for a bounce answered during delivery (counts in `sent`),
      `delivered` or `sent` for a late bounce (a DSN), which was counted in
      `sent` already; after `delivered` it also leaves `delivered`.

    Kinds that do not count (`queued`, `requeued`) give {}.
    """
    if kind in _FIXED:
        return dict(_FIXED[kind])
    if kind == EventKind.OPENED:
        return {"opened": 1, "unique_opened": 1} if first else {"opened": 1}
    if kind == EventKind.CLICKED:
        return {"clicked": 1, "unique_clicked": 1} if first else {"clicked": 1}
    if kind == EventKind.BOUNCED:
        columns = {"bounced": 1}
        if bounce_type in _BOUNCE_COLUMN:
            columns[_BOUNCE_COLUMN[bounce_type]] = 1
        if not previous_outcome:
            columns["sent"] = 1
        elif previous_outcome == EventKind.DELIVERED:
            columns["delivered"] = -1
        return columns
    return {}


@dataclass(frozen=True)
class Delta:
    """Increments to the counters of one cell."""

    account_id: int
    domain_id: int
    day: date
    provider: str
    columns: Mapping[str, int]

    @property
    def key(self) -> CellKey:
        return (self.account_id, self.domain_id, self.day, self.provider)


def merge(deltas: Iterable[Delta]) -> dict[CellKey, dict[str, int]]:
    """Sum the deltas of each cell; cells that sum to nothing are left out."""
    cells: dict[CellKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for delta in deltas:
        unknown = set(delta.columns) - set(COLUMNS)
        if unknown:
            raise ValueError(f"Not counter columns: {sorted(unknown)}")
        cell = cells[delta.key]
        for column, amount in delta.columns.items():
            cell[column] += amount
    return {
        key: {c: n for c, n in columns.items() if n}
        for key, columns in cells.items()
        if any(columns.values())
    }


def add(deltas: Iterable[Delta]) -> int:
    """Add `deltas` to their cells, creating cells as needed; return the cells.

    One INSERT … ON CONFLICT DO UPDATE statement per batch (split only where
    the database limits the parameters of one statement).
    """
    cells = _cells(deltas)
    with transaction.atomic(savepoint=False):
        statements.run(*_upserts(cells))
    return len(cells)


def adding(deltas: Iterable[Delta]) -> list[Statement]:
    """The statements of `add(deltas)`, to run with others in a transaction."""
    return _upserts(_cells(deltas))


def _cells(deltas: Iterable[Delta]) -> list[tuple[CellKey, dict[str, int]]]:
    # In key order, so two transactions touching the same cells never deadlock.
    return sorted(merge(deltas).items())


def _upserts(cells: list[tuple[CellKey, dict[str, int]]]) -> list[Statement]:
    if not cells:
        return []
    columns = tuple(c for c in COLUMNS if any(c in counts for _, counts in cells))
    per_statement = rows_per_statement(len(_KEY_COLUMNS) + len(columns))
    upserts = []
    for start in range(0, len(cells), per_statement):
        chunk = cells[start : start + per_statement]
        params: list[object] = []
        for (account_id, domain_id, day, provider), counts in chunk:
            params += [
                account_id,
                domain_id,
                connection.ops.adapt_datefield_value(day),
                provider,
            ]
            params += [counts.get(column, 0) for column in columns]
        upserts.append(
            Statement(
                _upsert_sql(columns, len(chunk), connection.vendor), params, read=None
            )
        )
    return upserts


@lru_cache(maxsize=64)
def _upsert_sql(columns: tuple[str, ...], rows: int, vendor: str) -> str:
    quote = connection.ops.quote_name
    table = quote(DailyCounter._meta.db_table)
    names = [*_KEY_COLUMNS, *columns]
    row = "(" + ", ".join(["%s"] * len(names)) + ")"
    increments = ", ".join(
        f"{quote(c)} = {table}.{quote(c)} + EXCLUDED.{quote(c)}" for c in columns
    )
    return (
        f"INSERT INTO {table} ({', '.join(quote(n) for n in names)}) "
        f"VALUES {', '.join([row] * rows)} "
        f"ON CONFLICT ({', '.join(quote(n) for n in _KEY_COLUMNS)}) "
        f"DO UPDATE SET {increments}"
    )


# --- Recording events ---------------------------------------------------------


class CountedMessage(Protocol):
    """What counting needs of a message (a Message, or `.only()` of these)."""

    pk: int
    account_id: int
    domain_id: int
    recipient: str


@dataclass(frozen=True)
class NewEvent:
    """An event to record: a MessageEvent row, and how it counts.

    `first`, `bounce_type` and `previous_outcome` mean what they mean for
    `columns_for`; the recorder knows them (e.g. `first` from a conditional
    UPDATE that only the first open wins).
    """

    message: CountedMessage
    kind: str
    at: datetime | None = None
    detail: str = ""
    bounce_type: str = ""
    first: bool = False
    previous_outcome: str = ""
    user_agent: str = ""
    link: str = ""


def delta_for(event: NewEvent, *, at: datetime) -> Delta | None:
    """The counters `event`, happening `at`, adds to; None if it counts nothing."""
    columns = columns_for(
        event.kind,
        bounce_type=event.bounce_type,
        first=event.first,
        previous_outcome=event.previous_outcome,
    )
    if not columns:
        return None
    message = event.message
    return Delta(
        account_id=message.account_id,
        domain_id=message.domain_id,
        day=sending_day(at),
        provider=provider_for(message.recipient),
        columns=columns,
    )


def record_events(events: Iterable[NewEvent]) -> list[MessageEvent]:
    """Store `events` as MessageEvent rows and count them, in one transaction.

    Call it inside the transaction that changes the messages' status, so the
    change, its events and its counts commit together or not at all.
    """
    events = list(events)
    if not events:
        return []
    now = timezone.now()
    rows, deltas = [], []
    for event in events:
        at = event.at or now
        rows.append(
            MessageEvent(
                message_id=event.message.pk,
                kind=event.kind,
                at=at,
                detail=event.detail[:1000],
                user_agent=event.user_agent[:500],
                link=event.link[:2000],
            )
        )
        delta = delta_for(event, at=at)
        if delta is not None:
            deltas.append(delta)
    with transaction.atomic(savepoint=False):
        # The rows and their counts go in one round trip.
        statements.run(*inserting(rows), *adding(deltas))
        # The reputation figures count the same deltas; a raise decided here
        # applies to the very next send.
        reputation_updates.count(((d.domain_id, d.day, d.columns) for d in deltas), now)
    return rows


# --- Recounting from the event table -----------------------------------------


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first moment of `day` and of the next day, in SES_TIME_ZONE."""
    zone = ZoneInfo(settings.SES_TIME_ZONE)
    return (
        datetime.combine(day, time.min, zone),
        datetime.combine(day + timedelta(days=1), time.min, zone),
    )


def count_events(
    *, day: date, account_id: int | None = None
) -> dict[CellKey, dict[str, int]]:
    """The cells of `day` computed from MessageEvent rows joined to Message.

    The same rules as recording: an open (click) is unique when no earlier
    open (click) of its message exists; a bounce is late when an earlier
    `delivered` or `sent` event of its message exists. Reads every event of
    the day, so it is for repairs and tests, never for pages.
    """
    start, end = day_bounds(day)
    events = MessageEvent.objects.filter(at__gte=start, at__lt=end)
    if account_id is not None:
        events = events.filter(message__account_id=account_id)
    earlier = MessageEvent.objects.filter(message_id=OuterRef("message_id")).filter(
        Q(at__lt=OuterRef("at")) | Q(at=OuterRef("at"), pk__lt=OuterRef("pk"))
    )
    previous_outcome = (
        earlier.filter(kind__in=LATE_BOUNCE_AFTER).order_by("-at", "-pk").values("kind")
    )
    rows = events.annotate(
        first=Case(
            When(
                kind__in=[EventKind.OPENED, EventKind.CLICKED],
                then=~Exists(earlier.filter(kind=OuterRef("kind"))),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
        previous_outcome=Case(
            When(kind=EventKind.BOUNCED, then=Subquery(previous_outcome[:1])),
            default=Value(""),
            output_field=CharField(),
        ),
    ).values_list(
        "message__account_id",
        "message__domain_id",
        "message__recipient",
        "kind",
        "message__bounce_type",
        "first",
        "previous_outcome",
    )
    deltas = (
        Delta(
            account_id=account,
            domain_id=domain,
            day=day,
            provider=provider_for(recipient),
            columns=columns_for(
                kind,
                bounce_type=bounce_type,
                first=bool(first),
                previous_outcome=previous or "",
            ),
        )
        for account, domain, recipient, kind, bounce_type, first, previous in (
            rows.iterator(chunk_size=5000)
        )
    )
    return merge(deltas)


def recount(*, day: date, account_id: int | None = None) -> int:
    """Rebuild the cells of `day` (of one account, or all) from the events.

    Holds off recorders meanwhile (on PostgreSQL a table lock that still lets
    pages read; SQLite transactions already take the write lock), so an event
    recorded during the recount is counted exactly once. Only for days whose
    events are all still stored. Returns the number of cells written.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                table = connection.ops.quote_name(DailyCounter._meta.db_table)
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        cells = count_events(day=day, account_id=account_id)
        stale = DailyCounter.objects.filter(day=day)
        if account_id is not None:
            stale = stale.filter(account_id=account_id)
        stale.delete()
        DailyCounter.objects.bulk_create(
            (
                DailyCounter(
                    account_id=account,
                    domain_id=domain,
                    day=cell_day,
                    provider=provider,
                    **{c: counts.get(c, 0) for c in COLUMNS},
                )
                for (account, domain, cell_day, provider), counts in cells.items()
            ),
            batch_size=500,
        )
    return len(cells)
