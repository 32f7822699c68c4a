"""API throughput: SendEmail requests per second through gunicorn (2 workers).

Each request is signed (TC3-HMAC-SHA256) and accepted whole: validated,
reserved against the daily limit, stored and queued for delivery. Printed
beside the rate of a trivial Django view (GET /healthz) on the same server in
the same run, measured before and after. Uses DATABASE_URL / REDIS_URL when
set, else SQLite and the filesystem broker.

    .venv/bin/python bench/api.py [--requests 2000] [--clients 8]
"""

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

import requests

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.setup import (  # noqa: E402
    configure_environment,
    create_database,
    free_port,
    set_up_sender,
    signed_api_headers,
    start_gunicorn,
)


def measure(count: int, clients: int, one_request) -> float:
    """Requests per second for `count` calls of one_request(session, n)."""
    counter = iter(range(count))
    lock = threading.Lock()
    failures: list[str] = []

    def run() -> None:
        with requests.Session() as session:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                error = one_request(session, n)
                if error:
                    failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} failed requests, first: {failures[0]}")
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker"
    )
    args = parser.parse_args()

    scratch = configure_environment()
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    create_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from accounts.services import create_api_key

    call_command("migrate", verbosity=0)
    account, sender, template = set_up_sender()
    key, secret_key = create_api_key(account=account, created_by=None)
    port = free_port()
    host = f"127.0.0.1:{port}"
    server = start_gunicorn(host, threads=args.threads)
    try:

        def trivial(session: requests.Session, n: int) -> str | None:
            response = session.get(f"http://{host}/healthz", timeout=30)
            return None if response.status_code == 200 else response.text[:200]

        def send(session: requests.Session, n: int) -> str | None:
            body = json.dumps(
                {
                    "FromEmailAddress": sender.email,
                    "Destination": [f"reader{n}@sink.example"],
                    "Subject": "News for {{name}}",
                    "Template": {
                        "TemplateID": template.pk,
                        "TemplateData": json.dumps({"name": "Reader"}),
                    },
                }
            ).encode()
            response = session.post(
                f"http://{host}/",
                data=body,
                timeout=30,
                headers=signed_api_headers(
                    secret_id=key.secret_id,
                    secret_key=secret_key,
                    host=host,
                    action="SendEmail",
                    body=body,
                ),
            )
            answer = response.json()["Response"]
            return None if "MessageId" in answer else json.dumps(answer)[:300]

        measure(min(200, args.requests), args.clients, trivial)  # warm up
        # This machine's speed drifts within minutes: the baseline is the
        # mean of runs before and after.
        trivial_before = measure(args.requests, args.clients, trivial)
        send_rate = measure(args.requests, args.clients, send)
        trivial_after = measure(args.requests, args.clients, trivial)
        trivial_rate = (trivial_before + trivial_after) / 2
    finally:
        server.terminate()
        server.wait()

    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = "redis" if settings.REDIS_URL else "filesystem"
    print(f"requests:            {args.requests:,} each, {args.clients} client threads")
    print(
        f"server:              gunicorn, 2 workers x {args.threads} threads; "
        f"{database} / {broker}"
    )
    print(
        f"trivial view:        {trivial_rate:,.0f} req/s (GET /healthz, baseline: "
        f"{trivial_before:,.0f} before, {trivial_after:,.0f} after)"
    )
    print(f"SendEmail:           {send_rate:,.0f} req/s (signed, accepted, queued)")
    print(f"ratio to trivial:    {send_rate / trivial_rate:.0%} (target: at least 30%)")
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
