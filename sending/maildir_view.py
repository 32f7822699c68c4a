"""Read the mail sink's Maildir, so the console can show it in development."""

import heapq
import mailbox
import os
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import BinaryIO, TypedDict

# A header block larger than this is cut: the list shows headers, not bodies.
MAX_HEADER_BYTES = 256 * 1024

MaildirEntry = TypedDict(
    "MaildirEntry",
    {
        "key": str,
        "subject": str,
        "from": str,
        "to": str,
        "date": datetime | None,
        "message_id": str,
        "size": int,
        "received_at": datetime,
    },
)


def recent_messages(
    path: str | os.PathLike[str], limit: int = 50
) -> list[MaildirEntry]:
    """Return the newest `limit` messages of the Maildir at `path`, newest first.

    Only the header blocks of those messages are read. A missing Maildir holds
    no messages. `date` is the Date header (None when absent or unreadable);
    `received_at` is when the file was written.
    """
    files: list[tuple[int, str, str, int]] = []
    for subdir in ("new", "cur"):
        try:
            with os.scandir(Path(path) / subdir) as entries:
                for entry in entries:
                    if entry.name.startswith(".") or not entry.is_file():
                        continue
                    stat = entry.stat()
                    files.append(
                        (stat.st_mtime_ns, entry.name, entry.path, stat.st_size)
                    )
        except FileNotFoundError:
            continue
    return [
        _entry(name, file_path, mtime_ns, size)
        for mtime_ns, name, file_path, size in heapq.nlargest(limit, files)
    ]


def message_source(path: str | os.PathLike[str], key: str) -> bytes:
    """Return the bytes of message `key`; raise KeyError if there is none."""
    try:
        # The Maildir looks `key` up among the files it lists, so a key can
        # never name a path outside it.
        return mailbox.Maildir(path, factory=None, create=False).get_bytes(key)
    except (mailbox.NoSuchMailboxError, FileNotFoundError):
        raise KeyError(key) from None


def _entry(name: str, file_path: str, mtime_ns: int, size: int) -> MaildirEntry:
    with open(file_path, "rb") as file:
        headers = BytesHeaderParser(policy=policy.default).parsebytes(
            _header_block(file)
        )
    return {
        "key": name.split(mailbox.Maildir.colon)[0],
        "subject": _header(headers, "Subject"),
        "from": _header(headers, "From"),
        "to": _header(headers, "To"),
        "date": _date(headers),
        "message_id": _header(headers, "Message-ID"),
        "size": size,
        "received_at": datetime.fromtimestamp(mtime_ns / 1e9, UTC),
    }


def _header(headers: EmailMessage, name: str) -> str:
    try:
        return str(headers[name] or "").strip()
    except Exception:
        # The sink keeps whatever a client sent; one malformed header must not
        # hide the whole mailbox.
        return ""


def _date(headers: EmailMessage) -> datetime | None:
    try:
        return getattr(headers["Date"], "datetime", None)
    except Exception:
        return None


def _header_block(file: BinaryIO) -> bytes:
    """Read lines up to the blank line that ends the headers."""
    block = bytearray()
    for line in file:
        if line in (b"\r\n", b"\n") or len(block) > MAX_HEADER_BYTES:
            break
        block += line
    return bytes(block)
