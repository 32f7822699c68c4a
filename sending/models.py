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

    # Account and domain: indexed through the composite indexes that start
    # with them.
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    domain = models.ForeignKey(
        SenderDomain, on_delete=models.PROTECT, related_name="messages", db_index=False
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
    # Set for the recipients of a batch task (one run of it).
    batch = models.ForeignKey(
        "BatchTask",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        db_index=False,
    )

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
    # What the recipient did, first time each (unique opens and clicks are
    # counted by whoever sets these from NULL).
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    tracked = models.BooleanField(
        default=False, help_text="Went out with an open pixel and click links."
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["account", "recipient"]),
            models.Index(fields=["account", "-created_at"]),
            models.Index(fields=["batch", "status"]),
            # A batch page's newest messages, without reading the whole batch.
            models.Index(
                fields=["batch", "-id"],
                name="message_batch_newest",
                condition=models.Q(batch__isnull=False),
            ),
            models.Index(fields=["domain", "status"]),
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
    # Opens and clicks: the reader's user agent; clicks: the link followed.
    user_agent = models.CharField(max_length=500, blank=True)
    link = models.CharField(max_length=2000, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        # Complaints are rare and read by time (GetAbuseReport).
        indexes = [
            models.Index(
                fields=["at"],
                condition=models.Q(kind="complained"),
                name="event_complaints_by_time",
            )
        ]

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


class ListStatus(models.IntegerChoices):
    """Tencent's ReceiversStatus codes."""

    PENDING = 1, "Waiting for recipients"
    UPLOADING = 2, "Uploading"
    COMPLETE = 3, "Complete"


class RecipientListQuerySet(AccountScopedQuerySet["RecipientList"]):
    pass


class RecipientList(models.Model):
    """A named list of recipients with per-recipient template values."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="recipient_lists"
    )
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=300, blank=True)
    status = models.PositiveSmallIntegerField(
        choices=ListStatus.choices, default=ListStatus.PENDING
    )
    # The template variables the list carries, from the CSV header or the API.
    columns = models.JSONField(default=list, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    valid_count = models.PositiveIntegerField(default=0)
    empty_count = models.PositiveIntegerField(default=0)
    too_long_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    invalid_count = models.PositiveIntegerField(default=0)
    # The last import's failure, in words (nothing of that import was kept).
    error = models.CharField(max_length=500, blank=True)
    source_filename = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RecipientListQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "name"], name="unique_recipient_list_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def rejected_count(self) -> int:
        return (
            self.empty_count
            + self.too_long_count
            + self.duplicate_count
            + self.invalid_count
        )


class Recipient(models.Model):
    """One row of a recipient list: valid, or kept with the reason it is not."""

    recipient_list = models.ForeignKey(
        RecipientList, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    email = models.CharField(max_length=320)
    # The row's template values as JSON text (at most 800 bytes when valid).
    data = models.TextField(blank=True, default="")
    valid = models.BooleanField(default=True)
    reason = models.CharField(max_length=200, blank=True)
    # The CSV line (or the position in an API call) the row came from.
    line = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["recipient_list", "valid", "id"])]

    def __str__(self) -> str:
        return self.email


class TaskType(models.IntegerChoices):
    IMMEDIATE = 1, "Immediate"
    SCHEDULED = 2, "Scheduled"
    RECURRING = 3, "Recurring"


class TaskStatus(models.IntegerChoices):
    """Tencent's TaskStatus codes."""

    PENDING = 1, "Pending"
    SENDING = 5, "Sending"
    PAUSED = 6, "Paused for today"
    ERROR = 7, "Error"
    COMPLETE = 10, "Complete"


class AdLocation(models.IntegerChoices):
    NONE = 0, "No ad label"
    SUBJECT_PREFIX = 1, "Before the subject"
    SUBJECT_SUFFIX = 2, "After the subject"


class BatchTaskQuerySet(AccountScopedQuerySet["BatchTask"]):
    pass


class BatchTask(models.Model):
    """A send to a whole recipient list: now, at a time, or every N hours.

    A run fans the list out in chunks: `cursor` is the last recipient row that
    became a message in the current run, advanced in the same transaction
    that creates the chunk's messages, so a crash never fans a row out twice.
    """

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="batch_tasks"
    )
    domain = models.ForeignKey(
        SenderDomain, on_delete=models.PROTECT, related_name="batch_tasks"
    )
    sender = models.ForeignKey(
        SenderAddress, on_delete=models.PROTECT, related_name="batch_tasks"
    )
    from_name = models.CharField(max_length=64)
    recipient_list = models.ForeignKey(
        RecipientList, on_delete=models.PROTECT, related_name="batch_tasks"
    )
    template = models.ForeignKey(
        "templates_app.EmailTemplate", on_delete=models.PROTECT, related_name="+"
    )
    template_version = models.ForeignKey(
        "templates_app.TemplateVersion", on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(max_length=998)
    # Values for every recipient; a list column of the same name wins.
    template_data = models.JSONField(default=dict, blank=True)
    unsubscribe_language = models.CharField(max_length=8, blank=True)
    reply_to = models.CharField(max_length=320, blank=True)
    ad_location = models.PositiveSmallIntegerField(
        choices=AdLocation.choices, default=AdLocation.NONE
    )
    task_type = models.PositiveSmallIntegerField(
        choices=TaskType.choices, default=TaskType.IMMEDIATE
    )
    begin_at = models.DateTimeField(default=timezone.now)
    interval_hours = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=16, default="console")

    status = models.PositiveSmallIntegerField(
        choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    # Paused by an operator (not by the daily limit): never resumed by itself.
    held = models.BooleanField(default=False)
    # A recurring task that was stopped runs no more after its current run.
    stopped_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    runs = models.PositiveIntegerField(default=0)
    cursor = models.BigIntegerField(default=0)
    # The current (or last) run: rows to send and rows handled so far.
    run_total = models.PositiveIntegerField(default=0)
    run_done = models.PositiveIntegerField(default=0)
    # Counts over all runs: recipients asked for, messages accepted for
    # delivery (or dropped as suppressed), and the rest of this run still
    # waiting for the daily limit.
    requested = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    cached = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BatchTaskQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_run_at"])]

    def __str__(self) -> str:
        return f"Task {self.pk} to {self.recipient_list}"

    @property
    def is_running(self) -> bool:
        return self.status in (TaskStatus.SENDING, TaskStatus.PAUSED)

    @property
    def progress_percent(self) -> int:
        """How far the current run is through its list."""
        if not self.run_total:
            return 100 if self.status == TaskStatus.COMPLETE else 0
        return min(100, 100 * self.run_done // self.run_total)


class WebhookEndpoint(models.Model):
    """An account's HTTPS endpoint that receives its message events."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    # EventKind values; empty means every kind.
    event_kinds = models.JSONField(default=list, blank=True)
    secret_encrypted = models.TextField(help_text="HMAC key, Fernet-encrypted.")
    enabled = models.BooleanField(default=True)
    # The last MessageEvent (by primary key) already turned into deliveries.
    cursor = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event on its way to one endpoint, with every attempt's answer."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        MessageEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField()
    status = models.CharField(max_length=16, default="pending")  # pending/done/failed
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.payload.get('event')} to {self.endpoint}"
