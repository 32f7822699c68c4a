"""Console pages of batch sending: recipient lists, batch tasks, the queue."""

import csv
import json
from collections.abc import Iterator, Mapping
from functools import cached_property

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from accounts.access import console_view, get_for_account_or_404
from accounts.models import Account, Role
from domains.models import SenderDomain, UnsubscribeLanguage
from sending import batches, recipients
from sending.batch_forms import BatchTaskForm, RecipientListForm, RecipientUploadForm
from sending.errors import (
    BeginTimeInPast,
    CycleParamMissing,
    DomainNotVerified,
    InvalidSubject,
    ListNotReady,
    NoSuchSender,
    TemplateNotExist,
    TemplateStatusError,
    TemporaryBlocked,
    TimedParamMissing,
)
from sending.models import (
    BatchTask,
    ListStatus,
    Message,
    MessageStatus,
    Recipient,
    RecipientList,
    TaskStatus,
    TaskType,
)
from sesconsole.errors import ServiceError
from templates_app.models import EmailTemplate
from templates_app.variables import find_variables

SENDERS = (Role.OWNER, Role.OPERATOR)
PER_PAGE = 50
PREVIEW_ROWS = 25
RECENT_MESSAGES = 20
ACTIVE_TASKS = 20
# How often a page asks again while something moves: a sending task or an
# import every 2 seconds, a task waiting for its time or the daily limit
# every 30, the queue every 5.
POLL_FAST = "2s"
POLL_SLOW = "30s"
POLL_QUEUE = "5s"


def _error_text(error: ServiceError) -> str:
    return f"{error.message} ({error.code})"


# --- Recipient lists ---------------------------------------------------------


def _list_or_404(request: HttpRequest, list_id: int) -> RecipientList:
    return get_for_account_or_404(
        RecipientList.objects.all(), request.account, pk=list_id
    )


@console_view()
def recipient_lists(request: HttpRequest) -> HttpResponse:
    lists = RecipientList.objects.for_account(request.account).order_by(
        "-created_at", "-pk"
    )
    return render(
        request,
        "sending/batch/lists.html",
        {
            "page": Paginator(lists, PER_PAGE).get_page(request.GET.get("page")),
            "can_edit": request.account_context.has_role(*SENDERS),
        },
    )


@console_view(*SENDERS)
def recipient_list_create(request: HttpRequest) -> HttpResponse:
    form = RecipientListForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            created = recipients.create_list(
                account=request.account,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ServiceError as error:
            form.add_error("name", _error_text(error))
        else:
            messages.success(
                request, f"“{created.name}” was created. Upload its recipients now."
            )
            return redirect("sending:recipient_list", list_id=created.pk)
    return render(
        request,
        "sending/batch/list_create.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


class _CountedPaginator(Paginator):
    """Pages of a list whose row count is kept on the list: no COUNT(*)."""

    def __init__(self, object_list: QuerySet, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _summary_context(recipient_list: RecipientList) -> dict[str, object]:
    running = recipients.import_running(recipient_list)
    return {
        "recipient_list": recipient_list,
        "importing": running,
        "import_started": recipient_list.status == ListStatus.UPLOADING,
        "import_percent": recipients.import_progress(recipient_list.pk)
        if running
        else 0,
        "poll": POLL_FAST if running else "",
    }


def _preview(request: HttpRequest, recipient_list: RecipientList) -> object:
    rows = (
        Recipient.objects.filter(recipient_list=recipient_list)
        .order_by("pk")
        .values_list("line", "email", "valid", "reason", "data")
    )
    page = _CountedPaginator(
        rows, PREVIEW_ROWS, count=recipient_list.total_rows
    ).get_page(request.GET.get("page"))
    columns = recipient_list.columns
    page.rows = [
        {
            "line": line,
            "email": email,
            "valid": valid,
            "reason": reason,
            "values": _values(data, columns),
        }
        for line, email, valid, reason, data in page.object_list
    ]
    return page


def _values(data: str, columns: list[str]) -> list[str]:
    values = json.loads(data) if data else {}
    return [values.get(name, "") for name in columns]


def _list_page(
    request: HttpRequest,
    recipient_list: RecipientList,
    form: RecipientUploadForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "sending/batch/list_detail.html",
        {
            **_summary_context(recipient_list),
            "form": form,
            "preview": _preview(request, recipient_list),
            "can_edit": request.account_context.has_role(*SENDERS),
        },
        status=status,
    )


@console_view()
def recipient_list_detail(request: HttpRequest, list_id: int) -> HttpResponse:
    recipient_list = _list_or_404(request, list_id)
    if request.htmx and request.htmx.target == "list-summary":
        if not recipients.import_running(recipient_list):
            # Done: the counts, columns and preview all changed.
            return HttpResponseClientRefresh()
        return render(
            request,
            "sending/batch/list_detail.html#list-summary",
            _summary_context(recipient_list),
        )
    return _list_page(request, recipient_list, RecipientUploadForm())


@require_POST
@console_view(*SENDERS)
def recipient_list_upload(request: HttpRequest, list_id: int) -> HttpResponse:
    recipient_list = _list_or_404(request, list_id)
    form = RecipientUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if recipients.import_running(recipient_list):
            form.add_error(
                "file",
                "A file is still being imported into this list; upload the next "
                "one when it has finished.",
            )
        elif upload.size > settings.SES_IMPORT_INLINE_BYTES:
            recipients.queue_import(recipient_list, upload)
            messages.success(
                request,
                f"{upload.name} ({filesizeformat(upload.size)}) is being imported. "
                "The counts appear here when it is done.",
            )
            return redirect("sending:recipient_list", list_id=recipient_list.pk)
        else:
            try:
                upload.seek(0)
                counts = recipients.import_csv(
                    recipient_list, upload.file, filename=upload.name
                )
            except ServiceError as error:
                form.add_error("file", error.message)
            else:
                rejected = counts.total_rows - counts.valid_count
                messages.success(
                    request,
                    f"Imported {upload.name}: {counts.valid_count} valid "
                    f"recipient(s) of {counts.total_rows} row(s)"
                    + (f", {rejected} rejected" if rejected else "")
                    + ".",
                )
                return redirect("sending:recipient_list", list_id=recipient_list.pk)
    recipient_list.refresh_from_db()
    return _list_page(request, recipient_list, form, status=400)


class _Echo:
    """A file that hands back what is written: csv.writer for streaming."""

    def write(self, value: str) -> str:
        return value


def _cell(value: str) -> str:
    # A rejected "address" can be anything, like =HYPERLINK(...): keep
    # spreadsheets from running it as a formula.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@console_view()
def recipient_list_invalid_rows(request: HttpRequest, list_id: int) -> HttpResponse:
    recipient_list = _list_or_404(request, list_id)
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        # The byte-order mark makes spreadsheets read the file as UTF-8.
        yield "\ufeff" + writer.writerow(["line", "email", "reason"])
        for line, email, reason in recipients.invalid_rows(recipient_list):
            yield writer.writerow([line, _cell(email), reason])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="recipient-list-{recipient_list.pk}-invalid-rows.csv"'
    )
    return response


@require_POST
@console_view(*SENDERS)
def recipient_list_delete(request: HttpRequest, list_id: int) -> HttpResponse:
    recipient_list = _list_or_404(request, list_id)
    if recipients.import_running(recipient_list):
        messages.error(
            request,
            f"“{recipient_list.name}” is being imported; delete it when the import "
            "has finished.",
        )
        return redirect("sending:recipient_list", list_id=recipient_list.pk)
    try:
        recipients.delete_list(recipient_list)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("sending:recipient_list", list_id=recipient_list.pk)
    messages.success(request, f"“{recipient_list.name}” was deleted.")
    return redirect("sending:recipient_lists")


# --- Batch tasks ---------------------------------------------------------------


def _task_or_404(request: HttpRequest, task_id: int) -> BatchTask:
    return get_for_account_or_404(
        BatchTask.objects.select_related(
            "recipient_list", "template", "sender__domain", "created_by"
        ),
        request.account,
        pk=task_id,
    )


def _poll_interval(task: BatchTask) -> str:
    if task.status == TaskStatus.SENDING:
        return POLL_FAST
    if task.status == TaskStatus.PENDING and task.task_type == TaskType.IMMEDIATE:
        return POLL_FAST  # a worker picks it up any moment
    if task.status in batches.UNFINISHED:
        return POLL_SLOW
    return ""


@console_view()
def batch_tasks(request: HttpRequest) -> HttpResponse:
    tasks = (
        BatchTask.objects.for_account(request.account)
        .select_related("recipient_list", "template")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(tasks, PER_PAGE).get_page(request.GET.get("page"))
    moving = any(_poll_interval(task) == POLL_FAST for task in page.object_list)
    context = {
        "page": page,
        "poll": POLL_QUEUE if moving else "",
        "can_edit": request.account_context.has_role(*SENDERS),
    }
    if request.htmx and request.htmx.target == "task-table":
        return render(request, "sending/batch/tasks.html#task-table", context)
    return render(request, "sending/batch/tasks.html", context)


def _variables_and_columns(
    account: Account, source: Mapping[str, str]
) -> tuple[list[str], list[str]]:
    """The variables the chosen template and subject use; the list's columns."""
    names: list[str] = []
    template_id = source.get("template", "")
    if template_id.isdigit():
        template = (
            EmailTemplate.objects.for_account(account)
            .sendable()
            .select_related("approved_version")
            .filter(pk=template_id)
            .first()
        )
        if template is not None:
            names.extend(template.approved_version.variables)
    names.extend(find_variables(source.get("subject", "")))
    columns: list[str] = []
    list_id = source.get("recipient_list", "")
    if list_id.isdigit():
        columns = (
            RecipientList.objects.for_account(account)
            .filter(pk=list_id, status=ListStatus.COMPLETE)
            .values_list("columns", flat=True)
            .first()
        ) or []
    return list(dict.fromkeys(names)), columns


# Which form field a service error belongs to; template errors name their own.
_ERROR_FIELDS: tuple[tuple[type[ServiceError], str], ...] = (
    (NoSuchSender, "from_address"),
    (DomainNotVerified, "from_address"),
    (TemporaryBlocked, "from_address"),
    (TemplateNotExist, "template"),
    (TemplateStatusError, "template"),
    (ListNotReady, "recipient_list"),
    (InvalidSubject, "subject"),
    (BeginTimeInPast, "begin_at"),
    (TimedParamMissing, "begin_at"),
    (CycleParamMissing, "interval_hours"),
)


def _error_field(form: BatchTaskForm, error: ServiceError) -> str | None:
    for kind, field in _ERROR_FIELDS:
        if isinstance(error, kind):
            return field
    field = getattr(error, "field", None)
    return field if field in form.fields else None


@console_view(*SENDERS)
def batch_create(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    variables, columns = _variables_and_columns(
        request.account, data if data is not None else request.GET
    )
    form = BatchTaskForm(
        data,
        account=request.account,
        variables=variables,
        columns=columns,
        initial=request.GET.dict(),
    )
    if request.htmx and request.method == "GET":
        return render(
            request, "sending/batch/task_create.html#variables", {"form": form}
        )
    if form.is_bound and form.is_valid():
        try:
            task = batches.create_task(
                account=request.account,
                from_email=form.cleaned_data["from_address"],
                recipient_list=form.cleaned_data["recipient_list"],
                template_id=form.cleaned_data["template"].pk,
                subject=form.cleaned_data["subject"],
                template_data=form.template_data(),
                unsubscribe_language=form.cleaned_data["unsubscribe_language"],
                ad_location=form.cleaned_data["ad_location"],
                task_type=form.cleaned_data["task_type"],
                begin_at=form.cleaned_data["begin_at"],
                interval_hours=form.cleaned_data["interval_hours"],
                created_by=request.user,
            )
        except ServiceError as error:
            form.add_error(_error_field(form, error), _error_text(error))
        else:
            messages.success(request, f"Batch task {task.pk} was created.")
            return redirect("sending:batch", task_id=task.pk)
    ready = {
        "senders": bool(form.fields["from_address"].choices),
        "lists": form.fields["recipient_list"].queryset.exists(),
        "templates": form.fields["template"].queryset.exists(),
    }
    return render(
        request,
        "sending/batch/task_create.html",
        {"form": form, "ready": ready, "all_ready": all(ready.values())},
        status=400 if form.errors else 200,
    )


def _task_context(request: HttpRequest, task: BatchTask) -> dict[str, object]:
    can_control = request.account_context.has_role(*SENDERS)
    unfinished = task.status in batches.UNFINISHED
    return {
        "task": task,
        "poll": _poll_interval(task),
        "can_control": can_control,
        "can_pause": task.status == TaskStatus.SENDING
        or (task.status == TaskStatus.PAUSED and not task.held),
        "can_resume": task.status == TaskStatus.PAUSED,
        "can_cancel": unfinished,
        "can_stop": unfinished
        and task.task_type == TaskType.RECURRING
        and task.stopped_at is None,
    }


@console_view()
def batch_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _task_or_404(request, task_id)
    context = _task_context(request, task)
    if request.htmx and request.htmx.target == "task-status":
        return render(request, "sending/batch/task_detail.html#task-status", context)
    # The message log cannot filter by task: show the newest messages here.
    context["unsubscribe_label"] = dict(UnsubscribeLanguage.choices).get(
        task.unsubscribe_language, task.unsubscribe_language
    )
    context["recent_messages"] = list(
        Message.objects.filter(batch=task).order_by("-pk")[:RECENT_MESSAGES]
    )
    return render(request, "sending/batch/task_detail.html", context)


@require_POST
@console_view(*SENDERS)
def batch_action(request: HttpRequest, task_id: int, action: str) -> HttpResponse:
    task = _task_or_404(request, task_id)
    try:
        done = _control(task, action, by=request.user.email)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("sending:batch", task_id=task.pk)


def _control(task: BatchTask, action: str, *, by: str) -> str:
    """Apply one operator action; what happened, in words."""
    if action == "pause":
        batches.pause(task)
        return f"Task {task.pk} is paused. It sends nothing more until you resume it."
    if action == "resume":
        batches.resume(task)
        return f"Task {task.pk} is sending again."
    if action == "cancel":
        failed = batches.cancel(task, by=by)
        return f"Task {task.pk} was cancelled" + (
            f"; {failed} message(s) not yet sent were failed." if failed else "."
        )
    if action == "stop":
        batches.stop_recurring(task)
        return f"Task {task.pk} will not run again after its current run."
    raise Http404


# --- The queue ----------------------------------------------------------------

WAITING_STATUSES = (MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.DEFERRED)


def queue_by_domain(account: Account) -> list[dict[str, object]]:
    """Per sender domain: recipients waiting, messages sending and deferred,
    and paused tasks — from grouped counts, whatever the size of a batch."""
    domains = list(
        SenderDomain.objects.for_account(account).order_by("name").only("pk", "name")
    )
    if not domains:
        return []
    by_status = (
        Message.objects.filter(
            domain_id__in=[domain.pk for domain in domains],
            status__in=WAITING_STATUSES,
        )
        .values("domain_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {(row["domain_id"], row["status"]): row["n"] for row in by_status}
    task_rows = (
        BatchTask.objects.for_account(account)
        .filter(status__in=(TaskStatus.SENDING, TaskStatus.PAUSED))
        .values("domain_id")
        .annotate(
            sending_tasks=Count("pk", filter=Q(status=TaskStatus.SENDING)),
            paused_tasks=Count("pk", filter=Q(status=TaskStatus.PAUSED)),
            cached=Sum("cached", filter=Q(status=TaskStatus.PAUSED)),
            unfanned=Sum(
                F("run_total") - F("run_done"), filter=Q(status=TaskStatus.SENDING)
            ),
        )
        .order_by()
    )
    tasks = {row["domain_id"]: row for row in task_rows}
    rows = []
    for domain in domains:
        task = tasks.get(domain.pk, {})
        row = {
            "domain": domain,
            "queued": counts.get((domain.pk, MessageStatus.QUEUED), 0),
            "sending": counts.get((domain.pk, MessageStatus.SENDING), 0),
            "deferred": counts.get((domain.pk, MessageStatus.DEFERRED), 0),
            "cached": task.get("cached") or 0,
            "unfanned": task.get("unfanned") or 0,
            "sending_tasks": task.get("sending_tasks", 0),
            "paused_tasks": task.get("paused_tasks", 0),
        }
        row["waiting"] = row["queued"] + row["cached"] + row["unfanned"]
        rows.append(row)
    return rows


def _totals(rows: list[dict[str, object]]) -> dict[str, int]:
    keys = ("waiting", "sending", "deferred", "paused_tasks", "sending_tasks")
    return {key: sum(row[key] for row in rows) for key in keys}


@console_view()
def queue(request: HttpRequest) -> HttpResponse:
    rows = queue_by_domain(request.account)
    active = (
        BatchTask.objects.for_account(request.account)
        .filter(status__in=(TaskStatus.SENDING, TaskStatus.PAUSED))
        .select_related("recipient_list", "domain")
        .order_by("-pk")[:ACTIVE_TASKS]
    )
    context = {
        "rows": rows,
        "totals": _totals(rows),
        "active": list(active),
        "poll": POLL_QUEUE,
    }
    if request.htmx and request.htmx.target == "queue":
        return render(request, "sending/batch/queue.html#queue", context)
    return render(request, "sending/batch/queue.html", context)
