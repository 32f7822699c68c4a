"""Personas, a real Celery worker, and a real browser."""

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from accounts.models import Account, Role, User
from sending.mailsink import MailSink
from sesconsole.celery import solo_worker_command
from tests.dns_server import FixtureDnsServer
from tests.environment import IN_CI
from tests.factories import (
    TEST_PASSWORD,
    AccountFactory,
    MembershipFactory,
    UserFactory,
)

BASE_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("SES_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = BASE_DIR / "test-artifacts"


def skip_or_fail(reason: str) -> None:
    """Skip on a developer's machine; under CI a missing part fails the run."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must not be skipped)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with empty caches (login throttles live there, and
    the daily limits a process remembers: primary keys repeat across tests)."""
    from django.core.cache import cache

    from domains import reputation_updates

    cache.clear()
    reputation_updates.forget_limits()


# --- Personas -------------------------------------------------------------


@pytest.fixture
def account(db: None) -> Account:
    return AccountFactory(name="Acme Mail", slug="acme")


@pytest.fixture
def owner(account: Account) -> User:
    user = UserFactory(email="owner@acme.example.com", full_name="Olga Owner")
    MembershipFactory(account=account, user=user, role=Role.OWNER)
    return user


@pytest.fixture
def operator(account: Account) -> User:
    user = UserFactory(email="operator@acme.example.com", full_name="Otto Operator")
    MembershipFactory(account=account, user=user, role=Role.OPERATOR)
    return user


@pytest.fixture
def reviewer(account: Account) -> User:
    user = UserFactory(email="reviewer@acme.example.com", full_name="Rae Reviewer")
    MembershipFactory(account=account, user=user, role=Role.REVIEWER)
    return user


@pytest.fixture
def other_account(db: None) -> Account:
    return AccountFactory(name="Other Corp", slug="other")


@pytest.fixture
def outsider(other_account: Account) -> User:
    user = UserFactory(email="outsider@other.example.com", full_name="Xavier Outsider")
    MembershipFactory(account=other_account, user=user, role=Role.OWNER)
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def owner_client(owner: User) -> Client:
    return client_for(owner)


@pytest.fixture
def operator_client(operator: User) -> Client:
    return client_for(operator)


@pytest.fixture
def reviewer_client(reviewer: User) -> Client:
    return client_for(reviewer)


@pytest.fixture
def outsider_client(outsider: User) -> Client:
    return client_for(outsider)


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


# --- A real DNS server ----------------------------------------------------


@pytest.fixture(scope="session")
def dns_server() -> Iterator[FixtureDnsServer]:
    server = FixtureDnsServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def dns(dns_server: FixtureDnsServer, settings: object) -> FixtureDnsServer:
    """The loopback DNS server, empty, as the platform's only resolver."""
    dns_server.clear()
    settings.SES_DNS_RESOLVERS = [dns_server.address]
    settings.SES_DNS_TIMEOUT = 1.0
    return dns_server


# --- A real Celery worker -------------------------------------------------


def _database_url() -> str:
    """The URL of the test database, for processes the tests start."""
    db = connections["default"].settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] or ""
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


def _purge_broker() -> None:
    from sesconsole.celery import app

    app.control.purge()


def start_worker(**env: str) -> subprocess.Popen:
    """Start `celery -A sesconsole worker` (solo pool) with `env` added."""
    return subprocess.Popen(
        solo_worker_command(),
        cwd=BASE_DIR,
        env={**os.environ, "DEBUG": "0", **env},
    )


def wait_for_worker(worker: subprocess.Popen, timeout: float = 60) -> None:
    """Return once the worker answers a task through the broker."""
    from accounts.tasks import ping

    deadline = time.monotonic() + timeout
    while True:
        if worker.poll() is not None:
            raise RuntimeError(f"Celery worker exited with {worker.returncode}")
        try:
            ping.delay().get(timeout=5)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


@pytest.fixture(scope="session")
def worker_env(
    django_db_setup: None,
    django_db_blocker: object,
    dns_server: FixtureDnsServer,
    mail_sink_server: MailSink,
) -> dict[str, str]:
    """What a test worker needs: the test database, fixture DNS, the sink."""
    with django_db_blocker.unblock():
        database_url = _database_url()
    return {
        "DATABASE_URL": database_url,
        "SES_DNS_RESOLVERS": dns_server.address,
        "SES_DNS_TIMEOUT_SECONDS": "1",
        "SES_DELIVERY_URL": f"smtp://127.0.0.1:{mail_sink_server.port}",
        "SES_RETRY_BASE_SECONDS": "0.5",
        "SES_SENDING_STALE_SECONDS": "3",
        "SES_BATCH_STALE_SECONDS": "3",
        # The test receivers listen on loopback over plain HTTP.
        "SES_WEBHOOK_ALLOW_HTTP": "1",
    }


# The session's worker, once a test started it: later tests must let it settle.
RUNNING_WORKERS: list["WorkerHandle"] = []


class WorkerHandle:
    """The session's worker process, which a test may kill and restart."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process = start_worker(**env)
        wait_for_worker(self.process)

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, no acknowledgements, nothing flushed."""
        self.process.kill()
        self.process.wait()

    def restart(self) -> None:
        """Start a new worker. It is not pinged: a ping would wait in line
        behind the tasks the dead worker left in the queue."""
        if self.process.poll() is None:
            stop_worker(self.process)
        self.process = start_worker(**self.env)

    def stop(self) -> None:
        if self.process.poll() is None:
            stop_worker(self.process)


@pytest.fixture(scope="session")
def celery_worker(worker_env: dict[str, str]) -> Iterator[WorkerHandle]:
    """A worker on this test process's broker, for the whole session.

    It reads and writes the test database, so tests that use it need
    `transactional_db` (their writes must be committed to be seen). It
    resolves names with the fixture DNS server and delivers to the mail sink.
    """
    _purge_broker()
    worker = WorkerHandle(worker_env)
    RUNNING_WORKERS.append(worker)
    try:
        yield worker
    finally:
        RUNNING_WORKERS.remove(worker)
        worker.stop()
        _purge_broker()
        if not settings.REDIS_URL:
            shutil.rmtree(settings.SES_BROKER_DIR, ignore_errors=True)


def _transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or bool(marker and marker.kwargs.get("transaction"))
    )


@pytest.fixture(autouse=True)
def _worker_idle_after_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Once this process runs a worker, every test that commits (its work may
    have reached the broker) ends by dropping what is still queued and waiting
    until the worker is idle — before the test database is emptied, as a task
    still running then would hold locks the flush needs."""
    if not (RUNNING_WORKERS or "celery_worker" in request.fixturenames) or not (
        _transactional(request)
    ):
        yield
        return
    # Requested here so this fixture's teardown runs before the flush.
    request.getfixturevalue("transactional_db")
    yield
    from accounts.tasks import ping

    if settings.REDIS_URL:
        # Not on the filesystem broker: deleting its files under a running
        # worker can break the worker's consumer.
        _purge_broker()
    ping.delay().get(timeout=120)


# --- A real SMTP server -----------------------------------------------------


@pytest.fixture(scope="session")
def mail_sink_server() -> Iterator[MailSink]:
    with MailSink() as sink:
        yield sink


@pytest.fixture
def mail_sink(mail_sink_server: MailSink, settings: object) -> MailSink:
    """The loopback mail sink, emptied, as this process's delivery target."""
    mail_sink_server.clear()
    mail_sink_server.on_message = None
    settings.SES_DELIVERY_URL = f"smtp://127.0.0.1:{mail_sink_server.port}"
    return mail_sink_server


# --- A real browser -------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object, live_server: object, request: pytest.FixtureRequest):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 860}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    console_errors: list[str] = []

    def on_console(message: object) -> None:
        # A form re-shown with its errors answers 400 on purpose.
        if message.type == "error" and "status of 400" not in message.text:
            console_errors.append(message.text)

    page.on("console", on_console)
    yield page
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    context.close()
    assert not console_errors, f"browser console errors: {console_errors}"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
