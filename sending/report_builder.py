"""Delivery status notifications (RFC 3464) and feedback reports (RFC 5965).

Written the way receiving servers and mailbox providers write them: the mail
sink's simulator sends them back to a message's bounce address, and tests
use them to play a provider.
"""

import uuid
from email.utils import format_datetime

from django.utils import timezone

REPORTING_HOST = "mailsink.localhost"


def _headers_of(original: bytes) -> str:
    head = original.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    return head.decode("ascii", "replace").replace("\n", "\r\n") + "\r\n"


def _report(
    *,
    to: str,
    subject: str,
    report_type: str,
    human: str,
    machine: tuple[str, str],
    original: bytes,
) -> bytes:
    boundary = f"=_report_{uuid.uuid4().hex}"
    now = format_datetime(timezone.now())
    machine_type, machine_text = machine
    lines = [
        f"From: Mail Delivery System <mailer-daemon@{REPORTING_HOST}>",
        f"To: {to}",
        f"Subject: {subject}",
        f"Date: {now}",
        f"Message-ID: <{uuid.uuid4().hex}@{REPORTING_HOST}>",
        "MIME-Version: 1.0",
        f"Content-Type: multipart/report; report-type={report_type}; "
        f'boundary="{boundary}"',
        "",
        f"--{boundary}",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        human,
        f"--{boundary}",
        f"Content-Type: {machine_type}",
        "",
        machine_text.replace("\n", "\r\n"),
        f"--{boundary}",
        "Content-Type: text/rfc822-headers",
        "",
        _headers_of(original),
        f"--{boundary}--",
        "",
    ]
    return "\r\n".join(lines).encode("ascii", "replace")


def delivery_status_notification(
    *,
    to: str,
    recipient: str,
    original: bytes,
    status: str = "5.1.1",
    diagnostic: str = "550 5.1.1 The email account that you tried to reach does "
    "not exist",
    action: str = "failed",
) -> bytes:
    """A DSN for `recipient`, sent to the original's envelope sender `to`."""
    return _report(
        to=to,
        subject="Undelivered Mail Returned to Sender",
        report_type="delivery-status",
        human=f"Your message to {recipient} could not be delivered.\r\n\r\n"
        f"{diagnostic}\r\n",
        machine=(
            "message/delivery-status",
            f"Reporting-MTA: dns; {REPORTING_HOST}\n"
            f"Arrival-Date: {format_datetime(timezone.now())}\n\n"
            f"Final-Recipient: rfc822; {recipient}\n"
            f"Original-Recipient: rfc822; {recipient}\n"
            f"Action: {action}\n"
            f"Status: {status}\n"
            f"Diagnostic-Code: smtp; {diagnostic}\n",
        ),
        original=original,
    )


def feedback_report(*, to: str, recipient: str, original: bytes) -> bytes:
    """An ARF abuse report about `original`, as a feedback loop sends it."""
    return _report(
        to=to,
        subject="Abuse report",
        report_type="feedback-report",
        human="This is an email abuse report for a message you sent.\r\n",
        machine=(
            "message/feedback-report",
            "Feedback-Type: abuse\n"
            "User-Agent: SES-Console-Simulator/1.0\n"
            "Version: 1\n"
            f"Original-Rcpt-To: {recipient}\n"
            f"Arrival-Date: {format_datetime(timezone.now())}\n",
        ),
        original=original,
    )
