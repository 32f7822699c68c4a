"""Template changes and their review. Each runs in one transaction.

Workflow of a template's current version:
draft → (submit) → pending → (approve) approved | (reject) rejected.
A pending version can be withdrawn back to draft. Editing a draft changes it
in place; editing a rejected or approved template makes a new version, and an
edit of an approved template goes straight to review while the approved
version stays sendable.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.models import Account, Membership, Role, User
from templates_app.content_checks import Finding, check_content
from templates_app.errors import (
    CannotReviewOwnSubmission,
    ContainsBlockedContent,
    NotAllowed,
    RejectReasonMissing,
    TemplateContentIsNull,
    TemplateContentTooLarge,
    TemplateInUse,
    TemplateNameIllegal,
    TemplateNotExist,
    TemplateStatusError,
    VariableInStyle,
)
from templates_app.models import EmailTemplate, Kind, Status, TemplateVersion
from templates_app.sanitizing import sanitize_html
from templates_app.text_version import html_to_text
from templates_app.variables import check_syntax, find_variables

AUTHOR_ROLES = (Role.OWNER, Role.OPERATOR)
REASON_MAX_LENGTH = 2000


@dataclass(frozen=True)
class PreparedContent:
    """A template's content after sanitising, with what the checks found."""

    body_html: str
    body_text: str
    text_generated: bool
    variables: list[str]
    url_templates: list[str]
    removed: list[dict]
    findings: list[Finding]


def _require_role(account: Account, user: User, roles: tuple[str, ...]) -> None:
    member = Membership.objects.filter(account=account, user=user, role__in=roles)
    if not member.exists():
        names = " or ".join(Role(role).label.lower() for role in roles)
        raise NotAllowed(f"This needs the {names} role in {account.name}.")


def _require_reviewer(account: Account, user: User) -> None:
    """Reviewers of the account review; platform staff may review any account."""
    if user.is_staff and user.is_active:
        return
    _require_role(account, user, (Role.REVIEWER,))


def _clean_name(account: Account, name: str, *, exclude_pk: int | None) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 100:
        raise TemplateNameIllegal
    taken = EmailTemplate.objects.filter(account=account, name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise TemplateNameIllegal(f"A template named “{name}” already exists.")
    return name


def prepare_content(
    *, kind: str, body: str, text_alternative: str = ""
) -> PreparedContent:
    """Check, sanitise and analyse a template's content; raise what is wrong."""
    body = body.replace("\r\n", "\n")
    text_alternative = text_alternative.replace("\r\n", "\n").strip()
    if not body.strip():
        raise TemplateContentIsNull
    limit = settings.SES_TEMPLATE_MAX_BYTES
    size = len(body.encode()) + len(text_alternative.encode())
    if size > limit:
        raise TemplateContentTooLarge(
            f"The template is {size:,} bytes; the limit is {limit:,} bytes."
        )
    check_syntax(body, field="body")
    if kind == Kind.TEXT:
        return PreparedContent(
            body_html="",
            body_text=body.strip(),
            text_generated=False,
            variables=find_variables(body),
            url_templates=[],
            removed=[],
            findings=check_content(text=body),
        )
    check_syntax(text_alternative, field="text_alternative")
    sanitized = sanitize_html(body)
    if sanitized.style_variables:
        raise VariableInStyle
    if not sanitized.html.strip():
        raise TemplateContentIsNull(
            "Nothing is left of this HTML after removing what cannot be sent."
        )
    html_as_text = html_to_text(sanitized.html)
    text = text_alternative or html_as_text
    return PreparedContent(
        body_html=sanitized.html,
        body_text=text,
        text_generated=not text_alternative,
        variables=find_variables(sanitized.html, text),
        url_templates=sanitized.url_templates,
        removed=[{"what": r.what, "count": r.count} for r in sanitized.removed],
        findings=check_content(
            text=text_alternative, html=sanitized.html, html_as_text=html_as_text
        ),
    )


def _fill(version: TemplateVersion, content: PreparedContent, filename: str) -> None:
    version.body_html = content.body_html
    version.body_text = content.body_text
    version.text_generated = content.text_generated
    version.variables = content.variables
    version.url_templates = content.url_templates
    version.removed = content.removed
    version.findings = [finding.as_dict() for finding in content.findings]
    version.source_filename = filename


@transaction.atomic
def create_template(
    *,
    account: Account,
    author: User,
    name: str,
    kind: str,
    summary: str = "",
    body: str,
    text_alternative: str = "",
    source_filename: str = "",
    submit: bool = False,
) -> EmailTemplate:
    """Create a template with its first version, a draft unless `submit`."""
    _require_role(account, author, AUTHOR_ROLES)
    name = _clean_name(account, name, exclude_pk=None)
    content = prepare_content(kind=kind, body=body, text_alternative=text_alternative)
    try:
        with transaction.atomic():
            template = EmailTemplate.objects.create(
                account=account,
                name=name,
                kind=kind,
                summary=summary.strip(),
                created_by=author,
            )
    except IntegrityError:  # a concurrent create took the name
        raise TemplateNameIllegal(
            f"A template named “{name}” already exists."
        ) from None
    version = TemplateVersion(
        account=account, template=template, number=1, created_by=author
    )
    _fill(version, content, source_filename)
    version.save()
    template.current_version = version
    template.save(update_fields=["current_version", "updated_at"])
    if submit:
        submit_template(template=template, author=author)
        template = EmailTemplate.objects.with_versions().get(pk=template.pk)
    return template


@transaction.atomic
def update_template(
    *,
    template: EmailTemplate,
    author: User,
    name: str,
    kind: str,
    summary: str = "",
    body: str,
    text_alternative: str = "",
    source_filename: str = "",
    submit: bool = False,
) -> TemplateVersion:
    """Save new content: a draft in place, otherwise as a new version.

    An edit of an approved template is submitted at once; the approved
    version stays sendable until the new one is approved.
    """
    template = EmailTemplate.objects.select_for_update().get(pk=template.pk)
    _require_role(template.account, author, AUTHOR_ROLES)
    current = template.current_version
    if current is not None and current.status == Status.PENDING:
        raise TemplateStatusError(
            f"Version {current.number} is waiting for review. Withdraw it from "
            "review to make changes."
        )
    template.name = _clean_name(template.account, name, exclude_pk=template.pk)
    content = prepare_content(kind=kind, body=body, text_alternative=text_alternative)
    if current is not None and current.status == Status.DRAFT:
        version = current
    else:
        number = (current.number if current else 0) + 1
        version = TemplateVersion(
            account=template.account, template=template, number=number
        )
        submit = submit or (current is not None and current.status == Status.APPROVED)
    version.created_by = author
    _fill(version, content, source_filename)
    version.save()
    template.kind = kind
    template.summary = summary.strip()
    template.current_version = version
    template.status = Status.DRAFT
    template.save()
    if submit:
        submit_template(template=template, author=author)
        version.refresh_from_db()
    return version


@transaction.atomic
def submit_template(*, template: EmailTemplate, author: User) -> TemplateVersion:
    """Send the template's draft to review; blocking findings refuse it."""
    template = EmailTemplate.objects.select_for_update().get(pk=template.pk)
    _require_role(template.account, author, AUTHOR_ROLES)
    version = template.current_version
    if version is None or version.status != Status.DRAFT:
        raise TemplateStatusError("Only a draft can be submitted for review.")
    # Run the checks again: the word lists may have changed since the save.
    findings = check_content(
        text="" if version.text_generated else version.body_text,
        html=version.body_html,
        html_as_text=version.body_text if version.text_generated else None,
    )
    if blocking := [finding for finding in findings if finding.blocking]:
        raise ContainsBlockedContent(
            "This template cannot be submitted: "
            + "; ".join(finding.label for finding in blocking)
            + ". Remove it and save again."
        )
    version.findings = [finding.as_dict() for finding in findings]
    version.status = Status.PENDING
    version.submitted_by = author
    version.submitted_at = timezone.now()
    version.save()
    template.status = Status.PENDING
    template.save(update_fields=["status", "updated_at"])
    return version


@transaction.atomic
def withdraw_template(*, template: EmailTemplate, author: User) -> TemplateVersion:
    """Take the pending version back from review, as a draft."""
    template = EmailTemplate.objects.select_for_update().get(pk=template.pk)
    _require_role(template.account, author, AUTHOR_ROLES)
    version = template.current_version
    if version is None or version.status != Status.PENDING:
        raise TemplateStatusError("Only a version waiting for review can be withdrawn.")
    version.status = Status.DRAFT
    version.submitted_by = None
    version.submitted_at = None
    version.save()
    template.status = Status.DRAFT
    template.save(update_fields=["status", "updated_at"])
    return version


def _lock_pending(version: TemplateVersion, reviewer: User) -> TemplateVersion:
    version = (
        TemplateVersion.objects.select_for_update()
        .select_related("template", "account")
        .get(pk=version.pk)
    )
    _require_reviewer(version.account, reviewer)
    if version.status != Status.PENDING:
        raise TemplateStatusError(
            f"Version {version.number} of “{version.template.name}” is not waiting "
            f"for review (it is {version.get_status_display().lower()})."
        )
    if version.submitted_by_id == reviewer.pk:
        raise CannotReviewOwnSubmission
    return version


@transaction.atomic
def approve_version(*, version: TemplateVersion, reviewer: User) -> TemplateVersion:
    """Approve a pending version: it becomes the template's sendable version."""
    version = _lock_pending(version, reviewer)
    version.status = Status.APPROVED
    version.reviewed_by = reviewer
    version.reviewed_at = timezone.now()
    version.reason = ""
    version.save()
    template = EmailTemplate.objects.select_for_update().get(pk=version.template_id)
    template.approved_version = version
    template.status = Status.APPROVED
    template.save(update_fields=["approved_version", "status", "updated_at"])
    return version


@transaction.atomic
def reject_version(
    *, version: TemplateVersion, reviewer: User, reason: str
) -> TemplateVersion:
    """Reject a pending version with a reason; an approved one stays sendable."""
    reason = reason.strip()
    if not reason:
        raise RejectReasonMissing
    if len(reason) > REASON_MAX_LENGTH:
        raise RejectReasonMissing(
            f"Keep the reason under {REASON_MAX_LENGTH} characters."
        )
    version = _lock_pending(version, reviewer)
    version.status = Status.REJECTED
    version.reviewed_by = reviewer
    version.reviewed_at = timezone.now()
    version.reason = reason
    version.save()
    template = EmailTemplate.objects.select_for_update().get(pk=version.template_id)
    template.status = Status.REJECTED
    template.save(update_fields=["status", "updated_at"])
    return version


@transaction.atomic
def delete_template(*, template: EmailTemplate, author: User) -> None:
    """Delete a template with all its versions, whatever their status.

    Messages keep the version they were rendered from (PROTECT), so a
    template that any kept message used is refused rather than half-deleted.
    """
    locked = EmailTemplate.objects.select_for_update().filter(pk=template.pk).first()
    if locked is None:  # a concurrent delete got there first
        raise TemplateNotExist(f"Template {template.pk} does not exist.")
    _require_role(locked.account, author, AUTHOR_ROLES)
    try:
        locked.delete()
    except ProtectedError:
        raise TemplateInUse(
            f"Messages were sent with “{locked.name}”, so it cannot be deleted "
            "while they are kept."
        ) from None
