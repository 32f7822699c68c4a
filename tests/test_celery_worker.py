import pytest
from django.db import connection

from accounts.tasks import ping
from tests.factories import AccountFactory

pytestmark = pytest.mark.worker


def test_task_round_trips_through_broker_to_worker(transactional_db, celery_worker):
    AccountFactory.create_batch(3)

    result = ping.delay().get(timeout=30)

    # The worker answered from the same test database this test wrote to.
    assert result == {"pong": True, "database": connection.vendor, "accounts": 3}
