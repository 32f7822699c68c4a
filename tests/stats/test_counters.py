import io
import random
import threading
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from sending.models import BounceType, EventKind, Message, MessageEvent
from sesconsole import inserts
from stats import counters
from stats.counters import Delta, NewEvent, columns_for, count_events, record_events
from stats.models import COLUMNS, DailyCounter
from stats.providers import provider_for
from tests.factories import MessageFactory, SenderDomainFactory

DAY = date(2026, 3, 14)


def stored_cells() -> dict:
    """The counter table as {cell key: {column: non-zero value}}."""
    cells = {}
    for row in DailyCounter.objects.values(
        "account_id", "domain_id", "day", "provider", *COLUMNS
    ):
        counts = {c: row[c] for c in COLUMNS if row[c]}
        if counts:
            key = (row["account_id"], row["domain_id"], row["day"], row["provider"])
            cells[key] = counts
    return cells


# --- the mapping --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "options", "columns"),
    [
        (EventKind.ACCEPTED, {}, {"requests": 1, "accepted": 1}),
        (EventKind.DROPPED, {}, {"requests": 1, "dropped": 1}),
        (EventKind.QUEUED, {}, {}),
        (EventKind.REQUEUED, {}, {}),
        (EventKind.SENT, {}, {"sent": 1}),
        (EventKind.DELIVERED, {}, {"sent": 1, "delivered": 1}),
        (EventKind.DEFERRED, {}, {"deferred": 1}),
        (EventKind.FAILED, {}, {"failed": 1}),
        (
            EventKind.BOUNCED,
            {"bounce_type": BounceType.INVALID_ADDRESS},
            {"sent": 1, "bounced": 1, "bounced_invalid": 1},
        ),
        (
            EventKind.BOUNCED,
            {"bounce_type": BounceType.SPAM},
            {"sent": 1, "bounced": 1, "bounced_spam": 1},
        ),
        (
            EventKind.BOUNCED,
            {"bounce_type": BounceType.OTHER},
            {"sent": 1, "bounced": 1},
        ),
        (
            EventKind.BOUNCED,
            {
                "bounce_type": BounceType.INVALID_ADDRESS,
                "previous_outcome": "delivered",
            },
            {"bounced": 1, "bounced_invalid": 1, "delivered": -1},
        ),
        (
            EventKind.BOUNCED,
            {"bounce_type": BounceType.SPAM, "previous_outcome": "sent"},
            {"bounced": 1, "bounced_spam": 1},
        ),
        (EventKind.OPENED, {"first": True}, {"opened": 1, "unique_opened": 1}),
        (EventKind.OPENED, {}, {"opened": 1}),
        (EventKind.CLICKED, {"first": True}, {"clicked": 1, "unique_clicked": 1}),
        (EventKind.CLICKED, {}, {"clicked": 1}),
        (EventKind.UNSUBSCRIBED, {}, {"unsubscribed": 1}),
        (EventKind.COMPLAINED, {}, {"complained": 1}),
    ],
)
def test_columns_for_each_event(kind, options, columns):
    assert columns_for(kind, **options) == columns


def test_every_event_kind_is_mapped():
    counted = {kind for kind in EventKind if columns_for(kind, first=True)}

    assert set(EventKind) - counted == {EventKind.QUEUED, EventKind.REQUEUED}


# --- add ----------------------------------------------------------------------


def test_add_merges_a_batch_into_one_upsert(db):
    domain = SenderDomainFactory()
    deltas = [
        Delta(domain.account_id, domain.pk, DAY, provider, {"sent": 1, "delivered": 1})
        for provider in ("gmail.com", "qq.com", "163.com")
        for _ in range(300)
    ]

    with CaptureQueriesContext(connection) as queries:
        cells = counters.add(deltas)

    upserts = [q["sql"] for q in queries.captured_queries if "ON CONFLICT" in q["sql"]]
    assert cells == 3
    assert len(upserts) == 1
    assert len(queries.captured_queries) == 1
    assert DailyCounter.objects.get(provider="qq.com").delivered == 300


def test_add_adds_to_existing_cells_and_creates_new_ones(db):
    domain = SenderDomainFactory()
    cell = {"account_id": domain.account_id, "domain_id": domain.pk, "day": DAY}

    counters.add(
        [Delta(**cell, provider="gmail.com", columns={"sent": 2, "opened": 5})]
    )
    counters.add(
        [
            Delta(**cell, provider="gmail.com", columns={"sent": 1, "complained": 1}),
            Delta(**cell, provider="qq.com", columns={"requests": 4}),
            Delta(**cell, provider="qq.com", columns={"requests": -1}),
        ]
    )

    gmail = DailyCounter.objects.get(provider="gmail.com")
    assert (gmail.sent, gmail.opened, gmail.complained, gmail.requests) == (3, 5, 1, 0)
    assert DailyCounter.objects.get(provider="qq.com").requests == 3


def test_add_refuses_unknown_columns(db):
    with pytest.raises(ValueError, match="bogus"):
        counters.add([Delta(1, 1, DAY, "gmail.com", {"bogus": 1})])


def test_add_splits_only_where_the_database_limits_parameters(db, monkeypatch):
    domain = SenderDomainFactory()
    monkeypatch.setattr(inserts, "parameter_limit", lambda: 50)
    deltas = [
        Delta(domain.account_id, domain.pk, DAY, f"p{n}.example", {"sent": 1})
        for n in range(25)
    ]

    with CaptureQueriesContext(connection) as queries:
        counters.add(deltas)

    # 5 parameters a row, at most 50 a statement: 10 rows each.
    assert len([q for q in queries.captured_queries if "ON CONFLICT" in q["sql"]]) == 3
    assert DailyCounter.objects.count() == 25


# --- recording and recounting -------------------------------------------------


def test_an_event_counts_on_its_sending_day(db, settings):
    settings.SES_TIME_ZONE = "Asia/Shanghai"
    message = MessageFactory(recipient="ana@googlemail.com")
    shanghai = ZoneInfo("Asia/Shanghai")

    record_events(
        [
            # 23:59 on the 13th in Shanghai is 15:59 UTC.
            NewEvent(
                message,
                EventKind.ACCEPTED,
                at=datetime(2026, 3, 13, 23, 59, tzinfo=shanghai),
            ),
            # 00:01 on the 14th in Shanghai is still the 13th in UTC.
            NewEvent(
                message,
                EventKind.DELIVERED,
                at=datetime(2026, 3, 14, 0, 1, tzinfo=shanghai),
            ),
        ]
    )

    cells = stored_cells()
    key = (message.account_id, message.domain_id)
    assert cells == {
        (*key, date(2026, 3, 13), "gmail.com"): {"requests": 1, "accepted": 1},
        (*key, date(2026, 3, 14), "gmail.com"): {"sent": 1, "delivered": 1},
    }
    assert count_events(day=date(2026, 3, 14)) == {
        (*key, date(2026, 3, 14), "gmail.com"): {"sent": 1, "delivered": 1}
    }


def test_record_events_stores_the_rows(db):
    message = MessageFactory()

    rows = record_events(
        [
            NewEvent(message, EventKind.DEFERRED, detail="451 try later"),
            NewEvent(message, EventKind.QUEUED),
        ]
    )

    assert [e.kind for e in rows] == ["deferred", "queued"]
    assert MessageEvent.objects.filter(message=message).count() == 2
    assert DailyCounter.objects.get().deferred == 1


def test_recount_command_repairs_a_day(db, settings):
    settings.SES_TIME_ZONE = "UTC"
    message = MessageFactory(recipient="bo@qq.com")
    at = datetime(2026, 3, 14, 9, tzinfo=ZoneInfo("UTC"))
    record_events(
        [
            NewEvent(message, EventKind.ACCEPTED, at=at),
            NewEvent(message, EventKind.DELIVERED, at=at + timedelta(seconds=2)),
            NewEvent(message, EventKind.OPENED, at=at + timedelta(hours=1), first=True),
        ]
    )
    DailyCounter.objects.update(delivered=99, complained=3)
    stray = DailyCounter.objects.create(
        account_id=message.account_id,
        domain_id=message.domain_id,
        day=DAY,
        provider="x.example",
        sent=7,
    )

    out = io.StringIO()
    call_command("recount_statistics", "--day", "2026-03-14", stdout=out)

    assert stored_cells() == {
        (message.account_id, message.domain_id, DAY, "qq.com"): {
            "requests": 1,
            "accepted": 1,
            "sent": 1,
            "delivered": 1,
            "opened": 1,
            "unique_opened": 1,
        }
    }
    assert not DailyCounter.objects.filter(pk=stray.pk).exists()
    assert out.getvalue() == "2026-03-14: 1 counter cell(s) rebuilt.\n"


def test_recount_of_one_account_leaves_the_others(db, settings):
    settings.SES_TIME_ZONE = "UTC"
    ours, theirs = MessageFactory(), MessageFactory()
    at = datetime(2026, 3, 14, 9, tzinfo=ZoneInfo("UTC"))
    record_events([NewEvent(m, EventKind.ACCEPTED, at=at) for m in (ours, theirs)])
    DailyCounter.objects.update(requests=50)

    counters.recount(day=DAY, account_id=ours.account_id)

    assert DailyCounter.objects.get(account_id=ours.account_id).requests == 1
    assert DailyCounter.objects.get(account_id=theirs.account_id).requests == 50


# --- exactness: 10,000 random events ------------------------------------------

RECIPIENT_DOMAINS = [
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.co.uk",
    "live.com",
    "yahoo.com",
    "yahoo.co.jp",
    "qq.com",
    "foxmail.com",
    "163.com",
    "126.com",
    "icloud.com",
    "acme-corp.example",
    "bücher.de",
]


def lifecycle(rng: random.Random, start: datetime, end: datetime) -> tuple[list, str]:
    """One message's events as (seconds into the day, kind, options), and its
    bounce type — the order a real message goes through them."""
    span = (end - start).total_seconds()
    clock = rng.uniform(0, span * 0.6)
    events: list[tuple[float, str, dict]] = []

    def later(kind: str, **options: object) -> None:
        nonlocal clock
        clock += rng.uniform(0.001, (span - clock) / 8)
        events.append((clock, kind, options))

    events.append(
        (clock, EventKind.DROPPED if rng.random() < 0.08 else EventKind.ACCEPTED, {})
    )
    if events[0][1] == EventKind.DROPPED:
        return events, ""
    for _ in range(rng.choice([0, 0, 0, 0, 1, 1, 2, 3])):
        later(EventKind.DEFERRED)
    outcome = rng.choices(
        [
            EventKind.DELIVERED,
            EventKind.BOUNCED,
            EventKind.SENT,
            EventKind.FAILED,
            None,
        ],
        weights=[78, 10, 4, 3, 5],
    )[0]
    bounce_type = ""
    if outcome is None:  # still in flight at the end of the day
        return events, ""
    if outcome == EventKind.BOUNCED:
        bounce_type = rng.choice(list(BounceType)[1:])
        later(EventKind.BOUNCED, bounce_type=bounce_type)
        return events, bounce_type
    later(outcome)
    if outcome == EventKind.FAILED:
        return events, ""
    if rng.random() < (0.03 if outcome == EventKind.DELIVERED else 0.3):
        bounce_type = rng.choice(list(BounceType)[1:])
        later(EventKind.BOUNCED, bounce_type=bounce_type, previous_outcome=outcome)
        return events, bounce_type
    if outcome == EventKind.SENT:
        return events, ""
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 5])):
        later(EventKind.OPENED)
        if rng.random() < 0.35:
            later(EventKind.CLICKED)
    if rng.random() < 0.04:
        later(EventKind.UNSUBSCRIBED)
    if rng.random() < 0.01:
        later(EventKind.COMPLAINED)
    return events, bounce_type


def test_counters_equal_a_recount_of_10000_random_events(
    account, other_account, settings
):
    settings.SES_TIME_ZONE = "Asia/Shanghai"
    rng = random.Random(20260314)
    start, end = counters.day_bounds(DAY)
    domains = [
        SenderDomainFactory(account=account, verified=True),
        SenderDomainFactory(account=account, verified=True),
        SenderDomainFactory(account=other_account, verified=True),
    ]
    # Plan messages until there are comfortably more than 10,000 events.
    plans, messages, planned = [], [], 0
    while planned < 10_600:
        domain = rng.choice(domains)
        events, bounce_type = lifecycle(rng, start, end)
        message = MessageFactory.build(
            domain=domain,
            account=domain.account,
            recipient=f"r{len(messages)}@{rng.choice(RECIPIENT_DOMAINS)}",
            bounce_type=bounce_type,
        )
        messages.append(message)
        plans.append(events)
        planned += len(events)
    Message.objects.bulk_create(messages, batch_size=500)
    # Every event of the day in time order; the first 10,000 of them.
    timeline = sorted(
        (
            (start + timedelta(seconds=seconds), n, kind, options)
            for n, events in enumerate(plans)
            for seconds, kind, options in events
        ),
        key=lambda event: event[:3],
    )[:10_000]
    assert timeline[-1][0] < end

    # Record them in batches as recorders would: the first open and click of
    # each message flagged as it happens.
    expected: dict = defaultdict(Counter)
    opened, clicked = set(), set()
    batch: list[NewEvent] = []
    for at, n, kind, options in timeline:
        message = messages[n]
        first = False
        if kind in (EventKind.OPENED, EventKind.CLICKED):
            seen = opened if kind == EventKind.OPENED else clicked
            first = n not in seen
            seen.add(n)
        batch.append(NewEvent(message, kind, at=at, first=first, **options))
        key = (
            message.account_id,
            message.domain_id,
            DAY,
            provider_for(message.recipient),
        )
        expected[key].update(columns_for(kind, first=first, **options))
        if len(batch) >= rng.randint(1, 60):
            record_events(batch)
            batch = []
    record_events(batch)

    assert MessageEvent.objects.count() == 10_000
    stored = stored_cells()
    recounted = count_events(day=DAY)
    assert stored == recounted
    assert stored == {k: {c: n for c, n in v.items() if n} for k, v in expected.items()}
    # The data really is mixed: several cells, every column used.
    assert len(stored) == 3 * 9  # domains, grouped providers
    assert {c for cell in stored.values() for c in cell} == set(COLUMNS)
    totals = Counter()
    for cell in stored.values():
        totals.update(cell)
    assert totals["requests"] == sum(
        1 for e in timeline if e[2] in ("accepted", "dropped")
    )
    assert totals["unique_opened"] == len(opened)

    # Rebuilding the day from the events changes nothing.
    counters.recount(day=DAY)
    assert stored_cells() == stored


def test_concurrent_writers_lose_no_counts(transactional_db):
    domain = SenderDomainFactory()
    cells = [
        (domain.account_id, domain.pk, DAY, provider)
        for provider in ("gmail.com", "qq.com", "163.com", "outlook.com")
    ]
    errors: list[BaseException] = []

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(25):
                # Each batch touches the cells in its own order; add() sorts
                # them, so two transactions never wait on each other in a circle.
                batch = rng.sample(cells, k=len(cells))
                with transaction.atomic():
                    counters.add(Delta(*cell, {"sent": 1}) for cell in batch)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert sorted(DailyCounter.objects.values_list("sent", flat=True)) == [100] * 4
