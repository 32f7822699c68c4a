"""The nightly reputation run over many domains: time and queries.

Creates --domains verified domains, each with yesterday's reputation figures
(a tenth of them bad enough to be lowered), then times `lower_overnight()`
and counts its queries, beside the time of reading those same figures once
(the baseline). Uses DATABASE_URL
when set.

    .venv/bin/python bench/reputation.py [--domains 10000]
"""

import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.setup import configure_environment, create_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=10_000)
    args = parser.parse_args()

    scratch = configure_environment()
    create_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import Account
    from domains import reputation_updates
    from domains.models import ReputationDay, SenderDomain
    from sending.quota import sending_day

    call_command("migrate", verbosity=0)
    account = Account.objects.create(name="Bench", slug="bench")
    yesterday = sending_day() - timedelta(days=1)
    SenderDomain.objects.bulk_create(
        SenderDomain(
            account=account,
            name=f"d{n}.bench.example",
            status="verified",
            dkim_selector="bench",
            dkim_private_key_encrypted="-",
            dkim_public_key="-",
            reputation_level=5,
            daily_limit=10_000,
            reputation_evaluated_through=yesterday - timedelta(days=1),
        )
        for n in range(args.domains)
    )
    rng = random.Random(7)
    days = []
    for domain_id in SenderDomain.objects.values_list("pk", flat=True):
        bad = rng.random() < 0.1
        sent = rng.randint(600, 6000)
        invalid = sent // (8 if bad else 100)
        days.append(
            ReputationDay(
                domain_id=domain_id,
                day=yesterday,
                sent=sent,
                delivered=sent - invalid,
                invalid_bounces=invalid,
                unique_opens=sent // 3,
            )
        )
    ReputationDay.objects.bulk_create(days, batch_size=5000)

    started = time.perf_counter()
    figures = reputation_updates.day_figures(yesterday)
    read_once = time.perf_counter() - started

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        lowered = reputation_updates.lower_overnight(timezone.now())
        elapsed = time.perf_counter() - started
    with CaptureQueriesContext(connection) as again:
        second = reputation_updates.lower_overnight(timezone.now())

    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"database:            {database}")
    print(
        f"domains:             {args.domains:,}, a day of figures each "
        f"({len(figures):,} read)"
    )
    print(f"read figures once:   {read_once * 1000:,.0f} ms (baseline)")
    count = len(queries.captured_queries)
    print(
        f"nightly run:         {elapsed * 1000:,.0f} ms, {count} queries, "
        f"{lowered:,} lowered (target: < 10 s, constant queries)"
    )
    print(
        f"second run:          {len(again.captured_queries)} queries, "
        f"{second} lowered (safe to run twice)"
    )
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
