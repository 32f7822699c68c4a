"""The PostgreSQL backend's health check: no query on a quiet connection,
a new connection when the server ended the old one."""

import psycopg
import pytest
from django.db import close_old_connections, connection, connections

from sesconsole.postgresql import base

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the PostgreSQL backend's own check"
    ),
]


@pytest.fixture
def observer() -> psycopg.Connection:
    """A second connection, to watch and end the first from the server's side."""
    with psycopg.connect(
        **connection.get_connection_params(), autocommit=True
    ) as other:
        yield other


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def last_statement(observer: psycopg.Connection, pid: int) -> str:
    return observer.execute(
        "SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]
    ).fetchone()[0]


def start_request() -> None:
    """What Django does around a request: re-check, then use the connection."""
    close_old_connections()
    connection.ensure_connection()
    connection.close_if_health_check_failed()


def test_the_backend_is_in_use() -> None:
    assert isinstance(connections["default"], base.DatabaseWrapper)
    assert connection.health_check_enabled


def test_a_quiet_connection_is_used_without_a_query(observer, monkeypatch) -> None:
    pid = backend_pid()
    monkeypatch.setattr(base, "PROVEN_FOR_SECONDS", 3600)
    start_request()
    assert last_statement(observer, pid) == "SELECT pg_backend_pid()"
    assert backend_pid() == pid


def test_a_connection_not_proven_lately_is_checked_with_a_query(
    observer, monkeypatch
) -> None:
    pid = backend_pid()
    monkeypatch.setattr(base, "PROVEN_FOR_SECONDS", 0)
    start_request()
    assert last_statement(observer, pid) == "SELECT 1"
    assert backend_pid() == pid


def test_a_connection_the_server_ended_is_replaced(observer) -> None:
    pid = backend_pid()
    observer.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
    start_request()
    assert backend_pid() != pid
