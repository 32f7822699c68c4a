"""The Celery application: `celery -A sesconsole worker` and `... beat`."""

import os
import sys
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sesconsole.settings")

app = Celery("sesconsole")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_broker_folders() -> None:
    """Create the embedded broker's folders; kombu expects them to exist."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    backend = app.conf.result_backend or ""
    if backend.startswith("file://"):
        Path(backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)


@app.on_after_configure.connect
def _prepare_embedded_broker(**_: object) -> None:
    ensure_broker_folders()


def solo_worker_command(hostname: str = "celery@%h") -> list[str]:
    """The command line of a quiet single-process worker (tests, benchmarks)."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "sesconsole",
        "worker",
        "--pool",
        "solo",
        "--loglevel",
        "WARNING",
        "--hostname",
        hostname,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
