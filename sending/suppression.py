"""Who must never be sent to, and adding to that list."""

from collections.abc import Iterable

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Account
from domains.models import SenderAddress
from sending.errors import SuppressionExists
from sending.models import Suppression, SuppressionReason
from sesconsole import statements
from sesconsole.statements import Statement


def suppressed(
    *, account: Account, sender: SenderAddress, addresses: Iterable[str]
) -> dict[str, SuppressionReason]:
    """The reason each address that has an active suppression for this sender
    has one."""
    (found,) = statements.run(
        looking_up(account=account, sender=sender, addresses=addresses)
    )
    return found


def looking_up(
    *, account: Account, sender: SenderAddress, addresses: Iterable[str]
) -> Statement[dict[str, SuppressionReason]]:
    """The statement of `suppressed(...)`, to run with others."""
    wanted = sorted({address.lower() for address in addresses})
    # IN (NULL) matches nothing: no addresses, no suppressions.
    listed = ", ".join(["%s"] * len(wanted)) or "NULL"
    # Plain SQL: every send runs this, and building it through the ORM cost
    # several times what running it does.
    return Statement(
        f"SELECT address, reason FROM {Suppression._meta.db_table} "
        f"WHERE account_id = %s AND address IN ({listed}) "
        "AND (sender_id IS NULL OR sender_id = %s) "
        "AND (expires_at IS NULL OR expires_at > %s) ORDER BY created_at DESC",
        [
            account.pk,
            *wanted,
            sender.pk,
            connection.ops.adapt_datetimefield_value(timezone.now()),
        ],
        _reasons,
    )


def _reasons(rows: list[tuple]) -> dict[str, SuppressionReason]:
    return {address: SuppressionReason(reason) for address, reason in rows}


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


def suppress_many(
    *,
    account: Account,
    addresses: Iterable[str],
    reason: str,
    expires_at: timezone.datetime | None = None,
) -> list[str]:
    """Suppress, account-wide, each address not already actively suppressed.

    Return the addresses added. An address already blocked for the whole
    account keeps its entry (and its reason): a hard bounce stays a hard
    bounce.
    """
    wanted = list(dict.fromkeys(address.strip().lower() for address in addresses))
    with transaction.atomic():
        blocked = set(
            Suppression.objects.for_account(account)
            .active(timezone.now())
            .filter(sender__isnull=True, address__in=wanted)
            .values_list("address", flat=True)
        )
        added = [address for address in wanted if address not in blocked]
        for address in added:
            suppress(
                account=account, address=address, reason=reason, expires_at=expires_at
            )
    return added


def unsuppress(
    *, account: Account, addresses: Iterable[str], reasons: Iterable[str]
) -> int:
    """Remove the account-wide entries of `addresses` with one of `reasons`."""
    wanted = {address.strip().lower() for address in addresses}
    deleted, _ = (
        Suppression.objects.for_account(account)
        .filter(sender__isnull=True, address__in=wanted, reason__in=list(reasons))
        .delete()
    )
    return deleted


def update_suppression(
    *, entry: Suppression, address: str, expires_at: timezone.datetime | None
) -> Suppression:
    """Change the address and expiry of an entry; refuse to duplicate another."""
    entry.address = address.strip().lower()
    entry.expires_at = expires_at
    try:
        with transaction.atomic():
            entry.save(update_fields=["address", "expires_at"])
    except IntegrityError:
        raise SuppressionExists(
            f"{entry.address} is already on the blocklist."
        ) from None
    return entry
