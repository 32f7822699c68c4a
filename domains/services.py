"""Sender domain and sender address changes, used by the console, API and SMTP."""

import re
import secrets
import string

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Account
from domains import dkim, tasks, verification
from domains.dns_records import check_records
from domains.errors import (
    AddressAlreadyExists,
    DomainAlreadyAdded,
    DomainCreatedByOther,
    DomainNotVerified,
    ExceedDomainLimit,
    ExceedSenderLimit,
    InvalidDomainName,
    InvalidSenderAddress,
    InvalidSenderName,
    WeakSmtpPassword,
)
from domains.levels import FIRST_LEVEL, daily_limit_for
from domains.models import (
    DnsRecordCheck,
    DomainStatus,
    SenderAddress,
    SenderDomain,
    UnsubscribeLanguage,
)
from domains.names import (
    InvalidName,
    normalize_domain,
    validate_local_part,
    validate_sender_name,
)
from sesconsole.encryption import decrypt_text, encrypt_text


def create_domain(
    *, account: Account, name: str, key_bits: int | None = None
) -> SenderDomain:
    """Add a sender domain with a fresh DKIM key; its first check runs at once."""
    try:
        ascii_name = normalize_domain(name)
    except InvalidName as error:
        raise InvalidDomainName(str(error)) from None
    bits = key_bits or settings.SES_DKIM_KEY_BITS
    # Key generation is slow (RSA 2048): do it before taking any lock.
    private_pem, public_b64 = dkim.generate_key_pair(bits)
    with transaction.atomic():
        # Lock the account so two concurrent requests cannot both pass the limit.
        Account.objects.select_for_update().get(pk=account.pk)
        domains = SenderDomain.objects.for_account(account)
        if domains.filter(name=ascii_name).exists():
            raise DomainAlreadyAdded(f"{ascii_name} is already in your account.")
        if SenderDomain.objects.verified().filter(name=ascii_name).exists():
            raise DomainCreatedByOther(
                f"{ascii_name} is verified by another account. Ask its owner to "
                "remove it first."
            )
        limit = settings.SES_MAX_DOMAINS_PER_ACCOUNT
        if domains.count() >= limit:
            raise ExceedDomainLimit(
                f"An account has at most {limit} sender domains; remove one first."
            )
        domain = SenderDomain.objects.create(
            account=account,
            name=ascii_name,
            dkim_selector=f"ses{secrets.token_hex(3)}",
            dkim_key_bits=bits,
            dkim_private_key_encrypted=encrypt_text(private_pem),
            dkim_public_key=public_b64,
            next_check_at=timezone.now(),
        )
        tasks.check_domain_dns.delay_on_commit(domain.pk)
    return domain


def dkim_private_key(domain: SenderDomain) -> str:
    return decrypt_text(domain.dkim_private_key_encrypted)


def sign_message(domain: SenderDomain, message: bytes) -> bytes:
    """The DKIM-Signature header for `message`, signed with the domain's key."""
    return dkim.sign(
        message,
        domain=domain.name,
        selector=domain.dkim_selector,
        private_pem=dkim_private_key(domain),
    )


def current_domain(pk: int) -> SenderDomain:
    """The domain as it is now: its limit and block change by plain UPDATEs."""
    table = SenderDomain._meta.db_table
    # A raw query: building the ORM's SELECT would cost a send more than the
    # query itself.
    return SenderDomain.objects.raw(f"SELECT * FROM {table} WHERE id = %s", [pk])[0]


def delete_domain(*, domain: SenderDomain) -> None:
    domain.delete()


def check_domain(*, domain_id: int) -> SenderDomain:
    """Look up the domain's records now and apply what they mean."""
    domain = SenderDomain.objects.get(pk=domain_id)
    results = check_records(domain)  # network: outside any transaction
    now = timezone.now()
    with transaction.atomic():
        domain = SenderDomain.objects.select_for_update().get(pk=domain_id)
        for result in results:
            DnsRecordCheck.objects.update_or_create(
                domain=domain,
                kind=result.kind,
                defaults={
                    "status": result.status,
                    "seen": result.seen,
                    "message": result.message[:500],
                    "checked_at": now,
                },
            )
        outcome = verification.next_status(
            domain.status, {r.kind: r.status for r in results}
        )
        status, next_check_at = verification.schedule(outcome, domain.created_at, now)
        _apply_status(domain, status, now)
        domain.last_checked_at = now
        domain.next_check_at = next_check_at
        try:
            with transaction.atomic():
                domain.save()
        except IntegrityError:
            # Another account verified this name a moment earlier.
            domain.status = DomainStatus.PENDING
            domain.save()
    return domain


def _apply_status(domain: SenderDomain, status: str, now: timezone.datetime) -> None:
    if status == DomainStatus.VERIFIED:
        if domain.verified_at is None:
            domain.verified_at = now
            domain.reputation_level = FIRST_LEVEL
            domain.daily_limit = daily_limit_for(FIRST_LEVEL)
        domain.broken_since = None
    elif status == DomainStatus.BROKEN and domain.status != DomainStatus.BROKEN:
        domain.broken_since = now
    domain.status = status


# --- Sender addresses -------------------------------------------------------


def create_sender_address(
    *,
    account: Account,
    domain: SenderDomain,
    local_part: str,
    sender_name: str,
    unsubscribe_language: str = UnsubscribeLanguage.OFF,
) -> SenderAddress:
    if domain.account_id != account.pk:
        raise DomainNotVerified(f"{domain.name} is not one of your domains.")
    try:
        local = validate_local_part(local_part)
    except InvalidName as error:
        raise InvalidSenderAddress(str(error)) from None
    name = _sender_name(sender_name)
    with transaction.atomic():
        domain = SenderDomain.objects.select_for_update().get(pk=domain.pk)
        if domain.status not in {DomainStatus.VERIFIED, DomainStatus.BROKEN}:
            raise DomainNotVerified(
                f"{domain.name} is not verified yet: publish its DNS records and "
                "check it before adding addresses."
            )
        if domain.addresses.filter(local_part=local).exists():
            raise AddressAlreadyExists(f"{local}@{domain.name} already exists.")
        limit = settings.SES_MAX_ADDRESSES_PER_DOMAIN
        if domain.addresses.count() >= limit:
            raise ExceedSenderLimit(
                f"{domain.name} has {limit} sender addresses, the most allowed."
            )
        return SenderAddress.objects.create(
            account=account,
            domain=domain,
            local_part=local,
            sender_name=name,
            unsubscribe_language=unsubscribe_language,
        )


def _sender_name(raw: str) -> str:
    try:
        return validate_sender_name(raw)
    except InvalidName as error:
        raise InvalidSenderName(str(error)) from None


def update_sender_address(
    *, address: SenderAddress, sender_name: str, unsubscribe_language: str
) -> SenderAddress:
    address.sender_name = _sender_name(sender_name)
    address.unsubscribe_language = unsubscribe_language
    address.save(update_fields=["sender_name", "unsubscribe_language"])
    return address


def delete_sender_address(*, address: SenderAddress) -> None:
    address.delete()


_STRONG = [re.compile(r"[0-9]"), re.compile(r"[a-z]"), re.compile(r"[A-Z]")]


def generate_smtp_password() -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(16))
        if all(rule.search(password) for rule in _STRONG):
            return password


def set_smtp_password(*, address: SenderAddress, password: str | None = None) -> str:
    """Set (or generate) the address's SMTP password; return it to show once."""
    password = password or generate_smtp_password()
    if not 10 <= len(password) <= 20 or not all(r.search(password) for r in _STRONG):
        raise WeakSmtpPassword
    address.smtp_password_hash = make_password(password)
    address.smtp_password_set_at = timezone.now()
    address.save(update_fields=["smtp_password_hash", "smtp_password_set_at"])
    return password


def smtp_password_matches(address: SenderAddress, password: str) -> bool:
    return bool(address.smtp_password_hash) and check_password(
        password, address.smtp_password_hash
    )
