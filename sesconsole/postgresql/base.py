"""Django's PostgreSQL backend, with a health check that rarely costs a query.

With CONN_HEALTH_CHECKS, Django runs `SELECT 1` before a request first uses a
kept connection. On the API that is one round trip in eight. Here the socket
is asked first: a server that ends a connection (a restart, a terminated
backend, an idle timeout) says so and closes it, so its socket turns
readable, while an idle connection the server keeps has nothing to read.
A quiet socket is trusted without a query; anything else, and a connection
not proven by a query for PROVEN_FOR_SECONDS (a server host that vanished
sends nothing at all), gets Django's check.
"""

import select
import time

from django.db.backends.postgresql import base
from psycopg import pq

# How long a connection proven usable by a query may be trusted on a quiet
# socket alone.
PROVEN_FOR_SECONDS = 10


class DatabaseWrapper(base.DatabaseWrapper):
    proven_at = float("-inf")

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and time.monotonic() - self.proven_at < PROVEN_FOR_SECONDS
            and _quiet(self.connection)
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def is_usable(self) -> bool:
        usable = super().is_usable()
        if usable:
            self.proven_at = time.monotonic()
        return usable

    def connect(self) -> None:
        super().connect()
        self.proven_at = time.monotonic()


def _quiet(connection) -> bool:
    """Open, idle and with nothing from the server waiting to be read."""
    if connection.closed or connection.pgconn.status != pq.ConnStatus.OK:
        return False
    if connection.pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return False
    poller = select.poll()
    poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
    return not poller.poll(0)
