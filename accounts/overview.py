"""The figures on the Overview page, read from each app's own tables."""

from dataclasses import dataclass

from accounts.models import Account, Invitation, Membership
from domains.models import SenderAddress, SenderDomain


@dataclass(frozen=True)
class OverviewFigures:
    members: int
    pending_invitations: int
    domains: int
    verified_domains: int
    sender_addresses: int


def overview_figures(account: Account) -> OverviewFigures:
    domains = SenderDomain.objects.for_account(account)
    return OverviewFigures(
        members=Membership.objects.filter(account=account)
        .values("user")
        .distinct()
        .count(),
        pending_invitations=Invitation.objects.filter(account=account)
        .pending()
        .count(),
        domains=domains.count(),
        verified_domains=domains.verified().count(),
        sender_addresses=SenderAddress.objects.for_account(account).count(),
    )
