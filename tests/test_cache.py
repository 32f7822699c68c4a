"""The Redis cache's own client (sesconsole.cache), against the real Redis."""

import pytest
from django.conf import settings
from django.core.cache import cache

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL, reason="the embedded set-up caches in files"
)


def test_incr_adds_to_an_existing_key_and_keeps_its_expiry():
    cache.delete("counter")
    cache.add("counter", 1, 30)

    assert cache.incr("counter") == 2
    assert cache.incr("counter", 5) == 7
    assert cache.get("counter") == 7
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_key("counter")) <= 30


def test_incr_of_a_missing_key_fails_without_creating_it():
    cache.delete("counter")

    with pytest.raises(ValueError, match="not found"):
        cache.incr("counter")

    assert cache.get("counter") is None
