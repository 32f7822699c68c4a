import signal
import threading
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from sending.mailsink import MailSink, ReceivedMessage


class Command(BaseCommand):
    help = (
        "Run a local SMTP sink with a mailbox simulator in the foreground, "
        "storing mail in a Maildir and printing a line per message."
    )
    # The sink uses no models: let it start even while the project's checks fail.
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--port", type=int, default=2526, help="Port; 0 picks a free one."
        )
        parser.add_argument(
            "--maildir",
            type=Path,
            help="Maildir to store mail in (default: VAR_DIR/mailsink).",
        )

    def handle(self, *args: object, **options: object) -> None:
        maildir = options["maildir"] or settings.SES_MAILSINK_DIR
        stopping = threading.Event()
        previous = {
            signum: signal.signal(signum, lambda *_: stopping.set())
            for signum in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            with MailSink(
                host=options["host"],
                port=options["port"],
                maildir=maildir,
                # The simulator's DSNs and feedback reports go to the platform's
                # inbound port, as a provider's would.
                reports_to=(settings.SES_SMTP_HOST, settings.SES_SMTP_INBOUND_PORT),
                on_message=self._print_message,
            ) as sink:
                self._say(
                    f"Mail sink listening on {sink.address}, storing in {maildir}. "
                    "Ctrl-C stops it."
                )
                stopping.wait()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self._say("Mail sink stopped.")

    def _print_message(self, record: ReceivedMessage) -> None:
        headers = record.headers()
        self._say(
            f"{record.received_at:%H:%M:%S} "
            f"from {record.mail_from or '<>'} "
            f"to {', '.join(record.rcpt_tos)} "
            f"{headers['Message-ID'] or '(no Message-ID)'} "
            f"{str(headers['Subject'] or '')!r}"
        )

    def _say(self, line: str) -> None:
        # Flushed at once, so a pipe (or a test reading it) sees each line live.
        self.stdout.write(line)
        self.stdout.flush()
