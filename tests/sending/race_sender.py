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
    from sending.errors import ExceedSendLimit
    from sending.services import send_email

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


if __name__ == "__main__":
    main()
