"""Statements run together: each one's result, errors as Django raises them,
and on PostgreSQL one round trip for all."""

import tempfile

import pytest
from django.db import IntegrityError, connection, transaction
from psycopg import pq

from accounts.models import Account
from sesconsole import statements
from sesconsole.inserts import inserting
from sesconsole.statements import Statement

pytestmark = pytest.mark.django_db

TABLE = Account._meta.db_table


def insert_account(slug: str) -> Statement:
    (statement,) = inserting([Account(name=slug.title(), slug=slug)])
    return statement


def test_each_statement_gives_what_its_read_makes_of_its_rows() -> None:
    account = Account(name="First", slug="first")
    (inserted,) = inserting([account])
    keys_set, renamed, count = statements.run(
        inserted,
        Statement(
            f"UPDATE {TABLE} SET name = %s WHERE slug = %s", ["One", "first"], read=None
        ),
        Statement(f"SELECT count(*) FROM {TABLE} WHERE name = %s", ["One"]),
    )

    assert keys_set is None
    assert Account.objects.get(slug="first").pk == account.pk
    assert renamed is None
    assert count == [(1,)]


def test_a_failing_statement_raises_djangos_error_and_stops_the_rest() -> None:
    statements.run(insert_account("taken"))

    with pytest.raises(IntegrityError), transaction.atomic():
        statements.run(insert_account("taken"), insert_account("after"))

    assert not Account.objects.filter(slug="after").exists()
    assert Account.objects.filter(slug="taken").count() == 1


def test_statements_run_on_after_a_prepared_one_failed() -> None:
    # Past PREPARE_AFTER runs the statements are prepared ones on PostgreSQL.
    for n in range(statements.PREPARE_AFTER + 2):
        statements.run(insert_account(f"a{n}"), insert_account(f"b{n}"))

    with pytest.raises(IntegrityError), transaction.atomic():
        statements.run(insert_account("a0"), insert_account("late"))
    statements.run(insert_account("c0"), insert_account("d0"))

    assert Account.objects.filter(slug__in=["c0", "d0"]).count() == 2
    assert not Account.objects.filter(slug="late").exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pipeline mode is PostgreSQL's"
)
def test_on_postgresql_statements_share_one_round_trip() -> None:
    statements.run(insert_account("begun"))  # the transaction has begun
    with tempfile.TemporaryFile("w+") as trace:
        pgconn = connection.connection.pgconn
        pgconn.trace(trace.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            statements.run(insert_account("one"), insert_account("two"))
        finally:
            pgconn.untrace()
        trace.seek(0)
        # Lines are: direction (F: to the server, B: back), length, message.
        messages = [line.split("\t")[:3:2] for line in trace if "\t" in line]

    sent = [i for i, (direction, _) in enumerate(messages) if direction == "F"]
    answered = [i for i, (direction, _) in enumerate(messages) if direction == "B"]
    assert max(sent) < min(answered), messages
    assert [name.strip() for _, name in messages].count("Sync") == 1
    assert Account.objects.filter(slug__in=["one", "two"]).count() == 2


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)
def test_repeated_statements_are_prepared_and_djangos_queries_never() -> None:
    before = set(prepared_statements())
    counting = Statement(f"SELECT count(*) FROM {TABLE} WHERE slug = %s", ["x"])
    for _ in range(statements.PREPARE_AFTER + 1):
        statements.run(counting)
        list(Account.objects.filter(slug="x"))

    new = set(prepared_statements()) - before
    assert new == {f"SELECT count(*) FROM {TABLE} WHERE slug = $1"}


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)
def test_preparing_can_be_turned_off_for_poolers(settings) -> None:
    settings.SES_PREPARED_STATEMENTS = False
    before = set(prepared_statements())
    counting = Statement(f"SELECT count(*) FROM {TABLE} WHERE slug = %s", ["y"])
    for _ in range(statements.PREPARE_AFTER + 1):
        statements.run(counting, counting)

    assert set(prepared_statements()) == before
