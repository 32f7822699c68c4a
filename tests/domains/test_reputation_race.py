"""Senders race while the domain's level rises: never over the limit in force."""

import threading
import time

from django.db import connection, transaction

from domains import reputation_updates
from domains.models import ReputationChange, SenderDomain
from sending import quota
from sending.models import Message
from stats import counters
from stats.providers import provider_for
from tests.factories import MessageFactory
from tests.sending.helpers import approved_template, verified_sender
from tests.sending.race_sender import results_of, start_racers

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
    racers = start_racers(
        account, sender, template, processes=PROCESSES, each=REQUESTS_EACH
    )
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
    results = results_of(racers)
    for raiser in raisers:
        raiser.join(timeout=60)

    domain.refresh_from_db()
    assert (domain.reputation_level, domain.daily_limit) == (2, 1000)
    assert ReputationChange.objects.filter(domain=domain).count() == 1
    # The first raiser to commit raised; the other, serialised behind it on
    # the domain, read the same or more, under the new limit.
    assert min(used_at_raise) <= 500
    assert sum(r["accepted"] for r in results) == 1000
    assert quota.used(domain) == 1000
    assert (
        Message.objects.filter(domain=domain).exclude(pk=delivered.pk).count() == 1000
    )
    assert SenderDomain.objects.get(pk=domain.pk).daily_limit == 1000
