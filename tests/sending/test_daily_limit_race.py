"""Eight processes race for the last 500 sends of a domain's day."""

from sending import quota
from sending.models import Message
from tests.sending.helpers import approved_template, verified_sender
from tests.sending.race_sender import results_of, start_racers

PROCESSES = 8
REQUESTS_EACH = 100


def test_concurrent_senders_never_exceed_the_daily_limit(transactional_db, account):
    sender = verified_sender(account)
    template = approved_template(account)
    racers = start_racers(
        account, sender, template, processes=PROCESSES, each=REQUESTS_EACH
    )
    results = results_of(racers)

    assert sum(r["accepted"] for r in results) == 500
    assert sum(r["refused"] for r in results) == PROCESSES * REQUESTS_EACH - 500
    assert Message.objects.filter(domain=sender.domain).count() == 500
    assert quota.used(sender.domain) == 500
    # Every process got some: they really ran at the same time.
    assert sum(1 for r in results if r["accepted"]) > 1
