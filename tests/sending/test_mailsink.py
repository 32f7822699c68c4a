"""The loopback SMTP sink and its mailbox simulator, driven over real SMTP."""

import mailbox
import os
import re
import select
import signal
import smtplib
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sending.maildir_view import message_source, recent_messages
from sending.mailsink import MailSink, ReceivedMessage

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SENDER = "sender@example.com"


def _message(
    to: str = "success@simulator.invalid",
    message_id: str = "<one@example.com>",
    subject: str = "Hello",
) -> bytes:
    """Build a message as it goes on the wire: CRLF lines, 8-bit UTF-8 body."""
    return (
        f"From: Sender <{SENDER}>\r\n"
        f"To: {to}\r\n"
        f"Subject: {subject}\r\n"
        f"Message-ID: {message_id}\r\n"
        "Date: Thu, 26 Nov 2026 09:30:00 +0000\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        "Bonjour, café.\r\n"
        ".A line that starts with a dot survives dot-stuffing.\r\n"
    ).encode()


def _client(sink: MailSink) -> smtplib.SMTP:
    return smtplib.SMTP(sink.host, sink.port, local_hostname="client.test", timeout=10)


@pytest.fixture
def maildir(tmp_path: Path) -> Path:
    return tmp_path / "maildir"


@pytest.fixture
def sink(maildir: Path) -> Iterator[MailSink]:
    with MailSink(maildir=maildir) as sink:
        yield sink


@pytest.fixture
def smtp(sink: MailSink) -> Iterator[smtplib.SMTP]:
    with _client(sink) as client:
        yield client


def test_port_zero_gets_a_free_port(sink: MailSink) -> None:
    assert sink.port > 0
    assert sink.address == f"127.0.0.1:{sink.port}"


def test_accepted_message_is_stored_byte_exact_in_memory_and_maildir(
    sink: MailSink, smtp: smtplib.SMTP, maildir: Path
) -> None:
    raw = _message()

    refused = smtp.sendmail(
        SENDER, ["success@simulator.invalid"], raw, mail_options=["BODY=8BITMIME"]
    )

    assert refused == {}
    [record] = sink.received
    assert record.raw == raw
    assert record.mail_from == SENDER
    assert record.rcpt_tos == ("success@simulator.invalid",)
    assert record.peer[0] == "127.0.0.1"
    assert record.received_at.tzinfo is not None
    assert (maildir / "new" / record.key).read_bytes() == raw
    assert message_source(maildir, record.key) == raw


def test_message_to_another_domain_is_accepted(
    sink: MailSink, smtp: smtplib.SMTP
) -> None:
    smtp.sendmail(SENDER, ["anyone@example.org"], _message(to="anyone@example.org"))

    assert [r.rcpt_tos for r in sink.received] == [("anyone@example.org",)]


def test_bounce_recipient_is_refused_as_unknown_user(
    sink: MailSink, smtp: smtplib.SMTP
) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        smtp.sendmail(SENDER, ["bounce@simulator.invalid"], _message())

    code, text = refused.value.recipients["bounce@simulator.invalid"]
    assert code == 550
    assert text == (
        b"5.1.1 <bounce@simulator.invalid>: Recipient address rejected: User unknown"
    )
    assert sink.received == []


def test_unknown_simulator_mailbox_is_refused_whatever_the_case(
    sink: MailSink, smtp: smtplib.SMTP
) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        smtp.sendmail(SENDER, ["nobody@Simulator.INVALID"], _message())

    code, text = refused.value.recipients["nobody@Simulator.INVALID"]
    assert code == 550
    assert text.startswith(b"5.1.1 ")
    smtp.sendmail(SENDER, ["Success@SIMULATOR.invalid"], _message())
    assert len(sink.received) == 1


def test_spam_recipient_is_rejected_at_data_and_nothing_is_stored(
    sink: MailSink, smtp: smtplib.SMTP, maildir: Path
) -> None:
    with pytest.raises(smtplib.SMTPDataError) as rejected:
        smtp.sendmail(SENDER, ["spam@simulator.invalid"], _message())

    assert rejected.value.smtp_code == 554
    assert rejected.value.smtp_error == (
        b"5.7.1 Message rejected as spam by content filter"
    )
    assert sink.received == []
    assert list(mailbox.Maildir(maildir, create=False).keys()) == []


def test_defer_recipient_is_deferred_twice_then_accepted(
    sink: MailSink, smtp: smtplib.SMTP
) -> None:
    codes = []
    for _ in range(3):
        try:
            smtp.sendmail(SENDER, ["defer@simulator.invalid"], _message())
            codes.append(250)
        except smtplib.SMTPRecipientsRefused as refused:
            code, text = refused.recipients["defer@simulator.invalid"]
            assert text == b"4.7.1 Try again later"
            codes.append(code)

    assert codes == [451, 451, 250]
    assert len(sink.received) == 1


def test_deferrals_are_counted_per_sender(sink: MailSink, smtp: smtplib.SMTP) -> None:
    for sender in (SENDER, "other@example.com"):
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            smtp.sendmail(sender, ["defer@simulator.invalid"], _message())


def test_clear_forgets_messages_and_deferrals(
    sink: MailSink, smtp: smtplib.SMTP
) -> None:
    smtp.sendmail(SENDER, ["success@simulator.invalid"], _message())
    for _ in range(2):
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            smtp.sendmail(SENDER, ["defer@simulator.invalid"], _message())

    sink.clear()

    assert sink.received == []
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        smtp.sendmail(SENDER, ["defer@simulator.invalid"], _message())


def test_mixed_recipients_store_one_copy_for_the_accepted_ones(
    sink: MailSink, smtp: smtplib.SMTP
) -> None:
    recipients = [
        "success@simulator.invalid",
        "bounce@simulator.invalid",
        "someone@example.com",
        "defer@simulator.invalid",
    ]

    refused = smtp.sendmail(SENDER, recipients, _message())

    assert {address: code for address, (code, _) in refused.items()} == {
        "bounce@simulator.invalid": 550,
        "defer@simulator.invalid": 451,
    }
    [record] = sink.received
    assert record.rcpt_tos == ("success@simulator.invalid", "someone@example.com")


def test_message_ids_lists_every_received_message(
    sink: MailSink, smtp: smtplib.SMTP
) -> None:
    for number in range(3):
        smtp.sendmail(
            SENDER,
            ["success@simulator.invalid"],
            _message(message_id=f"<{number}@example.com>"),
        )

    assert sink.message_ids() == [
        "<0@example.com>",
        "<1@example.com>",
        "<2@example.com>",
    ]


def test_many_messages_over_one_connection_are_all_stored(
    sink: MailSink, smtp: smtplib.SMTP, maildir: Path
) -> None:
    for number in range(200):
        smtp.sendmail(
            SENDER, ["someone@example.com"], _message(message_id=f"<{number}@m>")
        )

    assert len(sink.received) == 200
    assert {r.peer for r in sink.received} == {sink.received[0].peer}
    assert len(mailbox.Maildir(maildir, create=False)) == 200
    assert sink.wait_for(200, timeout=0) == sink.received


def test_memory_only_sink_keeps_messages_without_a_maildir() -> None:
    with MailSink() as sink, _client(sink) as smtp:
        smtp.sendmail(SENDER, ["someone@example.com"], _message())

        [record] = sink.received
    assert record.key is None
    assert record.raw == _message()


def test_on_message_runs_in_the_server_thread_after_storing(
    sink: MailSink, smtp: smtplib.SMTP
) -> None:
    calls: list[tuple[ReceivedMessage, int, bool]] = []

    def hook(record: ReceivedMessage) -> None:
        in_main_thread = threading.current_thread() is threading.main_thread()
        calls.append((record, len(sink.received), in_main_thread))

    sink.on_message = hook
    smtp.sendmail(SENDER, ["someone@example.com"], _message())
    smtp.sendmail(SENDER, ["someone@example.com"], _message())

    assert [(count, main) for _, count, main in calls] == [(1, False), (2, False)]
    assert [record for record, _, _ in calls] == sink.received


def test_failing_on_message_hook_does_not_refuse_the_message(
    sink: MailSink, smtp: smtplib.SMTP
) -> None:
    def hook(record: ReceivedMessage) -> None:
        raise RuntimeError("boom")

    sink.on_message = hook

    assert smtp.sendmail(SENDER, ["someone@example.com"], _message()) == {}
    assert len(sink.received) == 1


def test_wait_for_times_out_when_mail_does_not_come(sink: MailSink) -> None:
    with pytest.raises(TimeoutError):
        sink.wait_for(1, timeout=0.05)


def test_stopped_sink_refuses_connections(maildir: Path) -> None:
    sink = MailSink(maildir=maildir)
    sink.start()
    port = sink.port
    sink.stop()
    sink.stop()

    with pytest.raises(ConnectionRefusedError):
        smtplib.SMTP("127.0.0.1", port, local_hostname="client.test", timeout=2)


# --- The console's view of the Maildir ------------------------------------


def test_recent_messages_lists_the_newest_first(
    sink: MailSink, smtp: smtplib.SMTP, maildir: Path
) -> None:
    for number in range(3):
        smtp.sendmail(
            SENDER,
            ["someone@example.com"],
            _message(
                to="someone@example.com",
                message_id=f"<{number}@m>",
                subject=f"Number {number}",
            ),
        )

    messages = recent_messages(maildir, limit=2)

    assert [m["subject"] for m in messages] == ["Number 2", "Number 1"]
    newest = messages[0]
    assert newest["message_id"] == "<2@m>"
    assert newest["from"] == f"Sender <{SENDER}>"
    assert newest["to"] == "someone@example.com"
    assert newest["date"].isoformat() == "2026-11-26T09:30:00+00:00"
    assert newest["size"] == len(sink.received[2].raw)
    assert newest["key"] == sink.received[2].key


def test_missing_maildir_has_no_messages(tmp_path: Path) -> None:
    assert recent_messages(tmp_path / "nowhere") == []
    with pytest.raises(KeyError):
        message_source(tmp_path / "nowhere", "anything")


def test_message_source_refuses_unknown_keys(
    sink: MailSink, smtp: smtplib.SMTP, maildir: Path
) -> None:
    smtp.sendmail(SENDER, ["someone@example.com"], _message())

    with pytest.raises(KeyError):
        message_source(maildir, "../../etc/passwd")


# --- manage.py mailsink ---------------------------------------------------


def _read_line(process: subprocess.Popen, timeout: float = 30) -> str:
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    if not ready:
        raise TimeoutError("manage.py mailsink printed nothing")
    return process.stdout.readline()


def test_management_command_receives_mail_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    maildir = tmp_path / "maildir"
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "mailsink",
            "--port",
            "0",
            "--maildir",
            str(maildir),
        ],
        cwd=BASE_DIR,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        started = _read_line(process)
        port = int(re.search(r"listening on 127\.0\.0\.1:(\d+)", started)[1])
        with smtplib.SMTP("127.0.0.1", port, local_hostname="client.test") as smtp:
            smtp.sendmail(SENDER, ["success@simulator.invalid"], _message())
        received = _read_line(process)

        process.send_signal(signal.SIGTERM)
        remaining, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert "success@simulator.invalid" in received
    assert "<one@example.com>" in received
    assert "'Hello'" in received
    assert process.returncode == 0
    assert "stopped" in remaining
    assert message_source(maildir, recent_messages(maildir)[0]["key"]) == _message()
