"""What a DNS check means for a domain: its next status and next check time.

Pure functions over the check results, so the rules are tested without DNS:
- pending or failed → verified when all four records pass;
- verified → broken when SPF or DKIM fails (MX and DMARC only warn);
- broken → verified when SPF and DKIM pass again;
- a record we could not check never changes the status.
Pending domains are re-checked every 5 minutes for 2 hours, then hourly up to
72 hours, then marked failed; verified domains daily; broken ones hourly.
"""

from datetime import datetime, timedelta

from domains.models import CheckStatus, DomainStatus, RecordKind

FAST_RECHECK = timedelta(minutes=5)
FAST_PERIOD = timedelta(hours=2)
SLOW_RECHECK = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=72)
VERIFIED_RECHECK = timedelta(days=1)
BROKEN_RECHECK = timedelta(hours=1)

SENDING_RECORDS = {RecordKind.SPF, RecordKind.DKIM}


def next_status(status: str, results: dict[str, str]) -> str:
    """The status after a check whose per-record outcomes are `results`."""
    outcomes = set(results.values())
    if status in {DomainStatus.PENDING, DomainStatus.FAILED}:
        if outcomes == {CheckStatus.PASS}:
            return DomainStatus.VERIFIED
        return status
    sending = {results.get(kind) for kind in SENDING_RECORDS}
    if status == DomainStatus.VERIFIED and CheckStatus.FAIL in sending:
        return DomainStatus.BROKEN
    if status == DomainStatus.BROKEN and sending == {CheckStatus.PASS}:
        return DomainStatus.VERIFIED
    return status


def schedule(
    status: str, created_at: datetime, now: datetime
) -> tuple[str, datetime | None]:
    """(status, next check time) — pending domains give up after 72 hours."""
    if status == DomainStatus.PENDING:
        age = now - created_at
        if age < FAST_PERIOD:
            return status, now + FAST_RECHECK
        if age < GIVE_UP_AFTER:
            return status, now + SLOW_RECHECK
        return DomainStatus.FAILED, None
    if status == DomainStatus.VERIFIED:
        return status, now + VERIFIED_RECHECK
    if status == DomainStatus.BROKEN:
        return status, now + BROKEN_RECHECK
    return status, None
