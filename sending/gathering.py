"""Delivery tasks of a busy web process, gathered for a moment and sent together.

Publishing a Celery task costs about 1 ms of CPU: as much as the rest of
accepting a message through the API. A process that calls `start()` (the WSGI
application does) keeps the ids of the messages its requests commit for up
to GATHER_SECONDS, and a background thread publishes them together, one task
per chunk. Under load, one task carries the messages of several requests.

If the process dies with ids gathered, their messages stay queued and
undispatched; the sweeper queues them like those of a lost task.
"""

import atexit
import logging
import os
import threading
import time
from collections.abc import Iterable

log = logging.getLogger(__name__)

GATHER_SECONDS = 0.05

_started = False
_lock = threading.Lock()
_waiting = threading.Event()
_ids: list[int] = []
_thread: threading.Thread | None = None
_thread_pid: int | None = None


def start() -> None:
    """Gather delivery tasks in this process from now on."""
    global _started
    if not _started:
        _started = True
        atexit.register(publish_gathered)


def is_started() -> bool:
    return _started


def add(message_ids: Iterable[int]) -> None:
    """Publish delivery of `message_ids` with the others gathered soon."""
    global _thread, _thread_pid
    with _lock:
        _ids.extend(message_ids)
        # After a fork the thread belongs to the parent: start this process's.
        if _thread is None or _thread_pid != os.getpid():
            _thread = threading.Thread(
                target=_publish_forever, name="delivery-gathering", daemon=True
            )
            _thread_pid = os.getpid()
            _thread.start()
    _waiting.set()


def publish_gathered() -> None:
    """Publish what is gathered now (at exit, and from the thread)."""
    from sending import tasks

    with _lock:
        ids = list(_ids)
        _ids.clear()
    if not ids:
        return
    try:
        tasks.dispatch_delivery(ids, on_commit=False)
    except Exception:
        log.exception(
            "Could not queue delivery of %d messages; the sweeper will", len(ids)
        )


def _publish_forever() -> None:
    while True:
        _waiting.wait()
        time.sleep(GATHER_SECONDS)
        # Ids added from here on are published now or set the event again.
        _waiting.clear()
        publish_gathered()
