"""SQL statements that can be sent together: on PostgreSQL, one round trip.

Accepting a mail runs a few small statements, each cheaper to execute than
the wait for its answer. Statements that do not need each other's results
are built as `Statement`s and given to `run`, which sends them in one go
(PostgreSQL's pipeline mode) and hands each statement's rows to its `read`.
Elsewhere they run one after the other, with the same results.

On PostgreSQL the ones a connection repeats become prepared statements
(unless SES_PREPARED_STATEMENTS is off): parsed once and, after a few runs,
usually planned once (PostgreSQL keeps a generic plan that is as good as
the custom ones). That suits these statements, which find rows by key;
Django's queries are never prepared (see settings), so each is planned for
its own values.
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

# A statement is prepared once the connection has run it this many times:
# one-offs (a batch's last, shorter chunk) are not worth keeping.
PREPARE_AFTER = 2


def all_rows(rows: list[tuple]) -> list[tuple]:
    return rows


@dataclass(frozen=True)
class Statement[T]:
    """One statement, and what its rows mean to the caller."""

    sql: str
    params: Sequence[object]
    # Given the statement's rows; None for a statement that returns none.
    read: Callable[[list[tuple]], T] | None = all_rows


def run(*statements: Statement) -> list:
    """Execute `statements` in order; what each one's `read` made of its rows
    (None for a statement without `read`).

    A failing statement raises as a lone one would (Django's database
    errors); the statements after it are not executed. Run them inside a
    transaction: outside one, PostgreSQL makes statements sent together one
    implicit transaction, and SQLite commits each on its own.
    """
    if len(statements) > 1 and connection.vendor == "postgresql":
        return _pipelined(statements)
    results = []
    with connection.cursor() as cursor, _prepared():
        for statement in statements:
            cursor.execute(statement.sql, statement.params)
            results.append(_read(statement, cursor))
    return results


def _pipelined(statements: Sequence[Statement]) -> list:
    # A cursor keeps one result, so each statement gets its own.
    cursors = [connection.cursor() for _ in statements]
    try:
        with (
            connection.wrap_database_errors,
            _prepared(),
            connection.connection.pipeline(),
        ):
            for cursor, statement in zip(cursors, statements, strict=True):
                cursor.execute(statement.sql, statement.params)
        return [
            _read(statement, cursor)
            for cursor, statement in zip(cursors, statements, strict=True)
        ]
    finally:
        for cursor in cursors:
            cursor.close()


@contextmanager
def _prepared() -> Iterator[None]:
    """Prepare, on PostgreSQL, what the connection executes inside."""
    if connection.vendor != "postgresql" or not settings.SES_PREPARED_STATEMENTS:
        yield
        return
    psycopg_connection = connection.connection
    previous = psycopg_connection.prepare_threshold
    psycopg_connection.prepare_threshold = PREPARE_AFTER
    try:
        yield
    finally:
        psycopg_connection.prepare_threshold = previous


def _read(statement: Statement, cursor) -> object:
    return None if statement.read is None else statement.read(cursor.fetchall())
