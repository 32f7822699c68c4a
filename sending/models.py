"""Messages (one per recipient), their events, suppressions and daily usage."""

import uuid

from django.db import models
from django.utils import timezone

from accounts.access import AccountScopedQuerySet
from accounts.models import Account
from domains.models import SenderAddress, SenderDomain


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    DEFERRED = "deferred", "Deferred"
    BOUNCED = "bounced", "Bounced"
    DROPPED = "dropped", "Dropped"
    FAILED = "failed", "Failed"


FINAL_STATUSES = frozenset(
    {
        MessageStatus.SENT,
        MessageStatus.DELIVERED,
        MessageStatus.BOUNCED,
        MessageStatus.DROPPED,
        MessageStatus.FAILED,
    }
)
# Statuses a delivery worker may claim a message from.
CLAIMABLE_STATUSES = (MessageStatus.QUEUED, MessageStatus.DEFERRED)


class BounceType(models.TextChoices):
    NONE = "", "—"
    INVALID_ADDRESS = "invalid_address", "Invalid address"
    SPAM = "spam", "Spam rejection"
    OTHER = "other", "Other"


def new_message_id() -> str:
    return uuid.uuid4().hex


class SubmittedContent(models.Model):
    """A message body submitted whole (SMTP), shared by all its recipients."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    data = models.BinaryField(help_text="The MIME message exactly as submitted.")
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.size} bytes submitted {self.created_at:%Y-%m-%d %H:%M}"


class AttachmentSet(models.Model):
    """The attachments of one API request, shared by all its recipients."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    # [{"filename": str, "content_type": str, "data": base64 str}, ...]
    files = models.JSONField(default=list)
    size = models.PositiveIntegerField(help_text="Decoded bytes in all.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{len(self.files)} attachment(s), {self.size} bytes"


class MessageQuerySet(AccountScopedQuerySet["Message"]):
    def claimable(self, now: timezone.datetime) -> "MessageQuerySet":
        return self.filter(status__in=CLAIMABLE_STATUSES, next_attempt_at__lte=now)


class Message(models.Model):
    """One recipient of one send request, from acceptance to its final outcome.

    A delivery updates its row three times (claim, hand-over, outcome), so the
    table carries only the indexes that pages and the sweeper need, and on
    PostgreSQL leaves room in each page (fillfactor) for in-place updates.
    """

    # Indexed through the composite indexes that start with it.
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    domain = models.ForeignKey(
        SenderDomain, on_delete=models.PROTECT, related_name="messages"
    )
    sender = models.ForeignKey(
        SenderAddress, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Groups the recipients of one request: Tencent's SendEmail MessageId.
    request_id = models.CharField(max_length=64, db_index=True)
    # This recipient's own id: the Message-ID header is <message_id@domain>.
    message_id = models.CharField(
        max_length=64, unique=True, default=new_message_id, editable=False
    )
    from_name = models.CharField(max_length=64)
    from_email = models.CharField(max_length=320)
    recipient = models.CharField(max_length=320)
    # What the headers show when a request had several visible recipients
    # (API To and Cc lists); empty: the recipient alone.
    to_header = models.TextField(blank=True)
    cc_header = models.TextField(blank=True)
    reply_to = models.CharField(max_length=320, blank=True)
    template_version = models.ForeignKey(
        "templates_app.TemplateVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # SMTP submissions carry their own MIME instead of a template version.
    submitted = models.ForeignKey(
        SubmittedContent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    attachments = models.ForeignKey(
        AttachmentSet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    subject = models.CharField(max_length=998)
    variables = models.JSONField(default=dict, blank=True)
    unsubscribe_language = models.CharField(max_length=8, blank=True)
    source = models.CharField(max_length=16, default="console")

    status = models.CharField(
        max_length=16, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    status_reason = models.CharField(max_length=500, blank=True)
    bounce_type = models.CharField(
        max_length=16, choices=BounceType.choices, blank=True, default=""
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # When a delivery task was last queued for it (the sweeper's lost-task test).
    dispatched_at = models.DateTimeField(default=timezone.now)
    claim_token = models.UUIDField(null=True, blank=True)
    transcript = models.TextField(blank=True)
    final_response = models.CharField(max_length=1000, blank=True)
    raw_message = models.TextField(blank=True, help_text="Exactly as it went out.")

    created_at = models.DateTimeField(default=timezone.now)
    # Set just before the final dot of the DATA command: from then on the
    # receiving server may hold the message.
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["account", "recipient"]),
            models.Index(fields=["account", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=MessageStatus.values),
                name="message_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_id} to {self.recipient} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def header_message_id(self) -> str:
        return f"<{self.message_id}@{self.domain.name}>"


class EventKind(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    DEFERRED = "deferred", "Deferred"
    BOUNCED = "bounced", "Bounced"
    DROPPED = "dropped", "Dropped"
    FAILED = "failed", "Failed"
    REQUEUED = "requeued", "Re-queued"
    OPENED = "opened", "Opened"
    CLICKED = "clicked", "Clicked"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
    COMPLAINED = "complained", "Complained"


class MessageEvent(models.Model):
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    detail = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M:%S}"


class SuppressionReason(models.TextChoices):
    HARD_BOUNCE = "hard_bounce", "Hard bounce"
    COMPLAINT = "complaint", "Complaint"
    UNSUBSCRIBE = "unsubscribe", "Unsubscribed"
    MANUAL = "manual", "Added by you"


class SuppressionQuerySet(AccountScopedQuerySet["Suppression"]):
    def active(self, now: timezone.datetime | None = None) -> "SuppressionQuerySet":
        now = now or timezone.now()
        return self.filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class Suppression(models.Model):
    """An address never sent to: for the whole account, or for one sender."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    address = models.CharField(max_length=320)
    reason = models.CharField(max_length=16, choices=SuppressionReason.choices)
    # Unsubscribes apply to the sender address they came from; the rest to all.
    sender = models.ForeignKey(
        SenderAddress, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=500, blank=True)

    objects = SuppressionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "address", "sender"],
                name="unique_suppression_per_sender",
            ),
            models.UniqueConstraint(
                fields=["account", "address"],
                condition=models.Q(sender__isnull=True),
                name="unique_account_wide_suppression",
            ),
        ]
        indexes = [models.Index(fields=["account", "address"])]

    def __str__(self) -> str:
        return f"{self.address} ({self.get_reason_display()})"


class DailyUsage(models.Model):
    """Messages reserved against a domain's daily limit on one sending day."""

    domain = models.ForeignKey(
        SenderDomain, on_delete=models.CASCADE, related_name="daily_usage"
    )
    day = models.DateField()
    reserved = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "day"], name="one_usage_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.domain} on {self.day}: {self.reserved}"


class InboundMail(models.Model):
    """Mail received for the bounce domain: DSNs and feedback-loop reports.

    Kept as received; the statistics app reads bounces and complaints out of
    it. Nothing that reaches the inbound port is dropped silently.
    """

    received_at = models.DateTimeField(auto_now_add=True)
    peer = models.CharField(max_length=100, blank=True)
    mail_from = models.CharField(max_length=320, blank=True)
    rcpt_tos = models.JSONField(default=list)
    data = models.BinaryField()
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        sender = self.mail_from or "<>"
        return f"inbound from {sender} at {self.received_at:%Y-%m-%d %H:%M}"
