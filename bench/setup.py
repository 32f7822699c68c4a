"""What the benchmarks share: a throwaway database and a ready sender."""

import os
import tempfile
from pathlib import Path


def configure_environment() -> Path:
    scratch = Path(tempfile.mkdtemp(prefix="ses-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sesconsole.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ["DEBUG"] = "0"
    os.environ["SES_HTTPS"] = "0"
    os.environ["SES_STATIC_MANIFEST"] = "0"
    os.environ["SES_VAR_DIR"] = str(scratch)
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    elif "postgres" in os.environ["DATABASE_URL"]:
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        os.environ["DATABASE_URL"] = f"{base}/ses_bench"
    if os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/15"
    return scratch


def create_database() -> None:
    url = os.environ["DATABASE_URL"]
    if "postgres" in url:
        import psycopg

        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS ses_bench WITH (FORCE)")
            connection.execute("CREATE DATABASE ses_bench")


def set_up_sender() -> tuple[object, object, object]:
    from accounts.models import Account, Membership, Role, User
    from domains import services as domains
    from domains.models import SenderDomain
    from templates_app import services as templates

    account = Account.objects.create(name="Bench", slug="bench")
    author = User.objects.create_user("author@bench.example", "x" * 12)
    reviewer = User.objects.create_user("reviewer@bench.example", "x" * 12)
    Membership.objects.create(account=account, user=author, role=Role.OPERATOR)
    Membership.objects.create(account=account, user=reviewer, role=Role.REVIEWER)
    domain = domains.create_domain(
        account=account, name="bench-mail.com", key_bits=2048
    )
    SenderDomain.objects.filter(pk=domain.pk).update(
        status="verified", daily_limit=10_000_000
    )
    domain.refresh_from_db()
    sender = domains.create_sender_address(
        account=account, domain=domain, local_part="news", sender_name="Bench News"
    )
    template = templates.create_template(
        account=account,
        author=author,
        name="Bench",
        kind="html",
        body="<h1>Hello {{name}}</h1><p>"
        + "A typical paragraph of news. " * 20
        + "</p>",
        submit=True,
    )
    templates.approve_version(version=template.current_version, reviewer=reviewer)
    return account, sender, template


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(host: str, *, threads: int = 1):
    """gunicorn with 2 workers on `host`, answering before this returns."""
    import subprocess
    import sys
    import time

    import requests

    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "sesconsole.wsgi",
            "--workers",
            "2",
            "--threads",
            str(threads),
            "--bind",
            host,
            "--log-level",
            "warning",
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "SES_API_REQUESTS_PER_SECOND": "1000000"},
    )
    for _ in range(100):
        try:
            requests.get(f"http://{host}/healthz", timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.1)
    return server


def signed_api_headers(
    *, secret_id: str, secret_key: str, host: str, action: str, body: bytes
) -> dict:
    """The headers of a TC3-HMAC-SHA256-signed API call, as the SDK sends them."""
    import time

    from sesconsole.api import signing

    timestamp = int(time.time())
    signature = signing.signature(
        secret_key=secret_key,
        method="POST",
        path="/",
        query="",
        headers={"content-type": "application/json", "host": host},
        signed_headers=["content-type", "host"],
        payload=body,
        timestamp=timestamp,
    )
    date = time.strftime("%Y-%m-%d", time.gmtime(timestamp))
    return {
        "Authorization": f"TC3-HMAC-SHA256 Credential={secret_id}/{date}/ses/"
        f"tc3_request, SignedHeaders=content-type;host, Signature={signature}",
        "Content-Type": "application/json",
        "X-TC-Action": action,
        "X-TC-Version": "2020-10-02",
        "X-TC-Timestamp": str(timestamp),
        "X-TC-Region": "ap-hongkong",
    }
