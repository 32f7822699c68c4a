"""Recipient lists: create, fill from a CSV file or the API, delete.

A CSV file is read as a stream, row by row, so a million rows never sit in
memory: only a 64-bit hash of each address is kept, to find duplicates. Every
row is stored, the invalid ones with their reason (Tencent's ListReceiverDetails
shows both). One import is one transaction: a file that turns out bad halfway
(say, not UTF-8 on line 700,000) leaves the list exactly as it was. On
PostgreSQL the rows go in with COPY.
"""

import csv
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Account
from sending.errors import (
    ListInUse,
    ListNameTaken,
    RecipientFileError,
)
from sending.models import ListStatus, Recipient, RecipientList, TaskStatus

MAX_DATA_BYTES = 800
EMAIL_COLUMN = "email"
COLUMN_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")
WRITE_BATCH = 5_000


class Reason:
    """Why a row is not a valid recipient (stored on the row, shown to users)."""

    EMPTY = "Empty address"
    INVALID = "Not a valid email address"
    DUPLICATE = "Duplicate address"
    TOO_LONG = f"Template data over {MAX_DATA_BYTES} bytes"
    EXTRA_VALUES = "More values than columns"


_COUNTER_FOR_REASON = {
    Reason.EMPTY: "empty_count",
    Reason.INVALID: "invalid_count",
    Reason.EXTRA_VALUES: "invalid_count",
    Reason.DUPLICATE: "duplicate_count",
    Reason.TOO_LONG: "too_long_count",
}


@dataclass
class ImportCounts:
    total_rows: int = 0
    valid_count: int = 0
    empty_count: int = 0
    too_long_count: int = 0
    duplicate_count: int = 0
    invalid_count: int = 0

    def add(self, reason: str) -> None:
        self.total_rows += 1
        name = _COUNTER_FOR_REASON.get(reason, "valid_count")
        setattr(self, name, getattr(self, name) + 1)

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class Row:
    email: str
    data: str
    reason: str
    line: int


@dataclass
class RowChecker:
    """Validates rows in order; remembers addresses to find duplicates."""

    seen: set[int] = field(default_factory=set)

    def check(self, email: str, values: dict[str, str] | None) -> tuple[str, str]:
        """(data as JSON text, reason or "") for one row."""
        data = (
            json.dumps(values, ensure_ascii=False, separators=(",", ":"))
            if values
            else ""
        )
        if not email:
            return data, Reason.EMPTY
        if not email.isprintable():
            return data, Reason.INVALID
        try:
            validate_email(email)
        except ValidationError:
            return data, Reason.INVALID
        if len(data.encode()) > MAX_DATA_BYTES:
            return data, Reason.TOO_LONG
        key = address_hash(email)
        if key in self.seen:
            return data, Reason.DUPLICATE
        self.seen.add(key)
        return data, ""


def _storable(email: str) -> str:
    """An address as stored (rejected ones too): no NUL, which text columns
    refuse, and at most 320 characters."""
    return email.replace("\x00", "\ufffd")[:320]


def address_hash(email: str) -> int:
    digest = hashlib.blake2b(email.lower().encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def create_list(*, account: Account, name: str, description: str = "") -> RecipientList:
    name = name.strip()
    if RecipientList.objects.filter(account=account, name=name).exists():
        raise ListNameTaken(f"A recipient list named “{name}” already exists.")
    try:
        with transaction.atomic():
            return RecipientList.objects.create(
                account=account, name=name, description=description.strip()
            )
    except IntegrityError:
        raise ListNameTaken(
            f"A recipient list named “{name}” already exists."
        ) from None


def delete_list(recipient_list: RecipientList) -> None:
    """Delete a list no task still sends to (tasks keep their finished history)."""
    if _uploading(recipient_list):
        raise ListInUse(
            f"“{recipient_list.name}” is being uploaded: wait for the upload to end."
        )
    in_use = recipient_list.batch_tasks.filter(
        status__in=(TaskStatus.PENDING, TaskStatus.SENDING, TaskStatus.PAUSED)
    )
    if in_use.exists():
        raise ListInUse(
            f"“{recipient_list.name}” is used by a batch task that has not "
            "finished: cancel the task first."
        )
    if recipient_list.batch_tasks.exists():
        raise ListInUse(
            f"“{recipient_list.name}” has batch tasks in its history; it is kept "
            "for their records."
        )
    with transaction.atomic():
        Recipient.objects.filter(recipient_list=recipient_list).delete()
        recipient_list.delete()


# --- Import ---------------------------------------------------------------


def import_csv(
    recipient_list: RecipientList,
    stream: BinaryIO,
    *,
    filename: str = "",
    progress: Callable[[int], None] | None = None,
) -> ImportCounts:
    """Add the rows of a CSV file to a list, whole or not at all.

    `progress(bytes_read)` is called now and then for a progress bar. Raises
    RecipientFileError (and records it on the list) when the file cannot be
    read as a recipient CSV.
    """
    _start_upload(recipient_list)
    try:
        with transaction.atomic():
            counts, columns = _import(recipient_list, stream, progress)
            _finish_upload(recipient_list, counts, columns, filename)
    except RecipientFileError as error:
        _fail_upload(recipient_list, error.message)
        raise
    except Exception:
        _fail_upload(recipient_list, "The import failed; nothing was imported.")
        raise
    return counts


def _stale_upload() -> datetime:
    """An upload still `uploading` after this long lost its worker."""
    return timezone.now() - timedelta(seconds=settings.SES_IMPORT_STALE_SECONDS)


def _uploading(recipient_list: RecipientList) -> bool:
    return (
        recipient_list.status == ListStatus.UPLOADING
        and recipient_list.updated_at > _stale_upload()
    )


def _start_upload(recipient_list: RecipientList) -> None:
    started = RecipientList.objects.filter(pk=recipient_list.pk).exclude(
        status=ListStatus.UPLOADING, updated_at__gt=_stale_upload()
    )
    if not started.update(
        status=ListStatus.UPLOADING, error="", updated_at=timezone.now()
    ):
        raise ListInUse(f"“{recipient_list.name}” is already being uploaded.")


def _finish_upload(
    recipient_list: RecipientList,
    counts: ImportCounts,
    columns: list[str],
    filename: str,
) -> None:
    known = list(dict.fromkeys([*recipient_list.columns, *columns]))
    RecipientList.objects.filter(pk=recipient_list.pk).update(
        status=ListStatus.COMPLETE,
        columns=known,
        source_filename=filename[:255] or F("source_filename"),
        updated_at=timezone.now(),
        **{name: F(name) + value for name, value in counts.as_dict().items()},
    )
    recipient_list.refresh_from_db()


def _fail_upload(recipient_list: RecipientList, message: str) -> None:
    has_rows = Recipient.objects.filter(recipient_list=recipient_list).exists()
    RecipientList.objects.filter(pk=recipient_list.pk).update(
        status=ListStatus.COMPLETE if has_rows else ListStatus.PENDING,
        error=message[:500],
    )
    recipient_list.refresh_from_db()


def _import(
    recipient_list: RecipientList,
    stream: BinaryIO,
    progress: Callable[[int], None] | None,
) -> tuple[ImportCounts, list[str]]:
    reader = _LineCountingReader(stream)
    try:
        header_line = reader.first_line()
        delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
        rows = csv.reader(reader.lines(), delimiter=delimiter, strict=False)
        email_index, columns = _read_header(next(rows, []))
        checker = _existing_addresses(recipient_list)
        counts = ImportCounts()
        parsed = _parsed_rows(rows, email_index, columns, checker, counts, reader)
        _write(recipient_list, _reporting(parsed, stream, progress))
    except UnicodeDecodeError:
        raise RecipientFileError(
            f"The file is not UTF-8 text (line {reader.line_number} has a "
            "byte UTF-8 does not allow). Save it as “CSV UTF-8” and upload it "
            "again; nothing was imported."
        ) from None
    except csv.Error as error:
        raise RecipientFileError(
            f"Line {reader.line_number}: {error}; nothing was imported."
        ) from None
    if counts.total_rows == 0:
        raise RecipientFileError("The file has a header but no rows.")
    return counts, columns


class _LineCountingReader:
    """Decodes the file line by line for csv.reader, counting physical lines.

    Splitting the bytes on newlines is safe in UTF-8 (no multi-byte character
    holds a newline byte), and decoding each line alone lets a bad byte be
    reported with its line number.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.line_number = 0

    def _decoded(self) -> Iterator[str]:
        for raw in self._stream:
            self.line_number += 1
            yield raw.decode("utf-8-sig" if self.line_number == 1 else "utf-8")

    def first_line(self) -> str:
        self._lines = self._decoded()
        for line in self._lines:
            if line.strip():
                self._pending = line
                return line
        raise RecipientFileError("The file is empty.")

    def lines(self) -> Iterator[str]:
        yield self._pending
        yield from self._lines


def _read_header(header: list[str]) -> tuple[int, list[str]]:
    names = [name.strip() for name in header]
    lowered = [name.lower() for name in names]
    if EMAIL_COLUMN not in lowered:
        raise RecipientFileError(
            "The first line must be a header with an “email” column "
            f"(found: {', '.join(names) or 'nothing'})."
        )
    email_index = lowered.index(EMAIL_COLUMN)
    columns = [name for i, name in enumerate(names) if i != email_index]
    for name in columns:
        if not COLUMN_NAME.fullmatch(name):
            raise RecipientFileError(
                f"Column “{name}” is not a template variable name: use letters, "
                "digits and underscores, at most 64."
            )
    if len(set(columns)) != len(columns) or len(set(lowered)) != len(lowered):
        raise RecipientFileError("The header names a column twice.")
    return email_index, columns


def _existing_addresses(recipient_list: RecipientList) -> RowChecker:
    checker = RowChecker()
    existing = Recipient.objects.filter(recipient_list=recipient_list, valid=True)
    for email in existing.values_list("email", flat=True).iterator(chunk_size=10_000):
        checker.seen.add(address_hash(email))
    return checker


def _parsed_rows(
    rows: Iterable[list[str]],
    email_index: int,
    columns: list[str],
    checker: RowChecker,
    counts: ImportCounts,
    reader: _LineCountingReader,
) -> Iterator[Row]:
    width = len(columns) + 1
    for fields in rows:
        if not any(value.strip() for value in fields):
            continue  # blank lines are not rows
        email = fields[email_index].strip() if email_index < len(fields) else ""
        others = fields[:email_index] + fields[email_index + 1 :]
        values = {
            name: others[i] if i < len(others) else "" for i, name in enumerate(columns)
        }
        data, reason = checker.check(email, values)
        if not reason and len(fields) > width:
            reason = Reason.EXTRA_VALUES
        counts.add(reason)
        yield Row(
            email=_storable(email), data=data, reason=reason, line=reader.line_number
        )


def _reporting(
    rows: Iterator[Row], stream: BinaryIO, progress: Callable[[int], None] | None
) -> Iterator[Row]:
    for number, row in enumerate(rows, 1):
        if progress and number % 20_000 == 0:
            progress(stream.tell())
        yield row


def _write(recipient_list: RecipientList, rows: Iterable[Row]) -> None:
    now = timezone.now()
    if connection.vendor == "postgresql":
        _copy(recipient_list, rows, now)
        return
    batch: list[Recipient] = []
    for row in rows:
        batch.append(_recipient(recipient_list, row, now))
        if len(batch) >= WRITE_BATCH:
            Recipient.objects.bulk_create(batch)
            batch.clear()
    Recipient.objects.bulk_create(batch)


def _recipient(recipient_list: RecipientList, row: Row, now) -> Recipient:
    return Recipient(
        recipient_list=recipient_list,
        email=row.email,
        data=row.data,
        valid=not row.reason,
        reason=row.reason,
        line=row.line,
        created_at=now,
    )


def _copy(recipient_list: RecipientList, rows: Iterable[Row], now) -> None:
    table = Recipient._meta.db_table
    sql = (
        f"COPY {table} (recipient_list_id, email, data, valid, reason, line, "
        "created_at) FROM STDIN"
    )
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(
                (
                    recipient_list.pk,
                    row.email,
                    row.data,
                    not row.reason,
                    row.reason,
                    row.line,
                    now,
                )
            )


# --- API appends ----------------------------------------------------------


def add_recipients(
    recipient_list: RecipientList,
    entries: Iterable[tuple[str, dict[str, str] | None]],
) -> ImportCounts:
    """Append (email, template values) pairs, as CreateReceiverDetail does."""
    with transaction.atomic():
        locked = RecipientList.objects.select_for_update().get(pk=recipient_list.pk)
        if _uploading(locked):
            raise ListInUse(f"“{locked.name}” is being uploaded; try again later.")
        checker = _existing_addresses(locked)
        counts = ImportCounts()
        rows = []
        columns: dict[str, None] = {}
        for line, (email, values) in enumerate(entries, 1):
            email = email.strip()
            data, reason = checker.check(email, values)
            columns.update(dict.fromkeys(values or {}))
            counts.add(reason)
            rows.append(
                Row(email=_storable(email), data=data, reason=reason, line=line)
            )
        _write(locked, rows)
        _finish_upload(locked, counts, list(columns), "")
    recipient_list.refresh_from_db()
    return counts


def invalid_rows(recipient_list: RecipientList) -> Iterator[tuple[int, str, str]]:
    """(line, email, reason) of every rejected row, for the download."""
    rejected = Recipient.objects.filter(recipient_list=recipient_list, valid=False)
    yield from (
        rejected.order_by("pk")
        .values_list("line", "email", "reason")
        .iterator(chunk_size=5_000)
    )


def store_upload(recipient_list: RecipientList, upload) -> Path:
    """Keep an uploaded file where the worker can read it."""
    folder = Path(settings.SES_UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"list-{recipient_list.pk}-{uuid.uuid4().hex}.csv"
    with path.open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    return path


def queue_import(recipient_list: RecipientList, upload) -> None:
    """Hand a large upload to a worker; the import starts once this commits."""
    from sending.tasks import import_recipient_file

    path = store_upload(recipient_list, upload)
    # The list stays "pending" until a worker starts the import, so a page
    # loaded in between could not tell the file is on its way: progress 1%
    # says so, and the worker clears it when the import ends, however it ends.
    set_progress(recipient_list.pk, 1, 100)
    transaction.on_commit(
        lambda: import_recipient_file.delay(recipient_list.pk, str(path), upload.name)
    )


def import_running(recipient_list: RecipientList) -> bool:
    """An import of the list is queued for a worker or under way."""
    return _uploading(recipient_list) or import_progress(recipient_list.pk) > 0


def import_uploaded_file(list_id: int, path: str, filename: str) -> int:
    """The worker's side of a large upload: import it, then remove the file."""
    recipient_list = RecipientList.objects.filter(pk=list_id).first()
    file = Path(path)
    try:
        if recipient_list is None:
            return 0
        size = file.stat().st_size or 1
        with file.open("rb") as stream:
            counts = import_csv(
                recipient_list,
                stream,
                filename=filename,
                progress=lambda done: set_progress(list_id, done, size),
            )
        return counts.valid_count
    except RecipientFileError:
        return 0
    finally:
        file.unlink(missing_ok=True)
        cache.delete(_progress_key(list_id))


def _progress_key(list_id: int) -> str:
    return f"recipient-import:{list_id}"


def set_progress(list_id: int, done: int, size: int) -> None:
    cache.set(_progress_key(list_id), min(99, 100 * done // size), 3600)


def import_progress(list_id: int) -> int:
    """Percent of the file read so far by a running import (0 when unknown)."""
    return cache.get(_progress_key(list_id), 0)
