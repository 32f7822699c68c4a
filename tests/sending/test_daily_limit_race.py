"""Eight processes race for the last 500 sends of a domain's day."""

import json
import os
import subprocess
import sys
import time

from sending import quota
from sending.models import Message
from tests.conftest import BASE_DIR, _database_url
from tests.sending.helpers import approved_template, verified_sender

PROCESSES = 8
REQUESTS_EACH = 100


def test_concurrent_senders_never_exceed_the_daily_limit(transactional_db, account):
    sender = verified_sender(account)
    template = approved_template(account)
    env = {**os.environ, "DATABASE_URL": _database_url()}
    start = time.time() + 4  # every process imported Django and is waiting
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
    results = []
    for racer in racers:
        out, _ = racer.communicate(timeout=240)
        assert racer.returncode == 0
        results.append(json.loads(out.strip().splitlines()[-1]))

    assert sum(r["accepted"] for r in results) == 500
    assert sum(r["refused"] for r in results) == PROCESSES * REQUESTS_EACH - 500
    assert Message.objects.filter(domain=sender.domain).count() == 500
    assert quota.used(sender.domain) == 500
    # Every process got some: they really ran at the same time.
    assert sum(1 for r in results if r["accepted"]) > 1
