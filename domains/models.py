"""Sender domains, their DNS checks, and the sender addresses on them."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.access import AccountScopedQuerySet
from accounts.models import Account
from domains.levels import FIRST_LEVEL, daily_limit_for
from domains.names import display_domain


class DomainStatus(models.TextChoices):
    PENDING = "pending", "Pending verification"
    VERIFIED = "verified", "Verified"
    FAILED = "failed", "Verification failed"
    BROKEN = "broken", "DNS records broken"


class SenderDomainQuerySet(AccountScopedQuerySet["SenderDomain"]):
    def verified(self) -> "SenderDomainQuerySet":
        """Domains that passed verification (including broken ones in grace)."""
        return self.filter(status__in=[DomainStatus.VERIFIED, DomainStatus.BROKEN])

    def due_for_check(self, now: timezone.datetime) -> "SenderDomainQuerySet":
        return self.filter(next_check_at__lte=now)


class SenderDomain(models.Model):
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="sender_domains"
    )
    name = models.CharField(max_length=253, help_text="ASCII (IDNA) form.")
    status = models.CharField(
        max_length=16, choices=DomainStatus.choices, default=DomainStatus.PENDING
    )
    dkim_selector = models.CharField(max_length=63)
    dkim_key_bits = models.PositiveSmallIntegerField(default=2048)
    dkim_private_key_encrypted = models.TextField(editable=False)
    dkim_public_key = models.TextField(help_text="Base64 DER, as in the p= tag.")
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    broken_since = models.DateTimeField(null=True, blank=True)
    reputation_level = models.PositiveSmallIntegerField(default=FIRST_LEVEL)
    daily_limit = models.PositiveIntegerField(default=daily_limit_for(FIRST_LEVEL))
    blocked_until = models.DateTimeField(null=True, blank=True)
    # A limit above level 20's, from an approved quota request (else None).
    approved_limit = models.PositiveIntegerField(null=True, blank=True)
    # The last sending day the nightly recalculation has evaluated.
    reputation_evaluated_through = models.DateField(null=True, blank=True)

    objects = SenderDomainQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "name"], name="unique_domain_per_account"
            ),
            # A domain proven by one account cannot be verified by another.
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(status__in=["verified", "broken"]),
                name="one_verified_owner_per_domain",
            ),
            models.CheckConstraint(
                condition=models.Q(dkim_key_bits__in=[1024, 2048]),
                name="dkim_key_bits_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return display_domain(self.name)

    @property
    def dkim_host(self) -> str:
        return f"{self.dkim_selector}._domainkey.{self.name}"

    @property
    def grace_ends_at(self) -> timezone.datetime | None:
        if self.status != DomainStatus.BROKEN or self.broken_since is None:
            return None
        return self.broken_since + timedelta(hours=settings.SES_BROKEN_GRACE_HOURS)

    def is_blocked(self, now: timezone.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.blocked_until is not None and self.blocked_until > now

    def can_send(self, now: timezone.datetime | None = None) -> bool:
        """Verified (or broken but inside the grace period) and not blocked."""
        now = now or timezone.now()
        if self.is_blocked(now):
            return False
        if self.status == DomainStatus.VERIFIED:
            return True
        grace_end = self.grace_ends_at
        return grace_end is not None and now < grace_end


class RecordKind(models.TextChoices):
    MX = "mx", "MX"
    SPF = "spf", "SPF"
    DKIM = "dkim", "DKIM"
    DMARC = "dmarc", "DMARC"


class CheckStatus(models.TextChoices):
    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"
    UNKNOWN = "unknown", "Could not check"


class DnsRecordCheck(models.Model):
    """The latest check of one DNS record of a domain: what we saw, and when."""

    domain = models.ForeignKey(
        SenderDomain, on_delete=models.CASCADE, related_name="record_checks"
    )
    kind = models.CharField(max_length=8, choices=RecordKind.choices)
    status = models.CharField(max_length=8, choices=CheckStatus.choices)
    seen = models.JSONField(default=list)
    message = models.CharField(max_length=500, blank=True)
    checked_at = models.DateTimeField()

    class Meta:
        ordering = ["domain", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "kind"], name="one_check_per_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.domain} {self.get_kind_display()}: {self.status}"


class UnsubscribeLanguage(models.TextChoices):
    OFF = "", "Off"
    ENGLISH = "en", "English"
    CHINESE_SIMPLIFIED = "zh-hans", "Chinese (Simplified)"
    CHINESE_TRADITIONAL = "zh-hant", "Chinese (Traditional)"
    JAPANESE = "ja", "Japanese"
    KOREAN = "ko", "Korean"
    SPANISH = "es", "Spanish"
    FRENCH = "fr", "French"
    GERMAN = "de", "German"
    PORTUGUESE = "pt", "Portuguese"
    RUSSIAN = "ru", "Russian"


class SenderAddressQuerySet(AccountScopedQuerySet["SenderAddress"]):
    def sendable(self) -> "SenderAddressQuerySet":
        return self.filter(
            domain__status__in=[DomainStatus.VERIFIED, DomainStatus.BROKEN]
        )


class SenderAddress(models.Model):
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="sender_addresses"
    )
    domain = models.ForeignKey(
        SenderDomain, on_delete=models.CASCADE, related_name="addresses"
    )
    local_part = models.CharField(max_length=64)
    sender_name = models.CharField(max_length=64)
    smtp_password_hash = models.CharField(max_length=256, blank=True, editable=False)
    smtp_password_set_at = models.DateTimeField(null=True, blank=True)
    unsubscribe_language = models.CharField(
        max_length=8, choices=UnsubscribeLanguage.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SenderAddressQuerySet.as_manager()

    class Meta:
        ordering = ["domain__name", "local_part"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "local_part"], name="unique_address_per_domain"
            )
        ]

    def __str__(self) -> str:
        return self.from_header

    @property
    def email(self) -> str:
        return f"{self.local_part}@{self.domain.name}"

    @property
    def from_header(self) -> str:
        """The display form `Name <address>` (Tencent's FromEmailAddress)."""
        return f"{self.sender_name} <{self.email}>"

    @property
    def has_smtp_password(self) -> bool:
        return bool(self.smtp_password_hash)


class ReputationAction(models.TextChoices):
    RAISE = "raise", "Raised"
    LOWER = "lower", "Lowered"
    BLOCK = "block", "Blocked for the day"
    UNBLOCK = "unblock", "Unblocked by staff"
    QUOTA = "quota", "Quota request approved"


class ReputationChange(models.Model):
    """One change of a domain's level, limit or block, and what caused it."""

    domain = models.ForeignKey(
        SenderDomain, on_delete=models.CASCADE, related_name="reputation_changes"
    )
    at = models.DateTimeField(default=timezone.now)
    day = models.DateField(help_text="The sending day whose figures decided.")
    action = models.CharField(max_length=8, choices=ReputationAction.choices)
    rule = models.CharField(max_length=32, blank=True)
    reason = models.CharField(max_length=500)
    old_level = models.PositiveSmallIntegerField()
    new_level = models.PositiveSmallIntegerField()
    old_limit = models.PositiveIntegerField()
    new_limit = models.PositiveIntegerField()
    # sent, delivered, invalid_bounces, spam_bounces, complaints, unique_opens
    figures = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["domain", "-at"])]

    def __str__(self) -> str:
        return f"{self.domain}: {self.get_action_display()} ({self.rule})"


class QuotaRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for staff"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class QuotaRequest(models.Model):
    """An operator's request for a daily limit above level 20's."""

    domain = models.ForeignKey(
        SenderDomain, on_delete=models.CASCADE, related_name="quota_requests"
    )
    wanted_limit = models.PositiveIntegerField()
    reason = models.TextField()
    status = models.CharField(
        max_length=8,
        choices=QuotaRequestStatus.choices,
        default=QuotaRequestStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.domain}: {self.wanted_limit:,} a day ({self.status})"


class ReputationDay(models.Model):
    """A domain's figures for one sending day, as the reputation rules read them.

    Counted from the same deltas as the statistics counters, in the same
    transaction; one row per domain and day, so the rules never sum over
    mailbox providers or scan events.
    """

    domain = models.ForeignKey(
        SenderDomain, on_delete=models.CASCADE, related_name="reputation_days"
    )
    day = models.DateField()
    # Plain integers: a late bounce takes `delivered` back on the day it
    # arrives, which can dip a quiet day below zero.
    sent = models.IntegerField(default=0)
    delivered = models.IntegerField(default=0)
    invalid_bounces = models.IntegerField(default=0)
    spam_bounces = models.IntegerField(default=0)
    complaints = models.IntegerField(default=0)
    unique_opens = models.IntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "day"], name="one_reputation_day_per_domain"
            )
        ]
        indexes = [models.Index(fields=["day"], name="reputation_day_by_day")]

    def __str__(self) -> str:
        return f"{self.domain} on {self.day}"
