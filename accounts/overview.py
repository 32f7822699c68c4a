"""The figures on the Overview page, read from each app's own tables."""

from dataclasses import dataclass

from accounts.models import Account, Invitation, Membership
from domains.models import SenderAddress, SenderDomain
from sending.models import Message
from sending.quota import start_of_sending_day
from templates_app.models import EmailTemplate


@dataclass(frozen=True)
class OverviewFigures:
    members: int
    pending_invitations: int
    domains: int
    verified_domains: int
    sender_addresses: int
    approved_templates: int
    messages_today: int


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
        approved_templates=EmailTemplate.objects.for_account(account)
        .sendable()
        .count(),
        messages_today=Message.objects.for_account(account)
        .filter(created_at__gte=start_of_sending_day())
        .count(),
    )
