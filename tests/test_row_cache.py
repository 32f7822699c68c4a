"""Per-process copies of the rows every send reads (sesconsole.row_cache)."""

import pytest
from django.core.cache import cache

from accounts.services import create_api_key, find_api_key, set_api_key_enabled
from sending.errors import TemplateNotExist
from sending.services import approved_version
from sesconsole import row_cache
from tests.sending.helpers import approved_template


def test_a_copy_is_served_until_a_save_moves_the_version(db, account):
    key, _ = create_api_key(account=account, created_by=None)
    first = find_api_key(key.secret_id)

    assert find_api_key(key.secret_id) is first
    set_api_key_enabled(key=key, enabled=False)

    fresh = find_api_key(key.secret_id)
    assert fresh is not first
    assert not fresh.is_enabled


def test_a_deleted_template_is_gone_for_the_next_send(db, account):
    template = approved_template(account)
    assert approved_version(account, template.pk) is not None

    template.delete()

    with pytest.raises(TemplateNotExist):
        approved_version(account, template.pk)


def test_misses_are_not_kept(db):
    loads = []

    def load():
        loads.append(1)

    row_cache.lookup(("api-key", "nobody"), load)
    row_cache.lookup(("api-key", "nobody"), load)

    assert len(loads) == 2


def test_a_lost_version_starts_again_from_a_number_never_used(db, account):
    key, _ = create_api_key(account=account, created_by=None)
    find_api_key(key.secret_id)
    before = row_cache.current_version()

    cache.delete(row_cache.VERSION_KEY)

    assert row_cache.current_version() > before
