"""Batch sending at scale: a 1,000,000-row import, a 100,000-recipient batch.

(a) Imports a generated CSV of --rows rows into a recipient list, in a child
    process whose peak memory (max RSS) is reported with the rows per second.
(b) Fans out and delivers a batch of --recipients to a loopback SMTP sink
    with --workers Celery workers; messages per second beside a raw smtplib
    loop into the same sink, in the same run.
(c) While (b) runs, times the console's batch task page and queue page
    (a logged-in owner, in this process) every half second.

Uses DATABASE_URL / REDIS_URL when set (the targets are for PostgreSQL).

    .venv/bin/python bench/batch.py [--rows 1000000] [--recipients 100000]
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.delivery import raw_rate_around, start_workers  # noqa: E402
from bench.setup import (  # noqa: E402
    configure_environment,
    create_database,
    free_port,
    set_up_sender,
)
from bench.sink import start_sink, stop_sink  # noqa: E402


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as file:
        file.write("email,name,city\n")
        for n in range(rows):
            file.write(f"reader{n}@sink{n % 50}.example,Reader {n},City {n % 977}\n")


def import_in_child(list_id: int, path: Path) -> tuple[float, float]:
    """(rows per second, peak MB) of importing `path` in a fresh process."""
    child = subprocess.run(
        [sys.executable, __file__, "--import-child", str(list_id), str(path)],
        cwd=BASE_DIR,
        env=os.environ,
        capture_output=True,
        text=True,
        check=True,
    )
    rate, peak = child.stdout.split()
    return float(rate), float(peak)


def child_import(list_id: int, path: str) -> None:
    import django

    django.setup()
    from sending import recipients
    from sending.models import RecipientList

    recipient_list = RecipientList.objects.get(pk=list_id)
    started = time.perf_counter()
    with open(path, "rb") as stream:
        counts = recipients.import_csv(recipient_list, stream, filename="bench.csv")
    rate = counts.total_rows / (time.perf_counter() - started)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{rate:.0f} {peak_mb:.0f}")


def time_pages(urls: list[str], owner, stop: threading.Event) -> dict[str, list]:
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(owner)
    timings: dict[str, list[float]] = {url: [] for url in urls}
    while not stop.is_set():
        for url in urls:
            started = time.perf_counter()
            response = client.get(url)
            timings[url].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        time.sleep(0.5)
    connection.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--import-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_child:
        child_import(int(args.import_child[0]), args.import_child[1])
        return

    scratch = configure_environment()
    os.environ["ALLOWED_HOSTS"] = "testserver"
    create_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.urls import reverse

    from accounts.models import User
    from domains.models import SenderDomain
    from sending import batches, recipients
    from sending.models import Message, TaskStatus
    from sesconsole.celery import app

    call_command("migrate", verbosity=0)
    app.control.purge() if settings.REDIS_URL else None
    account, sender, template = set_up_sender()
    owner = User.objects.create_user("owner@bench.example", "x" * 12)
    account.memberships.create(user=owner, role="owner")
    SenderDomain.objects.filter(pk=sender.domain.pk).update(daily_limit=10_000_000)

    # (a) the import
    csv_path = scratch / "recipients.csv"
    write_csv(csv_path, args.rows)
    big_list = recipients.create_list(account=account, name="Million")
    import_rate, import_peak = import_in_child(big_list.pk, csv_path)

    # (b) and (c): a batch to the sink, pages timed meanwhile
    batch_list = recipients.create_list(account=account, name="Batch")
    batch_csv = scratch / "batch.csv"
    write_csv(batch_csv, args.recipients)
    with batch_csv.open("rb") as stream:
        recipients.import_csv(batch_list, stream)
    sink_port = free_port()
    sink = start_sink(sink_port)
    try:
        workers = start_workers(args.workers, sink_port)
        time.sleep(3)
        stop = threading.Event()
        result: dict = {}

        def run() -> float:
            started = time.perf_counter()
            task = batches.create_task(
                account=account,
                from_email=sender.email,
                recipient_list=batch_list,
                template_id=template.pk,
                subject="News for {{name}}",
            )
            urls = [
                reverse("sending:batch", args=[task.pk]),
                reverse("sending:queue"),
            ]
            pages = threading.Thread(
                target=lambda: result.update(time_pages(urls, owner, stop))
            )
            pages.start()
            # Probes of the (batch, status) index: asking for "not delivered"
            # would read every delivered message of the batch each time.
            unfinished = Message.objects.filter(
                batch=task, status__in=["queued", "sending", "deferred"]
            )
            try:
                while unfinished.exists() or (
                    task.refresh_from_db() or task.status != TaskStatus.COMPLETE
                ):
                    time.sleep(0.1)
                elapsed = time.perf_counter() - started
                delivered = Message.objects.filter(batch=task, status="delivered")
                if delivered.count() != args.recipients:
                    raise SystemExit(f"{delivered.count()} delivered, not all")
                return elapsed
            finally:
                stop.set()
                pages.join()

        try:
            before, after, elapsed = raw_rate_around(sink_port, 10_000, run)
        finally:
            stop.set()
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait()
    finally:
        stop_sink(sink)

    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = "redis" if settings.REDIS_URL else "filesystem"
    rate = args.recipients / elapsed
    raw = (before + after) / 2
    print(f"database / broker:   {database} / {broker}")
    print(
        f"(a) import:          {args.rows:,} rows at {import_rate:,.0f} rows/s, "
        f"peak {import_peak:,.0f} MB (targets: >= 20,000 rows/s, < 300 MB)"
    )
    print(
        f"(b) raw smtplib:     {raw:,.0f} msg/s (baseline, one connection: "
        f"{before:,.0f} before the batch, {after:,.0f} after)"
    )
    print(
        f"(b) batch:           {args.recipients:,} recipients in {elapsed:.1f} s = "
        f"{rate:,.0f} msg/s, {rate / raw:.0%} of raw (target: >= 20%), "
        f"{args.workers} workers"
    )
    for url, timings in result.items():
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1] if timings else 0
        print(
            f"(c) {url:<17} median {statistics.median(timings):.0f} ms, "
            f"p95 {p95:.0f} ms, max {timings[-1]:.0f} ms over {len(timings)} "
            "requests (target: < 200 ms)"
        )
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
