"""An SMTP sink on loopback, with a mailbox simulator, built on aiosmtpd.

It plays for SMTP the role `tests/dns_server.py` plays for DNS: tests, the
benchmark and `manage.py mailsink` send real mail to it. Every accepted message
is kept in memory and, when a Maildir is given, appended to it byte for byte.

Recipients at `simulator.invalid` answer like real mailboxes:

- `success@` is accepted;
- `bounce@` (and any other unknown local part) is refused at RCPT with 550 5.1.1;
- `spam@` is accepted at RCPT, then the whole message is refused at DATA with
  554 5.7.1 and not stored;
- `defer@` is answered 451 4.7.1 at RCPT twice, then accepted on the third try;
- `complaint@` is accepted, then an ARF abuse report goes back to the
  message's envelope sender, and `bounce-async@` is accepted, then a
  delivery status notification (a late hard bounce) goes back — both by SMTP
  to `reports_to` (the platform's inbound port), when that is set.

Recipients at any other domain are accepted.
"""

import logging
import mailbox
import os
import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from pathlib import Path
from types import TracebackType
from typing import Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from sending.report_builder import delivery_status_notification, feedback_report

logger = logging.getLogger(__name__)

SIMULATOR_DOMAIN = "simulator.invalid"
DATA_SIZE_LIMIT = 30 * 1024 * 1024
DEFER_ATTEMPTS = 2
SERVER_HOSTNAME = "mailsink.localhost"

RECIPIENT_OK = "250 2.1.5 OK"
QUEUED = "250 2.0.0 OK: queued"
USER_UNKNOWN = "550 5.1.1 <{address}>: Recipient address rejected: User unknown"
REJECTED_AS_SPAM = "554 5.7.1 Message rejected as spam by content filter"
TRY_AGAIN_LATER = "451 4.7.1 Try again later"


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    """One message the sink accepted, as it came off the wire."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    peer: tuple[str, int]
    received_at: datetime
    key: str | None  # the Maildir key, or None for a memory-only sink

    def headers(self) -> EmailMessage:
        """Parse the header block only (cheap: the body is left unparsed)."""
        return BytesHeaderParser(policy=policy.default).parsebytes(self.raw)

    def message(self) -> EmailMessage:
        """Parse the whole message."""
        return BytesParser(policy=policy.default).parsebytes(self.raw)


class _Controller(Controller):
    def _trigger_server(self) -> None:
        # Port 0 asks the OS for a free port: learn which one it gave before
        # aiosmtpd connects to it to check the server answers.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class _Handler:
    """The aiosmtpd hooks: decide at RCPT and DATA, store through the sink."""

    def __init__(self, sink: "MailSink") -> None:
        self._sink = sink

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        refusal = self._sink._refuse_recipient(envelope.mail_from or "", address)
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return RECIPIENT_OK

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if any(_simulated_mailbox(rcpt) == "spam" for rcpt in envelope.rcpt_tos):
            return REJECTED_AS_SPAM
        self._sink._store(envelope, session.peer)
        return QUEUED


def _simulated_mailbox(address: str) -> str | None:
    """Return the lower-cased local part of a simulator address, else None."""
    local, _, domain = address.rpartition("@")
    if domain.lower() != SIMULATOR_DOMAIN:
        return None
    return local.lower()


class MailSink:
    """Receive mail on a loopback port: keep it in memory and in a Maildir.

    Use it as a context manager, or call `start()` and `stop()`. With `port=0`
    the OS picks a free port; `.port` holds it once started.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        maildir: str | os.PathLike[str] | None = None,
        on_message: Callable[[ReceivedMessage], None] | None = None,
        reports_to: tuple[str, int] | None = None,
    ) -> None:
        self.host = host
        # Where the simulator sends its DSNs and feedback reports.
        self.reports_to = reports_to
        self.port = port
        self.maildir = Path(maildir) if maildir is not None else None
        # Called in the server thread once a message is stored, before the
        # client gets its 250: a test can act at an exact point of a run.
        self.on_message = on_message
        self._requested_port = port
        self._controller: _Controller | None = None
        self._mailbox: mailbox.Maildir | None = None
        self._lock = threading.Lock()
        self._received_changed = threading.Condition(self._lock)
        self._received: list[ReceivedMessage] = []
        self._deferrals: dict[tuple[str, str], int] = {}

    # --- lifecycle ---

    def start(self) -> None:
        """Bind the port and serve from a background thread."""
        if self._controller is not None:
            raise RuntimeError("The mail sink is already running.")
        # aiosmtpd logs every SMTP command at INFO, thousands of lines a second
        # under a benchmark; keep it to warnings unless logging says otherwise.
        aiosmtpd_log = logging.getLogger("mail.log")
        if aiosmtpd_log.level == logging.NOTSET:
            aiosmtpd_log.setLevel(logging.WARNING)
        if self.maildir is not None:
            self._mailbox = mailbox.Maildir(self.maildir, factory=None, create=True)
        controller = _Controller(
            _Handler(self),
            hostname=self.host,
            port=self._requested_port,
            server_hostname=SERVER_HOSTNAME,
            decode_data=False,
            enable_SMTPUTF8=True,
            data_size_limit=DATA_SIZE_LIMIT,
        )
        controller.start()
        self._controller = controller
        self.port = controller.port

    def stop(self) -> None:
        """Close the port and end open sessions; do nothing if not running."""
        if self._controller is None:
            return
        self._controller.stop()
        self._controller = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    # --- what tests read ---

    @property
    def received(self) -> list[ReceivedMessage]:
        """Return a snapshot of the messages received so far, oldest first."""
        with self._lock:
            return list(self._received)

    def message_ids(self) -> list[str]:
        """Return the Message-ID of each received message that has one."""
        ids = []
        for record in self.received:
            message_id = record.headers()["Message-ID"]
            if message_id is not None:
                ids.append(str(message_id).strip())
        return ids

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMessage]:
        """Wait until at least `count` messages arrived; return them all."""
        with self._received_changed:
            if not self._received_changed.wait_for(
                lambda: len(self._received) >= count, timeout
            ):
                raise TimeoutError(
                    f"{len(self._received)} of {count} messages arrived "
                    f"within {timeout} seconds."
                )
            return list(self._received)

    def clear(self) -> None:
        """Forget received messages and deferral counts (the Maildir stays)."""
        with self._lock:
            self._received.clear()
            self._deferrals.clear()

    # --- what the handler calls, in the server thread ---

    def _refuse_recipient(self, mail_from: str, address: str) -> str | None:
        """Return the reply refusing `address`, or None to accept it."""
        name = _simulated_mailbox(address)
        if name is None or name in {"success", "spam", "complaint", "bounce-async"}:
            return None
        if name == "defer":
            pair = (mail_from.lower(), address.lower())
            with self._lock:
                attempts = self._deferrals.get(pair, 0) + 1
                if attempts <= DEFER_ATTEMPTS:
                    self._deferrals[pair] = attempts
                    return TRY_AGAIN_LATER
                # Accepted: the next message of this pair is deferred afresh.
                del self._deferrals[pair]
            return None
        return USER_UNKNOWN.format(address=address)

    def _store(self, envelope: Envelope, peer: object) -> None:
        raw = envelope.original_content or b""
        key = self._mailbox.add(raw) if self._mailbox is not None else None
        host, port = peer[:2] if isinstance(peer, tuple) else (str(peer), 0)
        record = ReceivedMessage(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            raw=raw,
            peer=(host, port),
            received_at=datetime.now(UTC),
            key=key,
        )
        with self._received_changed:
            self._received.append(record)
            self._received_changed.notify_all()
        self._send_reports(record)
        hook = self.on_message
        if hook is not None:
            try:
                hook(record)
            except Exception:
                # The message is stored: answer 250 anyway, as a real server would.
                logger.exception("The mail sink's on_message hook failed.")

    def _send_reports(self, record: ReceivedMessage) -> None:
        """Answer for `complaint@` and `bounce-async@`, as providers do later."""
        reports = []
        for rcpt in record.rcpt_tos:
            name = _simulated_mailbox(rcpt)
            if name == "complaint":
                reports.append(
                    feedback_report(
                        to=record.mail_from, recipient=rcpt, original=record.raw
                    )
                )
            elif name == "bounce-async":
                reports.append(
                    delivery_status_notification(
                        to=record.mail_from, recipient=rcpt, original=record.raw
                    )
                )
        if reports and self.reports_to and record.mail_from:
            threading.Thread(
                target=self._deliver_reports,
                args=(record.mail_from, reports),
                daemon=True,
            ).start()

    def _deliver_reports(self, to: str, reports: list[bytes]) -> None:
        host, port = self.reports_to
        try:
            with smtplib.SMTP(host, port, timeout=30) as client:
                for report in reports:
                    client.sendmail("", [to], report)
        except (OSError, smtplib.SMTPException):
            logger.exception(
                "The mail sink could not send a report to %s:%s", host, port
            )
