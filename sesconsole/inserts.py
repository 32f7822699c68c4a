"""Bulk INSERTs whose statement is built once per process.

`QuerySet.bulk_create` compiles its INSERT on every call. For a message (about
forty columns) that costs more than the database takes to run it, and every
send and every batch chunk inserts messages and their events.
"""

from collections.abc import Sequence
from functools import lru_cache, partial

from django.db import connection
from django.db.models import Field, Model

from sesconsole import statements
from sesconsole.statements import Statement


def parameter_limit() -> int:
    """The most parameters one statement may carry on this database."""
    # PostgreSQL's protocol counts parameters in 16 bits.
    return connection.features.max_query_params or 65535


def rows_per_statement(columns: int) -> int:
    """How many rows of `columns` values one multi-row statement takes."""
    return max(1, min(1000, parameter_limit() // columns))


def insert_rows(rows: Sequence[Model]) -> None:
    """INSERT `rows` (new instances of one model) and set their primary keys.

    Like `bulk_create`, no signals are sent and `save()` is not called;
    `auto_now` and `auto_now_add` fields are filled in.
    """
    statements.run(*inserting(rows))


def inserting(rows: Sequence[Model]) -> list[Statement]:
    """The statements of `insert_rows(rows)`, to run with others."""
    if not rows:
        return []
    model = type(rows[0])
    fields = _columns(model)
    per_statement = rows_per_statement(len(fields))
    found = []
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        params = [
            field.get_db_prep_save(field.pre_save(row, True), connection)
            for row in chunk
            for field in fields
        ]
        found.append(
            Statement(
                _statement(model, len(chunk), connection.vendor),
                params,
                partial(_set_keys, chunk),
            )
        )
    return found


def _set_keys(rows: Sequence[Model], returned: list[tuple]) -> None:
    for row, (pk,) in zip(rows, returned, strict=True):
        row.pk = pk
        row._state.adding = False
        row._state.db = connection.alias


@lru_cache(maxsize=32)
def _columns(model: type[Model]) -> tuple[Field, ...]:
    return tuple(
        field
        for field in model._meta.concrete_fields
        if field is not model._meta.pk and not field.generated
    )


@lru_cache(maxsize=64)
def _statement(model: type[Model], rows: int, vendor: str) -> str:
    quote = connection.ops.quote_name
    fields = _columns(model)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES {', '.join([row] * rows)} "
        f"RETURNING {quote(model._meta.pk.column)}"
    )
