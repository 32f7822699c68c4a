"""Who must never be sent to, and adding to that list."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account
from domains.models import SenderAddress
from sending.models import Suppression, SuppressionReason


def suppressed(
    *, account: Account, sender: SenderAddress, addresses: Iterable[str]
) -> dict[str, Suppression]:
    """The active suppression of each address that has one, for this sender."""
    wanted = {address.lower() for address in addresses}
    if not wanted:
        return {}
    entries = (
        Suppression.objects.for_account(account)
        .active(timezone.now())
        .filter(address__in=wanted)
        .filter(Q(sender__isnull=True) | Q(sender=sender))
    )
    return {entry.address: entry for entry in entries}


def suppress(
    *,
    account: Account,
    address: str,
    reason: str,
    sender: SenderAddress | None = None,
    expires_at: timezone.datetime | None = None,
    note: str = "",
) -> Suppression:
    """Add (or refresh) a suppression; idempotent under concurrent calls."""
    address = address.strip().lower()
    if reason == SuppressionReason.UNSUBSCRIBE and sender is None:
        raise ValueError("An unsubscribe applies to one sender address.")
    lookup = {"account": account, "address": address, "sender": sender}
    defaults = {"reason": reason, "expires_at": expires_at, "note": note[:500]}
    try:
        with transaction.atomic():
            entry, _ = Suppression.objects.update_or_create(**lookup, defaults=defaults)
    except IntegrityError:
        entry = Suppression.objects.get(**lookup)
    return entry
