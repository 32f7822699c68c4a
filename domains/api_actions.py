"""Sender domain and sender address actions of the HTTP API."""

from domains.models import SenderDomain
from sesconsole.api.registry import ApiContext, api_action, optional

TAG_LIST = [{"TagKey": optional(str), "TagValue": optional(str)}]
DKIM_OPTION = {1024: 0, 2048: 1}


def identity(domain: SenderDomain) -> dict:
    """One EmailIdentity, as the SDK's model has it."""
    return {
        "IdentityName": domain.name,
        "IdentityType": "DOMAIN",
        "SendingEnabled": domain.can_send(),
        "CurrentReputationLevel": domain.reputation_level,
        "DailyQuota": domain.daily_limit,
        "SendIp": [],
        "TagList": [],
        "DKIMOption": DKIM_OPTION[domain.dkim_key_bits],
    }


@api_action(
    "ListEmailIdentities",
    TagList=optional(TAG_LIST),
    Limit=optional(int),
    Offset=optional(int),
)
def list_email_identities(context: ApiContext, params: dict) -> dict:
    domains = SenderDomain.objects.for_account(context.account).order_by("name")
    total = domains.count()
    offset = params.get("Offset", 0)
    limit = params.get("Limit", 100)
    page = domains[offset : offset + limit]
    return {
        "EmailIdentities": [identity(domain) for domain in page],
        "MaxReputationLevel": max((d.reputation_level for d in page), default=0),
        "MaxDailyQuota": max((d.daily_limit for d in page), default=0),
        "Total": total,
    }
