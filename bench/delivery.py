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
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def configure_environment() -> Path:
    scratch = Path(tempfile.mkdtemp(prefix="ses-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sesconsole.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ["DEBUG"] = "0"
    os.environ["SES_HTTPS"] = "0"
    os.environ["SES_STATIC_MANIFEST"] = "0"
    os.environ["SES_VAR_DIR"] = str(scratch)
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    elif "postgres" in os.environ["DATABASE_URL"]:
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        os.environ["DATABASE_URL"] = f"{base}/ses_bench"
    if os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/15"
    return scratch


def create_database() -> None:
    url = os.environ["DATABASE_URL"]
    if "postgres" in url:
        import psycopg

        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS ses_bench WITH (FORCE)")
            connection.execute("CREATE DATABASE ses_bench")


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


def set_up_sender() -> tuple[object, object, object]:
    from accounts.models import Account, Membership, Role, User
    from domains import services as domains
    from domains.models import SenderDomain
    from templates_app import services as templates

    account = Account.objects.create(name="Bench", slug="bench")
    author = User.objects.create_user("author@bench.example", "x" * 12)
    reviewer = User.objects.create_user("reviewer@bench.example", "x" * 12)
    Membership.objects.create(account=account, user=author, role=Role.OPERATOR)
    Membership.objects.create(account=account, user=reviewer, role=Role.REVIEWER)
    domain = domains.create_domain(
        account=account, name="bench-mail.com", key_bits=2048
    )
    SenderDomain.objects.filter(pk=domain.pk).update(
        status="verified", daily_limit=10_000_000
    )
    domain.refresh_from_db()
    sender = domains.create_sender_address(
        account=account, domain=domain, local_part="news", sender_name="Bench News"
    )
    template = templates.create_template(
        account=account,
        author=author,
        name="Bench",
        kind="html",
        body="<h1>Hello {{name}}</h1><p>"
        + "A typical paragraph of news. " * 20
        + "</p>",
        submit=True,
    )
    templates.approve_version(version=template.current_version, reviewer=reviewer)
    return account, sender, template


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

    from sending.mailsink import MailSink
    from sending.models import Message
    from sending.services import send_email
    from sesconsole.celery import app

    call_command("migrate", verbosity=0)
    app.control.purge() if settings.REDIS_URL else None

    with MailSink() as sink:
        raw = raw_smtp_rate(sink.port, args.messages)
        sink.clear()
        account, sender, template = set_up_sender()
        workers = start_workers(args.workers, sink.port)
        time.sleep(3)  # let the workers connect before the clock starts
        try:
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
            sink.wait_for(args.messages, timeout=3600)
            while Message.objects.exclude(status="delivered").exists():
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait()

    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = "redis" if settings.REDIS_URL else "filesystem"
    rate = args.messages / elapsed
    setup = f"DKIM RSA-2048, {args.workers} workers"
    print(f"messages:            {args.messages:,} ({setup})")
    print(f"database / broker:   {database} / {broker}")
    print(f"raw smtplib loop:    {raw:,.0f} msg/s (baseline, one connection)")
    print(f"send_email accepted: {args.messages / accepted:,.0f} msg/s")
    print(f"end to end:          {rate:,.0f} msg/s ({elapsed:.1f} s)")
    print(f"ratio to raw:        {rate / raw:.0%} (target: at least 20%)")
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
