"""Sender domain and sender address actions of the HTTP API.

Each action is a thin adapter over `domains.services`, scoped to the
caller's account: another account's domains and addresses answer exactly
as missing ones do.
"""

from email.utils import parseaddr

from domains import services
from domains.dns_records import expected_records
from domains.errors import (
    DomainNotFound,
    InvalidSenderAddress,
    SenderAddressNotFound,
    WeakSmtpPassword,
)
from domains.models import CheckStatus, DomainStatus, SenderAddress, SenderDomain
from domains.names import InvalidName, normalize_domain, validate_local_part
from sesconsole.api.errors import ApiError
from sesconsole.api.registry import ApiContext, api_action, optional, required

TAG_LIST = [{"TagKey": optional(str), "TagValue": optional(str)}]
DKIM_OPTION = {1024: 0, 2048: 1}
KEY_BITS = {option: bits for bits, option in DKIM_OPTION.items()}


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


def dns_attributes(domain: SenderDomain) -> list[dict]:
    """The records to publish, each with what its last check saw (DNSAttributes)."""
    checks = {check.kind: check for check in domain.record_checks.all()}
    attributes = []
    for record in expected_records(domain):
        check = checks.get(record.kind)
        attributes.append(
            {
                "Type": record.type,
                "SendDomain": record.host,
                "ExpectedValue": record.value,
                "CurrentValue": " | ".join(check.seen) if check else "",
                "Status": check is not None and check.status == CheckStatus.PASS,
            }
        )
    return attributes


def identity_details(domain: SenderDomain) -> dict:
    """The body of Create/Get/UpdateEmailIdentity's responses."""
    return {
        "IdentityType": "DOMAIN",
        "VerifiedForSendingStatus": domain.status
        in {DomainStatus.VERIFIED, DomainStatus.BROKEN},
        "Attributes": dns_attributes(domain),
        "DKIMOption": DKIM_OPTION[domain.dkim_key_bits],
    }


def account_domain(context: ApiContext, name: str) -> SenderDomain:
    """The account's domain called `name`; anything else is NotExistDomain."""
    missing = DomainNotFound(f"{name} is not one of your sender domains.")
    try:
        ascii_name = normalize_domain(name)
    except InvalidName:
        raise missing from None
    domain = (
        SenderDomain.objects.for_account(context.account)
        .filter(name=ascii_name)
        .first()
    )
    if domain is None:
        raise missing
    return domain


def _split_address(raw: str) -> tuple[str, str, str]:
    """(display name, local part, domain) of `a@b` or `Name <a@b>`."""
    name, address = parseaddr(raw)
    local, at, host = address.rpartition("@")
    if not (local and at and host):
        raise InvalidSenderAddress(f"{raw} is not an email address.")
    return name, local, host


def _address(context: ApiContext, raw: str) -> SenderAddress:
    """The account's sender address `raw`; anything else is NoSuchSender."""
    missing = SenderAddressNotFound(f"{raw} is not a sender address of yours.")
    try:
        _, local, host = _split_address(raw)
        local, host = validate_local_part(local), normalize_domain(host)
    except (InvalidSenderAddress, InvalidName):
        raise missing from None
    address = (
        SenderAddress.objects.for_account(context.account)
        .filter(local_part=local, domain__name=host)
        .first()
    )
    if address is None:
        raise missing
    return address


# --- Sender domains -----------------------------------------------------------


@api_action(
    "CreateEmailIdentity",
    EmailIdentity=required(str),
    DKIMOption=optional(int),
    TagList=optional(TAG_LIST),
)
def create_email_identity(context: ApiContext, params: dict) -> dict:
    option = params.get("DKIMOption")
    if option is not None and option not in KEY_BITS:
        raise ApiError(
            "InvalidParameterValue",
            "DKIMOption must be 0 (RSA 1024) or 1 (RSA 2048).",
        )
    domain = services.create_domain(
        account=context.account,
        name=params["EmailIdentity"],
        key_bits=KEY_BITS.get(option),
    )
    return identity_details(domain)


@api_action("GetEmailIdentity", EmailIdentity=required(str))
def get_email_identity(context: ApiContext, params: dict) -> dict:
    domain = account_domain(context, params["EmailIdentity"])
    return {**identity_details(domain), "TagList": []}


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


@api_action(
    "UpdateEmailIdentity",
    EmailIdentity=required(str),
    NewAPI=optional(bool),
    DKIMOption=optional(int),
)
def update_email_identity(context: ApiContext, params: dict) -> dict:
    # NewAPI and DKIMOption are accepted and ignored: this action re-checks
    # DNS; the DKIM key of a domain is chosen when it is created.
    domain = account_domain(context, params["EmailIdentity"])
    return identity_details(services.check_domain(domain_id=domain.pk))


@api_action("DeleteEmailIdentity", EmailIdentity=required(str))
def delete_email_identity(context: ApiContext, params: dict) -> dict:
    services.delete_domain(domain=account_domain(context, params["EmailIdentity"]))
    return {}


# --- Sender addresses ---------------------------------------------------------


@api_action(
    "CreateEmailAddress",
    EmailAddress=required(str),
    EmailSenderName=optional(str),
)
def create_email_address(context: ApiContext, params: dict) -> dict:
    display_name, local, host = _split_address(params["EmailAddress"])
    try:
        ascii_host = normalize_domain(host)
    except InvalidName:
        raise InvalidSenderAddress(
            f"{params['EmailAddress']} is not a valid sender address."
        ) from None
    services.create_sender_address(
        account=context.account,
        domain=account_domain(context, ascii_host),
        local_part=local,
        # Tencent makes the name optional; ours is always set, so default it.
        sender_name=params.get("EmailSenderName", "").strip() or display_name or local,
    )
    return {}


@api_action("ListEmailAddress")
def list_email_address(context: ApiContext, params: dict) -> dict:
    addresses = SenderAddress.objects.for_account(context.account).select_related(
        "domain"
    )
    return {
        "EmailSenders": [
            {
                "EmailAddress": address.email,
                "EmailSenderName": address.sender_name,
                "CreatedTimestamp": int(address.created_at.timestamp()),
                "SmtpPwdType": int(address.has_smtp_password),
            }
            for address in addresses
        ]
    }


@api_action("DeleteEmailAddress", EmailAddress=required(str))
def delete_email_address(context: ApiContext, params: dict) -> dict:
    services.delete_sender_address(address=_address(context, params["EmailAddress"]))
    return {}


@api_action(
    "UpdateEmailSmtpPassWord",
    Password=required(str),
    EmailAddress=required(str),
)
def update_email_smtp_password(context: ApiContext, params: dict) -> dict:
    address = _address(context, params["EmailAddress"])
    if not params["Password"]:
        # The service would generate one, but the API has no way to return it.
        raise WeakSmtpPassword
    services.set_smtp_password(address=address, password=params["Password"])
    return {}
