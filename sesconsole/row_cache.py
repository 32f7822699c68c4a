"""Per-process copies of the rows every send reads and operators rarely change.

Each API request, SMTP submission and console send looks up an API key, a
sender address and an approved template. Loading them through the ORM costs
more than the rest of accepting the mail, so each process keeps copies.

A copy is good while one shared version number — kept in the cache, which
every web, worker and SMTP process shares — is the one it was loaded under.
Saving or deleting a watched model moves the version on at once and again
when its transaction commits, so the next lookup in every process loads the
row afresh. Nothing here is for state that changes through
`QuerySet.update()` (a domain's limit or block): read that fresh.
"""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

VERSION_KEY = "row-cache:version"


_lock = threading.Lock()
_copies: dict[tuple, object] = {}
_copies_version: list[int | None] = [None]
_pinned: ContextVar[int | None] = ContextVar("row_cache_version", default=None)


def current_version() -> int:
    """The shared version; started from the clock if the cache lost it.

    Starting from the clock, not from 1, means a version number is never
    used twice: a copy made under an old number cannot become good again.
    """
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), None)
        version = cache.get(VERSION_KEY)
    return version


@contextmanager
def pinned(version: int) -> Iterator[None]:
    """Use `version` for every lookup inside (one request: one read of it)."""
    token = _pinned.set(version)
    try:
        yield
    finally:
        _pinned.reset(token)


def lookup[T](
    key: tuple, load: Callable[[], T | None], *, any_version: bool = False
) -> T | None:
    """The copy of `key` made under the current version, or `load()`.

    What `load()` finds is kept; misses are not: a caller guessing keys
    would fill the memory. Treat what comes back as read-only: other
    requests share it. `any_version` takes a copy of any age without
    reading the version, for a caller that checks it later.
    """
    if any_version:
        with _lock:
            if key in _copies:
                return _copies[key]
    version = _pinned.get()
    if version is None:
        version = current_version()
    with _lock:
        if _copies_version[0] != version:
            _copies.clear()
            _copies_version[0] = version
        if key in _copies:
            return _copies[key]
    found = load()
    if found is not None:
        with _lock:
            if _copies_version[0] == version:
                _copies[key] = found
    return found


def changed() -> None:
    """Make every process's copies stale, now and when the transaction commits.

    Now alone would not do: a process reading the row before the commit
    would keep the old row under the new version.
    """
    _bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_bump, robust=True)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.add(VERSION_KEY, time.time_ns(), None)


def watch(*models: type[Model]) -> None:
    """Call `changed()` whenever one of `models` is saved or deleted."""
    for model in models:
        post_save.connect(_on_change, sender=model, weak=False)
        post_delete.connect(_on_change, sender=model, weak=False)


def _on_change(sender: type[Model], **kwargs: object) -> None:
    changed()
