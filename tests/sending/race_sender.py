"""One of the processes racing for a domain's daily limit (test_daily_limit_race).

Usage: python -m tests.sending.race_sender ACCOUNT_ID FROM TEMPLATE_ID COUNT START
Waits until the wall-clock time START, sends COUNT one-recipient requests,
and prints {"accepted": n, "refused": n} as JSON.
"""

import json
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sesconsole.settings")


def main() -> None:
    import django

    django.setup()
    from accounts.models import Account
    from sending import tasks
    from sending.errors import ExceedSendLimit
    from sending.services import send_email

    # The race is about acceptance. Delivering what was accepted would have
    # the session's Celery worker change the figures (and the limit) under
    # the test, and keep the test database busy after it.
    tasks.dispatch_delivery = lambda message_ids, *, on_commit: None

    account_id, from_email, template_id, count, start = sys.argv[1:6]
    account = Account.objects.get(pk=account_id)
    pid = os.getpid()
    time.sleep(max(0.0, float(start) - time.time()))
    accepted = refused = 0
    for n in range(int(count)):
        try:
            send_email(
                account=account,
                from_email=from_email,
                recipients=[f"racer{pid}-{n}@example.org"],
                template_id=int(template_id),
                template_data={"name": "Racer"},
                subject="Race",
            )
            accepted += 1
        except ExceedSendLimit:
            refused += 1
    print(json.dumps({"accepted": accepted, "refused": refused}))


def start_racers(account, sender, template, *, processes: int, each: int) -> list:
    """Start `processes` racers, all sending at the same moment, 4 s from now."""
    import subprocess

    from tests.conftest import BASE_DIR, _database_url

    env = {**os.environ, "DATABASE_URL": _database_url()}
    start = time.time() + 4  # every process imported Django and is waiting
    return [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.sending.race_sender",
                str(account.pk),
                sender.email,
                str(template.pk),
                str(each),
                str(start),
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]


def results_of(racers: list) -> list[dict]:
    """Wait for the racers; each one's {"accepted": n, "refused": n}."""
    results = []
    for racer in racers:
        out, _ = racer.communicate(timeout=240)
        assert racer.returncode == 0
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


if __name__ == "__main__":
    main()
