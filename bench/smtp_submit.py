"""SMTP submission throughput over one authenticated connection.

Prints messages per second submitted to `manage.py smtpd`'s service (STARTTLS,
AUTH, every message checked, stored and queued before its 250) beside the
same client sending into a bare aiosmtpd sink in the same run. Uses
DATABASE_URL / REDIS_URL when set, else SQLite and the filesystem broker.

    .venv/bin/python bench/smtp_submit.py [--messages 2000]
"""

import argparse
import smtplib
import ssl
import sys
import time
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.setup import configure_environment, create_database, set_up_sender  # noqa: E402

PASSWORD = "BenchPassw0rd1"


def wire_message(sender: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"Bench News <{sender}>"
    message["To"] = "reader@sink.example"
    message["Subject"] = "Submission benchmark"
    message.set_content("A typical paragraph of news.\n" * 20)
    message.add_alternative(
        "<p>" + "A typical paragraph of news. " * 20 + "</p>", "html"
    )
    return message.as_bytes(policy=SMTP)


def rate(client: smtplib.SMTP, sender: str, data: bytes, count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        client.sendmail(sender, ["reader@sink.example"], data)
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()

    scratch = configure_environment()
    create_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from domains.services import set_smtp_password
    from sending.mailsink import MailSink
    from sending.smtp.server import SmtpService

    call_command("migrate", verbosity=0)
    _, sender, _ = set_up_sender()
    set_smtp_password(address=sender, password=PASSWORD)
    data = wire_message(sender.email)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE

    with MailSink() as sink, smtplib.SMTP("127.0.0.1", sink.port) as client:
        bare = rate(client, sender.email, data, args.messages)

    with (
        SmtpService(host="127.0.0.1", port=0, tls_port=0, inbound_port=0) as service,
        smtplib.SMTP("127.0.0.1", service.ports["submission"]) as client,
    ):
        client.starttls(context=context)
        client.login(sender.email, PASSWORD)
        submitted = rate(client, sender.email, data, args.messages)

    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"messages:              {args.messages:,} of {len(data):,} bytes")
    print(f"database:              {database}")
    print(f"bare aiosmtpd sink:    {bare:,.0f} msg/s (baseline, plain SMTP)")
    print(f"smtpd submission:      {submitted:,.0f} msg/s (STARTTLS, AUTH, queued)")
    print(f"ratio to bare sink:    {submitted / bare:.0%}")
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
