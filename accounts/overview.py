"""The figures on the Overview page, read from each app's own tables."""

from dataclasses import dataclass

from accounts.models import Account, Invitation, Membership


@dataclass(frozen=True)
class OverviewFigures:
    members: int
    pending_invitations: int


def overview_figures(account: Account) -> OverviewFigures:
    return OverviewFigures(
        members=Membership.objects.filter(account=account)
        .values("user")
        .distinct()
        .count(),
        pending_invitations=Invitation.objects.filter(account=account)
        .pending()
        .count(),
    )
