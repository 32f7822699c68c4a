"""Email templates and their versions, from draft through review.

For the sending app:

- `EmailTemplate.objects.for_account(account).sendable()` — templates with an
  approved version; only those may be sent.
- `template.approved_version` — the `TemplateVersion` that is sent, or None.
  It stays in place while a newer version waits for review.
- `version.variables` — the variable names (a list of str) a send must give
  values for; render with `templates_app.variables.render_version`.

Every version is kept: a draft is edited in place until it is submitted;
after that, an edit makes a new version.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.access import AccountScopedQuerySet
from accounts.models import Account
from templates_app.content_checks import Finding
from templates_app.sanitizing import Removal

# Review normally takes up to one business day (Monday to Friday).
REVIEW_TARGET = timedelta(days=1)


class Kind(models.TextChoices):
    HTML = "html", "HTML"
    TEXT = "text", "Plain text"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING = "pending", "Pending review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


def business_time_between(start: datetime, end: datetime) -> timedelta:
    """Time from `start` to `end`, leaving out Saturdays and Sundays (UTC)."""
    total = timedelta()
    cursor = start
    while cursor < end:
        next_midnight = datetime.combine(
            cursor.date() + timedelta(days=1), datetime.min.time(), cursor.tzinfo
        )
        stop = min(end, next_midnight)
        if cursor.weekday() < 5:
            total += stop - cursor
        cursor = stop
    return total


class EmailTemplateQuerySet(AccountScopedQuerySet["EmailTemplate"]):
    def sendable(self) -> "EmailTemplateQuerySet":
        """Templates with an approved version, which is what gets sent."""
        return self.filter(approved_version__isnull=False)

    def search(self, text: str) -> "EmailTemplateQuerySet":
        text = text.strip()
        if not text:
            return self
        return self.filter(
            models.Q(name__icontains=text) | models.Q(summary__icontains=text)
        )

    def with_versions(self) -> "EmailTemplateQuerySet":
        return self.select_related(
            "current_version", "approved_version", "current_version__submitted_by"
        )


class EmailTemplate(models.Model):
    """A named template of an account; its content lives in its versions."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="email_templates"
    )
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.HTML)
    summary = models.CharField(max_length=255, blank=True)
    # The status of the current version: what the author is working on.
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    current_version = models.ForeignKey(
        "TemplateVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_version = models.ForeignKey(
        "TemplateVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The version that is sent. Only templates with one can be sent.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EmailTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "name"], name="unique_template_name_per_account"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values),
                name="email_template_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=Kind.values),
                name="email_template_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["account", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_sendable(self) -> bool:
        return self.approved_version_id is not None

    @property
    def has_newer_version_than_approved(self) -> bool:
        return self.is_sendable and self.approved_version_id != self.current_version_id


class TemplateVersionQuerySet(AccountScopedQuerySet["TemplateVersion"]):
    def pending_review(self) -> "TemplateVersionQuerySet":
        """Versions waiting for a reviewer, longest-waiting first."""
        return (
            self.filter(status=Status.PENDING)
            .select_related("template", "submitted_by")
            .order_by("submitted_at", "pk")
        )


class TemplateVersion(models.Model):
    """One version of a template's content, and what happened to it."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="template_versions"
    )
    template = models.ForeignKey(
        EmailTemplate, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    body_html = models.TextField(
        blank=True, help_text="Sanitised HTML; empty for a plain-text template."
    )
    body_text = models.TextField(blank=True)
    text_generated = models.BooleanField(
        default=False, help_text="The plain text was written from the HTML."
    )
    source_filename = models.CharField(max_length=255, blank=True)
    variables = models.JSONField(default=list, blank=True)
    url_templates = models.JSONField(
        default=list,
        blank=True,
        help_text="Link URLs holding variables, checked again at each render.",
    )
    removed = models.JSONField(
        default=list, blank=True, help_text="What the sanitiser removed."
    )
    findings = models.JSONField(
        default=list, blank=True, help_text="Content check findings."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was rejected.")

    objects = TemplateVersionQuerySet.as_manager()

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="unique_template_version_number"
            ),
            models.UniqueConstraint(
                fields=["template"],
                condition=models.Q(status="pending"),
                name="one_pending_version_per_template",
            ),
            models.UniqueConstraint(
                fields=["template"],
                condition=models.Q(status="draft"),
                name="one_draft_version_per_template",
            ),
            # Nobody reviews their own submission, not even by accident.
            models.CheckConstraint(
                condition=models.Q(reviewed_by__isnull=True)
                | models.Q(submitted_by__isnull=True)
                | ~models.Q(reviewed_by=models.F("submitted_by")),
                name="reviewer_is_not_submitter",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values),
                name="template_version_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["account", "status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.template.name} v{self.number}"

    @property
    def finding_list(self) -> list[Finding]:
        return [Finding.from_dict(item) for item in self.findings]

    @property
    def blocking_findings(self) -> list[Finding]:
        return [finding for finding in self.finding_list if finding.blocking]

    @property
    def removed_list(self) -> list[Removal]:
        return [Removal(**item) for item in self.removed]

    @property
    def size_bytes(self) -> int:
        return len(self.body_html.encode()) + len(self.body_text.encode())

    @property
    def waiting(self) -> timedelta | None:
        """How long a pending version has waited, in business time."""
        if self.status != Status.PENDING or self.submitted_at is None:
            return None
        return business_time_between(self.submitted_at, timezone.now())

    @property
    def is_overdue(self) -> bool:
        waiting = self.waiting
        return waiting is not None and waiting > REVIEW_TARGET
