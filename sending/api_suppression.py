"""Blocklist and unsubscribe-configuration actions of the HTTP API.

Tencent has two blocklists: the automatic one (hard bounces and complaints,
`ListBlackEmailAddress`, `DeleteBlackList`) and the custom one the user keeps
(`...CustomBlacklist`). Both are our account-wide `Suppression` entries,
told apart by reason. The address-level unsubscribe configuration is
`SenderAddress.unsubscribe_language`.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import timezone

from domains.models import SenderAddress, UnsubscribeLanguage
from domains.services import update_sender_address
from sending.api_formats import date_time, iso_day, midnight, page_bounds, zone
from sending.models import Suppression, SuppressionQuerySet, SuppressionReason
from sending.services import find_sender
from sending.suppression import (
    suppress_many,
    unsuppress,
    update_suppression,
)
from sesconsole.api.errors import ApiError
from sesconsole.api.registry import ApiContext, api_action, optional, required

AUTOMATIC = (SuppressionReason.HARD_BOUNCE, SuppressionReason.COMPLAINT)
CUSTOM = (SuppressionReason.MANUAL,)

# Tencent's UnsubscribeConfig codes. Arabic ("9") and Thai ("10") have no
# unsubscribe page here; Portuguese and Russian have no Tencent code and go
# by their language tag.
UNSUBSCRIBE_CONFIG = {
    "0": UnsubscribeLanguage.OFF,
    "1": UnsubscribeLanguage.CHINESE_SIMPLIFIED,
    "2": UnsubscribeLanguage.ENGLISH,
    "3": UnsubscribeLanguage.CHINESE_TRADITIONAL,
    "4": UnsubscribeLanguage.SPANISH,
    "5": UnsubscribeLanguage.FRENCH,
    "6": UnsubscribeLanguage.GERMAN,
    "7": UnsubscribeLanguage.JAPANESE,
    "8": UnsubscribeLanguage.KOREAN,
    "pt": UnsubscribeLanguage.PORTUGUESE,
    "ru": UnsubscribeLanguage.RUSSIAN,
}
UNSUBSCRIBE_CODE = {language: code for code, language in UNSUBSCRIBE_CONFIG.items()}

# ListCustomBlacklist's Status filter and BlackAddressDetail's Status.
EXPIRED, ACTIVE, ANY_STATUS = 0, 1, 2
MAX_EMAILS = 1000
# RFC 5321: a forward path holds at most 256 octets, brackets included.
MAX_ADDRESS_LENGTH = 254


def _addresses(values: list[str]) -> list[str]:
    addresses = [value.strip() for value in values if value.strip()]
    if not addresses:
        raise ApiError(
            "InvalidParameterValue.EmailAddressIsNULL",
            "Give at least one email address.",
        )
    if len(addresses) > MAX_EMAILS:
        raise ApiError(
            "LimitExceeded", f"One request takes at most {MAX_EMAILS} addresses."
        )
    return addresses


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return len(value) <= MAX_ADDRESS_LENGTH


# --- The automatic blocklist: hard bounces and complaints -------------------


@api_action(
    "ListBlackEmailAddress",
    StartDate=required(str),
    EndDate=required(str),
    Limit=required(int),
    Offset=required(int),
    EmailAddress=optional(str),
    TaskID=optional(str),
)
def list_black_email_address(context: ApiContext, params: dict) -> dict:
    start = iso_day(
        params["StartDate"], "InvalidParameter.InvalidStartTimeFormat", "StartDate"
    )
    end = iso_day(params["EndDate"], "InvalidParameter.InvalidEndTimeFormat", "EndDate")
    if end < start:
        raise ApiError(
            "InvalidParameterValue.WrongDate", "EndDate comes before StartDate."
        )
    first, last = page_bounds(params, params["Limit"])
    entries = (
        Suppression.objects.for_account(context.account)
        .active()
        .filter(
            sender__isnull=True,
            reason__in=AUTOMATIC,
            created_at__gte=midnight(start),
            created_at__lt=midnight(end + timedelta(days=1)),
        )
        .order_by("-created_at", "-pk")
    )
    if params.get("EmailAddress"):
        entries = entries.filter(address=params["EmailAddress"].strip().lower())
    return {
        "BlackList": [
            {
                "BounceTime": date_time(entry.created_at),
                "EmailAddress": entry.address,
                "IspDesc": entry.note or entry.get_reason_display(),
            }
            for entry in entries[first:last]
        ],
        "TotalCount": entries.count(),
    }


@api_action("DeleteBlackList", EmailAddressList=required([str]))
def delete_black_list(context: ApiContext, params: dict) -> dict:
    unsuppress(
        account=context.account,
        addresses=_addresses(params["EmailAddressList"]),
        reasons=AUTOMATIC,
    )
    return {}


# --- The custom blocklist ----------------------------------------------------


def _expiry(value: str | None) -> datetime | None:
    """`YYYY-MM-DD` (the entry expires as that day begins) or nothing."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ApiError(
            "InvalidParameterValue.WrongDate", "ExpireDate must be YYYY-MM-DD."
        ) from None
    expires_at = parsed if parsed.tzinfo else parsed.replace(tzinfo=zone())
    if expires_at <= timezone.now():
        raise ApiError(
            "InvalidParameterValue.WrongDate", "ExpireDate must be in the future."
        )
    return expires_at


def _custom_entries(context: ApiContext) -> SuppressionQuerySet:
    return Suppression.objects.for_account(context.account).filter(
        sender__isnull=True, reason__in=CUSTOM
    )


@api_action("CreateCustomBlacklist", Emails=required([str]), ExpireDate=optional(str))
def create_custom_blacklist(context: ApiContext, params: dict) -> dict:
    emails = _addresses(params["Emails"])
    expires_at = _expiry(params.get("ExpireDate"))
    too_long = [e for e in emails if len(e) > MAX_ADDRESS_LENGTH]
    invalid = [e for e in emails if len(e) <= MAX_ADDRESS_LENGTH and not _is_email(e)]
    valid = [e.lower() for e in emails if _is_email(e)]
    added = suppress_many(
        account=context.account,
        addresses=valid,
        reason=SuppressionReason.MANUAL,
        expires_at=expires_at,
    )
    return {
        "TotalCount": len(emails),
        "ValidCount": len(added),
        "TooLongCount": len(too_long),
        "RepeatCount": len(valid) - len(added),
        "InvalidCount": len(invalid),
    }


def _detail(entry: Suppression, now: datetime) -> dict:
    active = entry.expires_at is None or entry.expires_at > now
    return {
        "Id": entry.pk,
        "Email": entry.address,
        "CreateTime": date_time(entry.created_at),
        "ExpireDate": (
            entry.expires_at.astimezone(zone()).date().isoformat()
            if entry.expires_at
            else ""
        ),
        "Status": ACTIVE if active else EXPIRED,
    }


@api_action(
    "ListCustomBlacklist",
    Offset=required(int),
    Limit=required(int),
    Status=required(int),
    Email=optional(str),
)
def list_custom_blacklist(context: ApiContext, params: dict) -> dict:
    first, last = page_bounds(params, params["Limit"])
    now = timezone.now()
    entries = _custom_entries(context).order_by("-created_at", "-pk")
    status = params["Status"]
    if status == ACTIVE:
        entries = entries.active(now)
    elif status == EXPIRED:
        entries = entries.filter(expires_at__lte=now)
    elif status != ANY_STATUS:
        raise ApiError(
            "InvalidParameterValue",
            "Status is 0 (expired), 1 (in effect) or 2 (all).",
        )
    if params.get("Email"):
        entries = entries.filter(address=params["Email"].strip().lower())
    return {
        "TotalCount": entries.count(),
        "Data": [_detail(entry, now) for entry in entries[first:last]],
    }


@api_action(
    "UpdateCustomBlackList",
    Id=required(int),
    Email=required(str),
    ExpireDate=optional(str),
)
def update_custom_blacklist(context: ApiContext, params: dict) -> dict:
    entry = _custom_entries(context).filter(pk=params["Id"]).first()
    if entry is None:
        raise ApiError(
            "ResourceNotFound", f"There is no custom blocklist entry {params['Id']}."
        )
    email = params["Email"].strip()
    if not _is_email(email):
        raise ApiError(
            "InvalidParameterValue.IllegalEmailAddress",
            f"{email!r} is not a valid email address.",
        )
    update_suppression(
        entry=entry, address=email, expires_at=_expiry(params.get("ExpireDate"))
    )
    return {}


@api_action("DeleteCustomBlackList", Emails=required([str]))
def delete_custom_blacklist(context: ApiContext, params: dict) -> dict:
    unsuppress(
        account=context.account,
        addresses=_addresses(params["Emails"]),
        reasons=CUSTOM,
    )
    return {}


# --- Address-level unsubscribe configuration --------------------------------


def _language(params: dict) -> str:
    code = params["UnsubscribeConfig"].strip()
    if code not in UNSUBSCRIBE_CONFIG:
        raise ApiError(
            "InvalidParameterValue",
            f"UnsubscribeConfig `{code}` is not supported; use one of "
            + ", ".join(UNSUBSCRIBE_CONFIG)
            + ".",
        )
    status = params["Status"]
    if status not in (0, 1):
        raise ApiError("InvalidParameterValue", "Status is 0 (off) or 1 (on).")
    return UNSUBSCRIBE_CONFIG[code] if status == 1 else UnsubscribeLanguage.OFF


def _set_language(context: ApiContext, address: str, language: str) -> None:
    sender = find_sender(context.account, address)
    update_sender_address(
        address=sender,
        sender_name=sender.sender_name,
        unsubscribe_language=language,
    )


UNSUBSCRIBE_SCHEMA = {
    "Address": required(str),
    "UnsubscribeConfig": required(str),
    "Status": required(int),
}


@api_action("CreateAddressUnsubscribeConfig", **UNSUBSCRIBE_SCHEMA)
def create_address_unsubscribe_config(context: ApiContext, params: dict) -> dict:
    _set_language(context, params["Address"], _language(params))
    return {}


@api_action("UpdateAddressUnsubscribeConfig", **UNSUBSCRIBE_SCHEMA)
def update_address_unsubscribe_config(context: ApiContext, params: dict) -> dict:
    _set_language(context, params["Address"], _language(params))
    return {}


@api_action("DeleteAddressUnsubscribeConfig", Address=required(str))
def delete_address_unsubscribe_config(context: ApiContext, params: dict) -> dict:
    _set_language(context, params["Address"], UnsubscribeLanguage.OFF)
    return {}


@api_action(
    "ListAddressUnsubscribeConfig",
    Offset=required(int),
    # A string in Tencent's definition of this action.
    Limit=required(str),
)
def list_address_unsubscribe_config(context: ApiContext, params: dict) -> dict:
    try:
        limit = int(params["Limit"])
    except ValueError:
        raise ApiError("InvalidParameterValue", "Limit must be a number.") from None
    first, last = page_bounds(params, limit)
    senders = (
        SenderAddress.objects.for_account(context.account)
        .filter(~Q(unsubscribe_language=UnsubscribeLanguage.OFF))
        .select_related("domain")
        .order_by("domain__name", "local_part")
    )
    return {
        "AddressUnsubscribeConfigList": [
            {
                "Address": sender.email,
                "UnsubscribeConfig": UNSUBSCRIBE_CODE.get(
                    sender.unsubscribe_language, sender.unsubscribe_language
                ),
                "Status": 1,
            }
            for sender in senders[first:last]
        ],
        "Total": senders.count(),
    }
