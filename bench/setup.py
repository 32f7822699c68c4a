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
