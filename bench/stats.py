"""Statistics read path: the statistics page and GetStatisticsReport.

Fills a year of counters — 365 days x 10 sender domains x 15 mailbox
providers, 54,750 cells, about 10 million events' worth — starts gunicorn
(2 workers) on a throwaway database, and times requests one at a time:
GET /healthz (a trivial view, the baseline), the statistics page (the default
30 days; a whole year; one domain and one provider), its CSV export, and
GetStatisticsReport (30 days; a year). Prints the median and p95 latency of
each. Uses DATABASE_URL / REDIS_URL when set, else SQLite.

    .venv/bin/python bench/stats.py [--requests 200]
"""

import argparse
import itertools
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import requests

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.setup import (  # noqa: E402
    configure_environment,
    free_port,
    signed_api_headers,
    start_gunicorn,
)

DATABASE = "ses_bench_stats"
DOMAINS = 10
# Mailbox providers and their share of a domain's mail.
PROVIDERS = {
    "gmail.com": 30,
    "outlook.com": 14,
    "qq.com": 12,
    "163.com": 8,
    "yahoo.com": 7,
    "icloud.com": 6,
    "sina.com": 3,
    "aliyun.com": 3,
    "gmx.net": 3,
    "mail.ru": 3,
    "proton.me": 2,
    "naver.com": 2,
    "corp-one.example": 2,
    "corp-two.example": 2,
    "corp-three.example": 3,
}
# Messages a domain sends on an average day: about 10 million events a year
# over all domains (a message makes about 2.8 counted events).
MESSAGES_PER_DOMAIN_DAY = 1000


def fill_counters(account: object, domains: list, today: object) -> int:
    """Write a year of plausible counters; return the events they stand for."""
    from stats.models import DailyCounter

    rng = random.Random(2026)
    rows, events = [], 0
    for n in range(365):
        day = today - timedelta(days=n)
        weekday = 0.45 if day.weekday() >= 5 else 1.0
        for domain in domains:
            volume = MESSAGES_PER_DOMAIN_DAY * weekday * rng.uniform(0.6, 1.4)
            for provider, share in PROVIDERS.items():
                sent = int(volume * share / 100)
                bounced = int(sent * rng.uniform(0.01, 0.08))
                invalid = int(bounced * rng.uniform(0.3, 0.7))
                delivered = sent - bounced
                opened = int(delivered * rng.uniform(0.3, 0.9))
                unique_opened = int(opened * rng.uniform(0.5, 0.8))
                clicked = int(unique_opened * rng.uniform(0.05, 0.3))
                counts = {
                    "requests": sent + sent // 40,
                    "accepted": sent,
                    "dropped": sent // 40,
                    "sent": sent,
                    "delivered": delivered,
                    "deferred": int(sent * rng.uniform(0, 0.05)),
                    "bounced": bounced,
                    "bounced_invalid": invalid,
                    "bounced_spam": int((bounced - invalid) * rng.uniform(0, 0.5)),
                    "failed": rng.randint(0, 2),
                    "opened": opened,
                    "unique_opened": unique_opened,
                    "clicked": clicked,
                    "unique_clicked": int(clicked * rng.uniform(0.6, 0.9)),
                    "unsubscribed": int(delivered * rng.uniform(0, 0.01)),
                    "complained": rng.randint(0, max(1, delivered // 1500)),
                }
                events += sum(
                    counts[c]
                    for c in counts
                    if c not in ("accepted", "bounced_invalid", "bounced_spam")
                    and not c.startswith("unique")
                )
                rows.append(
                    DailyCounter(
                        account=account,
                        domain=domain,
                        day=day,
                        provider=provider,
                        **counts,
                    )
                )
    DailyCounter.objects.bulk_create(rows, batch_size=2000)
    # Planner statistics, as PostgreSQL's autovacuum gathers them soon after
    # a load like this (without them it guesses one row and sorts by text).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {DailyCounter._meta.db_table}")
    return events


def create_own_database() -> None:
    """A PostgreSQL database of this benchmark's own (the others share
    `ses_bench`), so it can run beside them."""
    url = os.environ["DATABASE_URL"]
    if "postgres" not in url:
        return
    import psycopg

    base = url.rsplit("/", 1)[0]
    os.environ["DATABASE_URL"] = f"{base}/{DATABASE}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")


def timings(count: int, one_request: Callable[[], str | None]) -> list[float]:
    """Milliseconds of `count` sequential calls, after a few to warm up."""
    for _ in range(min(20, count)):
        one_request()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        error = one_request()
        times.append((time.perf_counter() - started) * 1000)
        if error:
            raise SystemExit(error)
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    scratch = configure_environment()
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    create_own_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import Account, Membership, Role, User
    from accounts.services import create_api_key
    from domains.models import SenderDomain
    from domains.services import create_domain
    from sending.quota import sending_day

    call_command("migrate", verbosity=0)
    account = Account.objects.create(name="Bench", slug="bench")
    user = User.objects.create_user("owner@bench.example", "x" * 12)
    Membership.objects.create(account=account, user=user, role=Role.OWNER)
    domains = [
        create_domain(account=account, name=f"news{n}.bench-mail.com", key_bits=1024)
        for n in range(DOMAINS)
    ]
    SenderDomain.objects.filter(account=account).update(status="verified")
    today = sending_day()
    started = time.perf_counter()
    events = fill_counters(account, domains, today)
    filled = time.perf_counter() - started
    key, secret_key = create_api_key(account=account, created_by=user)
    login = Client()
    login.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session_cookie = login.cookies[settings.SESSION_COOKIE_NAME].value

    port = free_port()
    host = f"127.0.0.1:{port}"
    server = start_gunicorn(host)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, session_cookie)
    year_ago = today - timedelta(days=364)

    def get(path: str, expect: str) -> Callable[[], str | None]:
        def one() -> str | None:
            response = session.get(
                f"http://{host}{path}", timeout=60, allow_redirects=False
            )
            ok = response.status_code == 200 and expect in response.text
            return (
                None if ok else f"{path}: {response.status_code} {response.text[:200]}"
            )

        return one

    serial = itertools.count()

    def api(start: object, end: object) -> Callable[[], str | None]:
        def one() -> str | None:
            # Trailing blanks make each body, so each signature, unique: the
            # API refuses a signature it has seen (replay protection).
            body = (
                json.dumps({"StartDate": start.isoformat(), "EndDate": end.isoformat()})
                + " " * (next(serial) % 500)
            ).encode()
            headers = signed_api_headers(
                secret_id=key.secret_id,
                secret_key=secret_key,
                host=host,
                action="GetStatisticsReport",
                body=body,
            )
            response = session.post(
                f"http://{host}/", data=body, headers=headers, timeout=60
            )
            answer = response.json()["Response"]
            return None if "DailyVolumes" in answer else json.dumps(answer)[:300]

        return one

    cases = [
        ("GET /healthz (baseline)", get("/healthz", "ok")),
        ("statistics page, 30 days", get("/statistics/", 'data-figure="sent"')),
        (
            "page, 30 days, 1 domain + provider",
            get(
                "/statistics/?domain=news3.bench-mail.com&provider=qq.com",
                'data-figure="sent"',
            ),
        ),
        (
            "statistics page, 365 days",
            get(f"/statistics/?start={year_ago}&end={today}", 'data-figure="sent"'),
        ),
        (
            "CSV export, 365 days",
            get(f"/statistics/?start={year_ago}&end={today}&format=csv", "date,"),
        ),
        (
            "GetStatisticsReport, 30 days",
            api(today - timedelta(days=29), today),
        ),
        ("GetStatisticsReport, 365 days", api(year_ago, today)),
    ]
    results = []
    try:
        for label, one in cases:
            results.append((label, timings(args.requests, one)))
    finally:
        server.terminate()
        server.wait()

    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    cells = len(PROVIDERS) * DOMAINS * 365
    print(
        f"counters:  {cells:,} cells (365 days x {DOMAINS} domains x "
        f"{len(PROVIDERS)} providers), ~{events / 1e6:.1f} million events' worth, "
        f"written in {filled:.1f} s"
    )
    print(
        f"server:    gunicorn, 2 workers; {database}; "
        f"{args.requests} sequential requests each"
    )
    print(f"{'':36} {'median':>9} {'p95':>9}")
    for label, times in results:
        print(f"{label:36} {statistics.median(times):7.1f} ms {p95(times):6.1f} ms")
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
