"""Senders race while the domain's level rises: never over the limit in force."""

import json
import os
import subprocess
import sys
import threading
import time

from django.db import connection, transaction

from domains import reputation_updates
from domains.models import ReputationChange, SenderDomain
from sending import quota
from sending.models import Message
from stats import counters
from stats.providers import provider_for
from tests.conftest import BASE_DIR, _database_url
from tests.factories import MessageFactory
from tests.sending.helpers import approved_template, verified_sender

PROCESSES = 6
REQUESTS_EACH = 250


def test_racing_senders_across_a_raise_never_exceed_the_limit_in_force(
    transactional_db, account
):
    sender = verified_sender(account)
    template = approved_template(account)
    domain = sender.domain
    today = quota.sending_day()
    # 349 clean deliveries today: the 350th makes 70% of 500 and raises to 2.
    counters.add(
        [
            counters.Delta(
                account.pk,
                domain.pk,
                today,
                provider_for("x@example.net"),
                {"sent": 349, "delivered": 349},
            )
        ]
    )
    reputation_updates.count([(domain.pk, today, {"sent": 349, "delivered": 349})])
    delivered = MessageFactory(account=account, domain=domain, status="delivered")
    env = {**os.environ, "DATABASE_URL": _database_url()}
    start = time.time() + 4
    racers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.sending.race_sender",
                str(account.pk),
                sender.email,
                str(template.pk),
                str(REQUESTS_EACH),
                str(start),
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    used_at_raise: list[int] = []

    def raise_when_busy() -> None:
        while quota.used(domain) < 200:
            time.sleep(0.005)
        with transaction.atomic():
            counters.record_events([counters.NewEvent(delivered, "delivered")])
            # What the racers had reserved when the raise committed: all of it
            # under the old limit.
            used_at_raise.append(quota.used(domain))
        connection.close()

    raisers = [threading.Thread(target=raise_when_busy) for _ in range(2)]
    for raiser in raisers:
        raiser.start()
    results = []
    for racer in racers:
        out, _ = racer.communicate(timeout=240)
        assert racer.returncode == 0
        results.append(json.loads(out.strip().splitlines()[-1]))
    for raiser in raisers:
        raiser.join(timeout=60)

    domain.refresh_from_db()
    assert (domain.reputation_level, domain.daily_limit) == (2, 1000)
    assert ReputationChange.objects.filter(domain=domain).count() == 1
    assert max(used_at_raise) <= 500
    assert sum(r["accepted"] for r in results) == 1000
    assert quota.used(domain) == 1000
    assert (
        Message.objects.filter(domain=domain).exclude(pk=delivered.pk).count() == 1000
    )
    assert SenderDomain.objects.get(pk=domain.pk).daily_limit == 1000
