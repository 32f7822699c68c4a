"""Delivery throughput: send_email -> Celery workers -> SMTP sink, DKIM on.

Prints messages per second end to end beside the raw rate of a plain smtplib
loop into the same sink, in the same run. Uses DATABASE_URL and REDIS_URL
when set (PostgreSQL and Redis, as in production), else a throwaway SQLite
file and the embedded filesystem broker.

    .venv/bin/python bench/delivery.py [--messages 10000] [--workers 2]
"""

import argparse
import os
import smtplib
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.setup import (  # noqa: E402
    configure_environment,
    create_database,
    free_port,
    set_up_sender,
)
from bench.sink import start_sink, stop_sink  # noqa: E402


def raw_smtp_rate(port: int, count: int) -> float:
    """The baseline: one smtplib connection, pre-built messages, no database."""
    message = EmailMessage()
    message["From"] = "bench@example.com"
    message["To"] = "sink@example.org"
    message["Subject"] = "Raw SMTP baseline"
    message.set_content("Hello from the raw loop.\n" * 10)
    data = message.as_bytes()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        started = time.perf_counter()
        for _ in range(count):
            smtp.sendmail("bench@example.com", ["sink@example.org"], data)
        return count / (time.perf_counter() - started)


def raw_rate_around(port: int, count: int, measure) -> tuple[float, float, object]:
    """The raw loop's rate before and after `measure()`, and what it returned.

    This machine's speed drifts by up to 2x over minutes (a shared virtual
    machine): the mean of a run before and one after compares like with like.
    """
    before = raw_smtp_rate(port, count)
    result = measure()
    after = raw_smtp_rate(port, count)
    return before, after, result


def start_workers(count: int, sink_port: int) -> list[subprocess.Popen]:
    from sesconsole.celery import solo_worker_command

    env = {
        **os.environ,
        "SES_DELIVERY_URL": f"smtp://127.0.0.1:{sink_port}",
        "SES_EHLO_HOSTNAME": "bench.localhost",
    }
    return [
        subprocess.Popen(
            solo_worker_command(f"bench{n}@%h"),
            cwd=BASE_DIR,
            env=env,
        )
        for n in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    scratch = configure_environment()
    create_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from sending.models import Message
    from sending.services import send_email
    from sesconsole.celery import app

    call_command("migrate", verbosity=0)
    app.control.purge() if settings.REDIS_URL else None

    sink_port = free_port()
    sink = start_sink(sink_port)
    try:
        account, sender, template = set_up_sender()
        workers = start_workers(args.workers, sink_port)
        time.sleep(3)  # let the workers connect before the clock starts

        def run() -> tuple[float, float]:
            started = time.perf_counter()
            for start in range(0, args.messages, 50):
                count = min(50, args.messages - start)
                send_email(
                    account=account,
                    from_email=sender.email,
                    recipients=[
                        f"r{n}@sink.example" for n in range(start, start + count)
                    ],
                    template_id=template.pk,
                    template_data={"name": "Reader"},
                    subject="News for {{name}}",
                )
            accepted = time.perf_counter() - started
            # An index probe per poll: "not delivered" would read every row.
            unfinished = Message.objects.filter(
                status__in=["queued", "sending", "deferred"]
            )
            while unfinished.exists():
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            delivered = Message.objects.filter(status="delivered").count()
            if delivered != args.messages:
                raise SystemExit(f"{delivered} of {args.messages} delivered")
            return accepted, elapsed

        try:
            before, after, (accepted, elapsed) = raw_rate_around(
                sink_port, args.messages, run
            )
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait()
    finally:
        stop_sink(sink)

    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = "redis" if settings.REDIS_URL else "filesystem"
    rate = args.messages / elapsed
    raw = (before + after) / 2
    setup = f"DKIM RSA-2048, {args.workers} workers"
    print(f"messages:            {args.messages:,} ({setup})")
    print(f"database / broker:   {database} / {broker}")
    print(
        f"raw smtplib loop:    {raw:,.0f} msg/s (baseline, one connection: "
        f"{before:,.0f} before the run, {after:,.0f} after)"
    )
    print(f"send_email accepted: {args.messages / accepted:,.0f} msg/s")
    print(f"end to end:          {rate:,.0f} msg/s ({elapsed:.1f} s)")
    print(f"ratio to raw:        {rate / raw:.0%} (target: at least 20%)")
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
