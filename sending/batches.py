"""Batch tasks: a template sent to a whole recipient list, in chunks.

A run walks the list in primary-key order. Each step (`fan_out`) locks the
task row (FOR UPDATE SKIP LOCKED, so a second worker simply moves on), takes
the next CHUNK valid rows after the task's cursor, reserves what the daily
limit allows of them, creates their messages and moves the cursor — all in
one transaction. A worker killed mid-step leaves nothing behind; the next
step starts from the same cursor. Messages then go through the same delivery
path as single sends.

At most WINDOW messages of a task wait in the delivery queue at a time, so a
million-recipient batch neither floods the broker nor holds up other mail.

When the daily limit runs out the task is paused (Tencent's status 6) with
the rest counted as cached; `run_due_tasks` (beat) resumes it as soon as the
domain has room again — the next day, or earlier after a reputation raise.
"""

import json
import logging
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Account, User
from domains.models import UnsubscribeLanguage
from domains.services import current_domain
from sending import quota, services
from sending.errors import (
    BeginTimeInPast,
    CycleParamMissing,
    InvalidSubject,
    InvalidTaskOption,
    ListNotReady,
    NoSuchList,
    TaskNotChangeable,
    TemporaryBlocked,
    TimedParamMissing,
)
from sending.events import counted
from sending.models import (
    AdLocation,
    BatchTask,
    EventKind,
    ListStatus,
    Message,
    MessageStatus,
    Recipient,
    RecipientList,
    TaskStatus,
    TaskType,
)
from sending.suppression import suppressed
from sesconsole.errors import ServiceError
from stats.counters import NewEvent, record_events
from templates_app.errors import MissingVariables, TemplateError
from templates_app.variables import (
    check_link_values,
    find_variables,
    render_subject,
)

log = logging.getLogger(__name__)

AD_LABEL = "[AD]"
SUBJECT_MAX = 998
UNFINISHED = (TaskStatus.PENDING, TaskStatus.SENDING, TaskStatus.PAUSED)


class Step(StrEnum):
    """What one fan-out step found."""

    MORE = "more"  # a chunk was created; more rows follow
    WAIT = "wait"  # the delivery window is full; try again shortly
    PAUSED = "paused"  # the daily limit ran out
    DONE = "done"  # the run reached the end of the list
    IDLE = "idle"  # nothing to do: not sending, or another worker has it


def create_task(
    *,
    account: Account,
    from_email: str,
    recipient_list: RecipientList,
    template_id: int,
    subject: str,
    template_data: Mapping[str, object] | None = None,
    unsubscribe_language: str = "",
    reply_to: str = "",
    ad_location: int = AdLocation.NONE,
    task_type: int = TaskType.IMMEDIATE,
    begin_at: datetime | None = None,
    interval_hours: int | None = None,
    created_by: User | None = None,
    source: str = "console",
) -> BatchTask:
    """Check everything a run will need, then store the task (and start it)."""
    if recipient_list.account_id != account.pk:
        raise NoSuchList
    if task_type not in TaskType.values:
        raise InvalidTaskOption(f"Task type {task_type} does not exist: use 1, 2 or 3.")
    if ad_location not in AdLocation.values:
        raise InvalidTaskOption(
            f"Ad label {ad_location} does not exist: use 0, 1 or 2."
        )
    if unsubscribe_language not in UnsubscribeLanguage.values:
        raise InvalidTaskOption(f"No unsubscribe language “{unsubscribe_language}”.")
    if task_type == TaskType.SCHEDULED and begin_at is None:
        raise TimedParamMissing
    if task_type == TaskType.RECURRING and begin_at is None:
        raise CycleParamMissing
    if not subject.strip():
        raise InvalidSubject("Enter a subject.")
    if len(subject) > SUBJECT_MAX:
        raise InvalidSubject(f"The subject is over {SUBJECT_MAX} characters.")
    if reply_to:
        services.clean_recipients([reply_to], limit=1)
    sender = services.find_sender(account, from_email)
    quota.require_sending_domain(current_domain(sender.domain_id))
    version = services.approved_version(account, template_id)
    if recipient_list.status != ListStatus.COMPLETE or not recipient_list.valid_count:
        raise ListNotReady(
            f"“{recipient_list.name}” has no valid recipients yet: upload them first."
        )
    values = {name: str(value) for name, value in (template_data or {}).items()}
    covered = set(recipient_list.columns) | set(values)
    needed = [*version.variables, *find_variables(subject)]
    if missing := [name for name in dict.fromkeys(needed) if name not in covered]:
        raise MissingVariables(missing)
    sample = dict.fromkeys(covered, "x") | values
    render_subject(subject, sample)  # syntax and line breaks
    now = timezone.now()
    begin_at = begin_at or now
    if task_type != TaskType.IMMEDIATE and begin_at <= now:
        raise BeginTimeInPast(
            f"The begin time {begin_at:%Y-%m-%d %H:%M} is not in the future."
        )
    if task_type == TaskType.RECURRING and not (interval_hours and interval_hours > 0):
        raise CycleParamMissing("A recurring task needs an interval of 1 hour or more.")
    task = BatchTask.objects.create(
        account=account,
        domain=sender.domain,
        sender=sender,
        from_name=sender.sender_name,
        recipient_list=recipient_list,
        template_id=template_id,
        template_version=version,
        subject=subject,
        template_data=values,
        unsubscribe_language=unsubscribe_language,
        reply_to=reply_to,
        ad_location=ad_location,
        task_type=task_type,
        begin_at=begin_at,
        next_run_at=begin_at if task_type != TaskType.IMMEDIATE else now,
        interval_hours=interval_hours if task_type == TaskType.RECURRING else None,
        created_by=created_by,
        source=source,
    )
    if task_type == TaskType.IMMEDIATE:
        transaction.on_commit(lambda: _kick(task.pk))
    return task


def _kick(task_id: int) -> None:
    from sending.tasks import run_batch

    run_batch.delay(task_id)


def start_run(task_id: int, now: datetime | None = None) -> bool:
    """Begin the task's next run if it is due; False if not (or already begun)."""
    now = now or timezone.now()
    task = BatchTask.objects.filter(pk=task_id).select_related("recipient_list").first()
    if task is None:
        return False
    total = task.recipient_list.valid_count
    return bool(
        BatchTask.objects.filter(
            pk=task_id,
            status=TaskStatus.PENDING,
            next_run_at__lte=now,
            stopped_at__isnull=True,
        ).update(
            status=TaskStatus.SENDING,
            cursor=0,
            run_total=total,
            run_done=0,
            cached=0,
            runs=F("runs") + 1,
            requested=F("requested") + total,
            error="",
            updated_at=now,
        )
    )


def fan_out(task_id: int) -> Step:
    """Turn the next chunk of the current run into queued messages."""
    with transaction.atomic():
        task = (
            BatchTask.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("domain", "sender", "template_version")
            .filter(pk=task_id, status=TaskStatus.SENDING)
            .first()
        )
        if task is None:
            return Step.IDLE
        try:
            quota.require_sending_domain(task.domain)
        except TemporaryBlocked as error:
            _end_run_blocked(task, error.message)
            return Step.IDLE
        except ServiceError as error:
            # Not verified any more (DNS broke): wait for the operator.
            BatchTask.objects.filter(pk=task.pk).update(
                status=TaskStatus.PAUSED,
                held=True,
                cached=F("run_total") - F("run_done"),
                error=error.message[:500],
                updated_at=timezone.now(),
            )
            return Step.IDLE
        waiting = Message.objects.filter(batch=task, status=MessageStatus.QUEUED)
        if waiting.count() >= settings.SES_BATCH_WINDOW:
            # Still moving: the beat re-kicks only tasks nobody touched.
            BatchTask.objects.filter(pk=task.pk).update(updated_at=timezone.now())
            return Step.WAIT
        rows = list(
            Recipient.objects.filter(
                recipient_list_id=task.recipient_list_id, valid=True, pk__gt=task.cursor
            )
            .order_by("pk")
            .values_list("pk", "email", "data")[: settings.SES_BATCH_CHUNK]
        )
        if not rows:
            _finish_run(task)
            return Step.DONE
        return _create_chunk(task, rows)


def _create_chunk(task: BatchTask, rows: list[tuple[int, str, str]]) -> Step:
    blocked = suppressed(
        account=task.account, sender=task.sender, addresses=[r[1] for r in rows]
    )
    deliverable = sum(1 for _, email, _ in rows if email.lower() not in blocked)
    granted = quota.reserve_up_to(task.domain, deliverable)
    taken: list[tuple[str, dict]] = []
    failed: list[tuple[str, dict]] = []
    failed_reserved = 0
    last_pk = task.cursor
    for pk, email, data in rows:
        is_dropped = email.lower() in blocked
        if not is_dropped and granted == 0:
            break
        values = {**task.template_data, **(json.loads(data) if data else {})}
        content = {"variables": values, "subject": ""}
        try:
            content["subject"] = _subject(task, values)
            check_link_values(task.template_version.url_templates, values)
        except TemplateError as error:
            content["status_reason"] = error.message[:500]
            failed.append((email, content))
            failed_reserved += not is_dropped
        else:
            taken.append((email, content))
        if not is_dropped:
            granted -= 1
        last_pk = pk
    handled = len(taken) + len(failed)
    request_id = uuid.uuid4().hex
    common = {
        "batch": task,
        "template_version": task.template_version,
        "unsubscribe_language": task.unsubscribe_language,
        "reply_to": task.reply_to,
        "source": "batch",
    }
    services.create_messages(
        account=task.account,
        sender=task.sender,
        request_id=request_id,
        recipients=taken,
        suppressed=blocked,
        from_name=task.from_name,
        **common,
    )
    if failed:
        # Reserved but never sendable: give those back.
        quota.release(task.domain, failed_reserved, day=quota.sending_day())
        _create_failed(task, request_id, failed, common)
    done = task.run_done + handled
    paused = done < task.run_total and handled < len(rows)
    BatchTask.objects.filter(pk=task.pk).update(
        cursor=last_pk,
        run_done=done,
        sent=F("sent") + handled,
        status=TaskStatus.PAUSED if paused else TaskStatus.SENDING,
        cached=task.run_total - done if paused else 0,
        updated_at=timezone.now(),
    )
    return Step.PAUSED if paused else Step.MORE


def _subject(task: BatchTask, values: Mapping[str, object]) -> str:
    subject = render_subject(task.subject, values)
    if task.ad_location == AdLocation.SUBJECT_PREFIX:
        return f"{AD_LABEL} {subject}"
    if task.ad_location == AdLocation.SUBJECT_SUFFIX:
        return f"{subject} {AD_LABEL}"
    return subject


def _create_failed(
    task: BatchTask, request_id: str, failed: list[tuple[str, dict]], common: dict
) -> None:
    now = timezone.now()
    messages = Message.objects.bulk_create(
        Message(
            account=task.account,
            domain=task.domain,
            sender=task.sender,
            request_id=request_id,
            from_name=task.from_name,
            from_email=task.sender.email,
            recipient=email,
            status=MessageStatus.FAILED,
            finished_at=now,
            created_at=now,
            **common,
            **content,
        )
        for email, content in failed
    )
    record_events(
        NewEvent(m, EventKind.FAILED, at=now, detail=m.status_reason) for m in messages
    )


def _finish_run(task: BatchTask) -> None:
    now = timezone.now()
    if task.task_type == TaskType.RECURRING and task.stopped_at is None:
        interval = timedelta(hours=task.interval_hours or 1)
        next_run = (task.next_run_at or now) + interval
        while next_run <= now:
            next_run += interval
        status, fields = TaskStatus.PENDING, {"next_run_at": next_run}
    else:
        status, fields = TaskStatus.COMPLETE, {"next_run_at": None}
    BatchTask.objects.filter(pk=task.pk).update(
        status=status, cached=0, updated_at=now, **fields
    )


def _end_run_blocked(task: BatchTask, message: str, *, fail: bool = True) -> None:
    """A block for the day ends the current run. A recurring task keeps its
    next runs; any other task ends with the error."""
    if task.task_type == TaskType.RECURRING and task.stopped_at is None:
        _finish_run(task)
        BatchTask.objects.filter(pk=task.pk).update(error=message[:500])
        if fail:
            fail_unsent(task, message)
    else:
        _end_with_error(task, message, fail=fail)


def _end_with_error(task: BatchTask, message: str, *, fail: bool = True) -> None:
    """Stop the task for good and, unless the caller fails them itself, fail
    what it has not handed over yet."""
    BatchTask.objects.filter(pk=task.pk).update(
        status=TaskStatus.ERROR,
        error=message[:500],
        cached=0,
        held=False,
        next_run_at=None,
        updated_at=timezone.now(),
    )
    if fail:
        fail_unsent(task, message)


def fail_unsent(task: BatchTask, reason: str) -> int:
    """Fail the task's messages still waiting for delivery; give back today's
    reservations for them."""
    now = timezone.now()
    today_start = quota.start_of_sending_day(now)
    with transaction.atomic():
        # Locked, so a delivery worker cannot claim them between this read
        # and the UPDATE (its claim waits, then finds them failed).
        waiting = list(
            Message.objects.select_for_update()
            .filter(
                batch=task, status__in=(MessageStatus.QUEUED, MessageStatus.DEFERRED)
            )
            .values_list("pk", "created_at")
        )
        if not waiting:
            return 0
        ids = [pk for pk, _ in waiting]
        reserved_today = sum(1 for _, created in waiting if created >= today_start)
        Message.objects.filter(pk__in=ids).update(
            status=MessageStatus.FAILED,
            status_reason=reason[:500],
            finished_at=now,
        )
        record_events(
            NewEvent(message, EventKind.FAILED, at=now, detail=reason)
            for message in counted(ids)
        )
        quota.release(task.domain, reserved_today, day=quota.sending_day(now))
    return len(ids)


def fail_for_blocked_domain(domain_id: int) -> int:
    """A block for the day: end the domain's running batches, failing every
    message of its batches still waiting for delivery."""
    reason = "The sender domain is blocked for the rest of the day."
    failed = 0
    running = BatchTask.objects.filter(
        domain_id=domain_id, status__in=(TaskStatus.SENDING, TaskStatus.PAUSED)
    )
    for task in running:
        _end_run_blocked(task, reason, fail=False)
    waiting = (
        Message.objects.filter(
            domain_id=domain_id,
            batch__isnull=False,
            status__in=(MessageStatus.QUEUED, MessageStatus.DEFERRED),
        )
        .values_list("batch_id", flat=True)
        .distinct()
    )
    for task in BatchTask.objects.filter(pk__in=list(waiting)):
        failed += fail_unsent(task, reason)
    return failed


# --- Operator actions -------------------------------------------------------


def pause(task: BatchTask) -> None:
    """Hold a running task where it is; it waits for `resume`."""
    held = BatchTask.objects.filter(
        pk=task.pk, status__in=(TaskStatus.SENDING, TaskStatus.PAUSED)
    ).update(
        status=TaskStatus.PAUSED,
        held=True,
        cached=F("run_total") - F("run_done"),
        updated_at=timezone.now(),
    )
    if not held:
        raise TaskNotChangeable("Only a sending task can be paused.")


def resume(task: BatchTask) -> None:
    resumed = BatchTask.objects.filter(pk=task.pk, status=TaskStatus.PAUSED).update(
        status=TaskStatus.SENDING,
        held=False,
        cached=0,
        error="",
        updated_at=timezone.now(),
    )
    if not resumed:
        raise TaskNotChangeable("Only a paused task can be resumed.")
    transaction.on_commit(lambda: _kick(task.pk))


def cancel(task: BatchTask, *, by: str) -> int:
    """End the task now; its messages not yet handed over are failed."""
    reason = f"Cancelled by {by}."
    with transaction.atomic():
        cancelled = BatchTask.objects.filter(pk=task.pk, status__in=UNFINISHED).update(
            status=TaskStatus.ERROR,
            error=reason,
            cached=0,
            held=False,
            next_run_at=None,
            updated_at=timezone.now(),
        )
        if not cancelled:
            raise TaskNotChangeable("The task has already ended.")
        return fail_unsent(task, reason)


def stop_recurring(task: BatchTask) -> None:
    """No more runs of a recurring task; a run under way finishes."""
    if task.task_type != TaskType.RECURRING:
        raise TaskNotChangeable("Only a recurring task can be stopped.")
    now = timezone.now()
    BatchTask.objects.filter(pk=task.pk, stopped_at__isnull=True).update(
        stopped_at=now, updated_at=now
    )
    BatchTask.objects.filter(pk=task.pk, status=TaskStatus.PENDING).update(
        status=TaskStatus.COMPLETE, next_run_at=None
    )


# --- Beat -------------------------------------------------------------------


def due_task_ids(now: datetime | None = None) -> list[int]:
    """Tasks a worker should move now: runs that are due, paused tasks the
    limit lets go on, and sending tasks nobody moved for a while (a lost
    Celery message or a killed worker)."""
    now = now or timezone.now()
    starting = BatchTask.objects.filter(
        status=TaskStatus.PENDING, next_run_at__lte=now, stopped_at__isnull=True
    )
    stale = now - timedelta(seconds=settings.SES_BATCH_STALE_SECONDS)
    sending = BatchTask.objects.filter(status=TaskStatus.SENDING, updated_at__lt=stale)
    ids = set(starting.values_list("pk", flat=True)[:1000])
    ids |= set(sending.values_list("pk", flat=True)[:1000])
    day = quota.sending_day(now)
    for task in BatchTask.objects.filter(
        status=TaskStatus.PAUSED, held=False
    ).select_related("domain")[:1000]:
        if quota.remaining(task.domain, day=day) > 0 and not task.domain.is_blocked():
            resumed = BatchTask.objects.filter(
                pk=task.pk, status=TaskStatus.PAUSED, held=False
            ).update(status=TaskStatus.SENDING, cached=0, updated_at=now)
            if resumed:
                ids.add(task.pk)
    return sorted(ids)
