"""Batch-sending actions of the HTTP API: recipient lists and batch tasks.

Thin adapters over `sending.recipients` and `sending.batches`. Tencent calls a
recipient list a "receiver" and a batch task a "send task". Imported by
`sending.api_actions` so the registry finds them.
"""

import json
import unicodedata
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import IntegerChoices

# `sending.api_actions` imports this module while it is itself being imported,
# so its helpers are used inside the actions only, never at import time.
from sending import api_actions, batches, recipients
from sending.api_formats import (
    address_of,
    date_time,
    midnight,
    page_bounds,
    template_data,
    zone,
)
from sending.errors import (
    CycleParamMissing,
    NoSuchList,
    TimedParamMissing,
    TooManyListRows,
)
from sending.models import (
    AdLocation,
    BatchTask,
    ListStatus,
    Recipient,
    RecipientList,
    TaskStatus,
    TaskType,
)
from sending.services import clean_recipients
from sesconsole.api.errors import ApiError
from sesconsole.api.registry import ApiContext, api_action, optional, required

# Tencent's limit on the addresses of one CreateReceiverDetail call.
MAX_ROWS_PER_REQUEST = 20_000
# ListReceiverDetails' Status and ReceiverDetail's Status.
VALID, INVALID = 1, 2
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
# Accepted in the request's shape, then refused: batches carry no attachments.
ATTACHMENT = {
    "FileName": optional(str),
    "Content": optional(str),
    "FileURL": optional(str),
}


def _list(context: ApiContext, receiver_id: int) -> RecipientList:
    """The caller's list `receiver_id`; another account's does not exist."""
    found = RecipientList.objects.for_account(context.account).filter(pk=receiver_id)
    if (recipient_list := found.first()) is None:
        raise NoSuchList(f"There is no recipient list {receiver_id}.")
    return recipient_list


def _has_control_characters(text: str) -> bool:
    # Line breaks, NUL (which PostgreSQL refuses) and lone surrogates.
    return any(unicodedata.category(char) in {"Cc", "Cs"} for char in text)


def _max_length(name: str) -> int:
    return RecipientList._meta.get_field(name).max_length


# --- Recipient lists ----------------------------------------------------------


@api_action("CreateReceiver", ReceiversName=required(str), Desc=optional(str))
def create_receiver(context: ApiContext, params: dict) -> dict:
    name = params["ReceiversName"].strip()
    longest = _max_length("name")
    if not name or len(name) > longest or _has_control_characters(name):
        raise ApiError(
            "InvalidParameterValue.ReceiverNameIllegal",
            f"ReceiversName must be 1 to {longest} characters, without line "
            "breaks or control characters.",
        )
    description = params.get("Desc", "").strip()
    longest = _max_length("description")
    if len(description) > longest or _has_control_characters(description):
        raise ApiError(
            "InvalidParameterValue.ReceiverDescIllegal",
            f"Desc must be at most {longest} characters, without line breaks or "
            "control characters.",
        )
    recipient_list = recipients.create_list(
        account=context.account, name=name, description=description
    )
    return {"ReceiverId": recipient_list.pk}


def _check_row_count(count: int, name: str) -> None:
    if not count:
        raise ApiError(
            "MissingParameter.EmailsNecessary", f"{name} needs at least one recipient."
        )
    if count > MAX_ROWS_PER_REQUEST:
        raise TooManyListRows(
            f"{count} recipients; one request takes at most {MAX_ROWS_PER_REQUEST:,}."
        )


def _import_counts(counts: recipients.ImportCounts) -> dict:
    # Invalid addresses count in TotalCount only: the SDK's answer has no
    # field for them (ListReceiverDetails shows each with its reason).
    return {
        "TotalCount": counts.total_rows,
        "ValidCount": counts.valid_count,
        "TooLongCount": counts.too_long_count,
        "EmptyEmailCount": counts.empty_count,
        "RepeatCount": counts.duplicate_count,
    }


@api_action("CreateReceiverDetail", ReceiverId=required(int), Emails=required([str]))
def create_receiver_detail(context: ApiContext, params: dict) -> dict:
    recipient_list = _list(context, params["ReceiverId"])
    _check_row_count(len(params["Emails"]), "Emails")
    counts = recipients.add_recipients(
        recipient_list, ((email, None) for email in params["Emails"])
    )
    return _import_counts(counts)


def _recipient_values(raw: str, path: str) -> dict[str, str] | None:
    """A recipient's TemplateData: a JSON object of strings, as a string."""
    if not raw.strip():
        return None
    try:
        values = json.loads(raw)
    except json.JSONDecodeError:
        values = None
    if not isinstance(values, dict) or not all(
        isinstance(value, str) for value in values.values()
    ):
        raise ApiError(
            "InvalidParameterValue.TemplateDataError",
            f"{path} must be a JSON object of strings, as a string, like "
            '"{\\"name\\": \\"Ana\\"}".',
        )
    for name in values:
        if not recipients.COLUMN_NAME.fullmatch(name):
            raise ApiError(
                "InvalidParameterValue.TemplateDataError",
                f"{path}: “{name}” is not a template variable name: use letters, "
                "digits and underscores, at most 64.",
            )
    return values


@api_action(
    "CreateReceiverDetailWithData",
    ReceiverId=required(int),
    Datas=required([{"Email": optional(str), "TemplateData": optional(str)}]),
)
def create_receiver_detail_with_data(context: ApiContext, params: dict) -> dict:
    recipient_list = _list(context, params["ReceiverId"])
    datas = params["Datas"]
    _check_row_count(len(datas), "Datas")
    entries = [
        (
            data.get("Email", ""),
            _recipient_values(data.get("TemplateData", ""), f"Datas.{n}.TemplateData"),
        )
        for n, data in enumerate(datas)
    ]
    return _import_counts(recipients.add_recipients(recipient_list, entries))


def _receiver(recipient_list: RecipientList) -> dict:
    return {
        "ReceiverId": recipient_list.pk,
        "ReceiversName": recipient_list.name,
        "Count": recipient_list.valid_count,
        "Desc": recipient_list.description,
        "ReceiversStatus": recipient_list.status,
        "CreateTime": date_time(recipient_list.created_at),
        "InvalidCount": recipient_list.rejected_count,
    }


def _choice(params: dict, name: str, choices: type[IntegerChoices]) -> int | None:
    """The filter `name`, one of `choices`, or None."""
    value = params.get(name)
    if value is not None and value not in choices.values:
        described = ", ".join(f"{v} ({label})" for v, label in choices.choices)
        raise ApiError("InvalidParameterValue", f"{name} is one of {described}.")
    return value


@api_action(
    "ListReceivers",
    Offset=required(int),
    Limit=required(int),
    Status=optional(int),
    KeyWord=optional(str),
)
def list_receivers(context: ApiContext, params: dict) -> dict:
    first, last = page_bounds(params, params["Limit"])
    lists = RecipientList.objects.for_account(context.account).order_by(
        "-created_at", "-pk"
    )
    if (status := _choice(params, "Status", ListStatus)) is not None:
        lists = lists.filter(status=status)
    if keyword := params.get("KeyWord", "").strip():
        lists = lists.filter(name__icontains=keyword)
    return {
        "TotalCount": lists.count(),
        "Data": [_receiver(recipient_list) for recipient_list in lists[first:last]],
    }


def _search_time(value: str, name: str, *, end: bool) -> datetime:
    """`YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD` in SES_TIME_ZONE; an end is
    exclusive, just after the second or the day it names."""
    text = value.strip()
    try:
        if len(text) == len("YYYY-MM-DD"):
            day = date.fromisoformat(text)
            return midnight(day + timedelta(days=1) if end else day)
        moment = datetime.strptime(text, TIME_FORMAT).replace(tzinfo=zone())
    except ValueError:
        raise ApiError(
            "InvalidParameterValue.WrongDate",
            f"{name} must be YYYY-MM-DD HH:MM:SS or YYYY-MM-DD.",
        ) from None
    return moment + timedelta(seconds=1) if end else moment


def _receiver_detail(row: Recipient) -> dict:
    return {
        "EmailId": row.pk,
        "Email": row.email,
        "CreateTime": date_time(row.created_at),
        "TemplateData": row.data,
        "Reason": row.reason,
        "Status": VALID if row.valid else INVALID,
    }


@api_action(
    "ListReceiverDetails",
    ReceiverId=required(int),
    Offset=required(int),
    Limit=required(int),
    Email=optional(str),
    CreateTimeBegin=optional(str),
    CreateTimeEnd=optional(str),
    Status=optional(int),
)
def list_receiver_details(context: ApiContext, params: dict) -> dict:
    recipient_list = _list(context, params["ReceiverId"])
    first, last = page_bounds(params, params["Limit"])
    rows = Recipient.objects.filter(recipient_list=recipient_list).order_by("pk")
    if email := params.get("Email", "").strip():
        rows = rows.filter(email__icontains=email)
    if params.get("CreateTimeBegin"):
        begin = _search_time(params["CreateTimeBegin"], "CreateTimeBegin", end=False)
        rows = rows.filter(created_at__gte=begin)
    if params.get("CreateTimeEnd"):
        end = _search_time(params["CreateTimeEnd"], "CreateTimeEnd", end=True)
        rows = rows.filter(created_at__lt=end)
    status = params.get("Status")
    if status not in (None, VALID, INVALID):
        raise ApiError("InvalidParameterValue", "Status is 1 (valid) or 2 (invalid).")
    if status is not None:
        rows = rows.filter(valid=status == VALID)
    return {
        "TotalCount": rows.count(),
        "Data": [_receiver_detail(row) for row in rows[first:last]],
        "ValidCount": recipient_list.valid_count,
        "InvalidCount": recipient_list.rejected_count,
    }


@api_action("DeleteReceiver", ReceiverId=required(int))
def delete_receiver(context: ApiContext, params: dict) -> dict:
    recipients.delete_list(_list(context, params["ReceiverId"]))
    return {}


# --- Batch tasks --------------------------------------------------------------


def _begin_at(value: str, name: str) -> datetime:
    try:
        parsed = datetime.strptime(value.strip(), TIME_FORMAT)
    except ValueError:
        raise ApiError(
            "InvalidParameterValue",
            f"{name} must be YYYY-MM-DD HH:MM:SS, in {settings.SES_TIME_ZONE}.",
        ) from None
    return parsed.replace(tzinfo=zone())


def _schedule(params: dict) -> dict:
    """create_task's task_type, begin_at and interval_hours."""
    task_type = params["TaskType"]
    if task_type == TaskType.SCHEDULED:
        timed = params.get("TimedParam", {})
        if not timed.get("BeginTime", "").strip():
            raise TimedParamMissing(
                "A scheduled task (TaskType 2) needs TimedParam.BeginTime."
            )
        return {
            "task_type": task_type,
            "begin_at": _begin_at(timed["BeginTime"], "TimedParam.BeginTime"),
        }
    if task_type == TaskType.RECURRING:
        cycle = params.get("CycleParam", {})
        if not cycle.get("BeginTime", "").strip() or "IntervalTime" not in cycle:
            raise CycleParamMissing(
                "A recurring task (TaskType 3) needs CycleParam.BeginTime and "
                "CycleParam.IntervalTime (hours)."
            )
        if cycle.get("TermCycle", 0) != 0:
            raise ApiError(
                "InvalidParameterValue",
                "TermCycle 1 ends the cycle of an existing task; this API version "
                "has no action to update a task: stop it in the console.",
            )
        return {
            "task_type": task_type,
            "begin_at": _begin_at(cycle["BeginTime"], "CycleParam.BeginTime"),
            "interval_hours": cycle["IntervalTime"],
        }
    if task_type != TaskType.IMMEDIATE:
        raise ApiError(
            "InvalidParameterValue",
            "TaskType is 1 (immediate), 2 (scheduled) or 3 (recurring).",
        )
    return {"task_type": task_type}


def _unsubscribe_language(params: dict) -> str:
    code = params.get("Unsubscribe", "0")
    if code not in api_actions.UNSUBSCRIBE_LANGUAGES:
        raise ApiError(
            "InvalidParameterValue",
            f"Unsubscribe `{code}` is not supported; use one of "
            + ", ".join(api_actions.UNSUBSCRIBE_LANGUAGES),
        )
    return api_actions.UNSUBSCRIBE_LANGUAGES[code]


@api_action(
    "BatchSendEmail",
    FromEmailAddress=required(str),
    ReceiverId=required(int),
    Subject=required(str),
    TaskType=required(int),
    ReplyToAddresses=optional(str),
    Template=optional({"TemplateID": required(int), "TemplateData": optional(str)}),
    Simple=optional({"Html": optional(str), "Text": optional(str)}),
    Attachments=optional([ATTACHMENT]),
    CycleParam=optional(
        {
            "BeginTime": optional(str),
            "IntervalTime": optional(int),
            "TermCycle": optional(int),
        }
    ),
    TimedParam=optional({"BeginTime": optional(str)}),
    Unsubscribe=optional(str),
    ADLocation=optional(int),
)
def batch_send_email(context: ApiContext, params: dict) -> dict:
    if params.get("Attachments"):
        raise ApiError(
            "UnsupportedOperation",
            "Attachments are not supported for batch sending yet.",
        )
    if "Template" not in params:
        if "Simple" in params:
            raise ApiError(
                "FailedOperation.WithOutPermission",
                "Batches are sent with a Template: custom (Simple) content is not "
                "supported.",
            )
        raise ApiError(
            "MissingParameter.SendParamNecessary",
            "A batch needs FromEmailAddress, ReceiverId and a Template.",
        )
    ad_location = params.get("ADLocation", AdLocation.NONE)
    if ad_location not in AdLocation.values:
        raise ApiError(
            "InvalidParameterValue",
            "ADLocation is 0 (none), 1 (before the subject) or 2 (after it).",
        )
    reply_to = clean_recipients(
        [params.get("ReplyToAddresses", "")], limit=1, allow_empty=True
    )
    template = params["Template"]
    task = batches.create_task(
        account=context.account,
        from_email=address_of(params["FromEmailAddress"]),
        recipient_list=_list(context, params["ReceiverId"]),
        template_id=template["TemplateID"],
        template_data=template_data(template.get("TemplateData", "")),
        subject=params["Subject"],
        unsubscribe_language=_unsubscribe_language(params),
        reply_to=reply_to[0] if reply_to else "",
        ad_location=ad_location,
        created_by=context.api_key.created_by,
        source="api",
        **_schedule(params),
    )
    return {"TaskId": task.pk}


def _send_task(task: BatchTask) -> dict:
    begin = date_time(task.begin_at)
    return {
        "TaskId": task.pk,
        "FromEmailAddress": task.sender.email,
        "ReceiverId": task.recipient_list_id,
        "ReceiversName": task.recipient_list.name,
        "TaskStatus": task.status,
        "TaskType": task.task_type,
        "RequestCount": task.requested,
        "SendCount": task.sent,
        "CacheCount": task.cached,
        "CreateTime": date_time(task.created_at),
        "UpdateTime": date_time(task.updated_at),
        "Subject": task.subject,
        "Template": {
            "TemplateID": task.template_id,
            "TemplateData": json.dumps(task.template_data, ensure_ascii=False),
        },
        "CycleParam": (
            {
                "BeginTime": begin,
                "IntervalTime": task.interval_hours,
                "TermCycle": int(task.stopped_at is not None),
            }
            if task.task_type == TaskType.RECURRING
            else None
        ),
        "TimedParam": (
            {"BeginTime": begin} if task.task_type == TaskType.SCHEDULED else None
        ),
        "ErrMsg": task.error,
    }


@api_action(
    "ListSendTasks",
    Offset=required(int),
    Limit=required(int),
    Status=optional(int),
    ReceiverId=optional(int),
    TaskType=optional(int),
)
def list_send_tasks(context: ApiContext, params: dict) -> dict:
    first, last = page_bounds(params, params["Limit"])
    tasks = (
        BatchTask.objects.for_account(context.account)
        .select_related("sender__domain", "recipient_list")
        .order_by("-created_at", "-pk")
    )
    if (status := _choice(params, "Status", TaskStatus)) is not None:
        tasks = tasks.filter(status=status)
    if (task_type := _choice(params, "TaskType", TaskType)) is not None:
        tasks = tasks.filter(task_type=task_type)
    if "ReceiverId" in params:
        tasks = tasks.filter(recipient_list_id=params["ReceiverId"])
    return {
        "TotalCount": tasks.count(),
        "Data": [_send_task(task) for task in tasks[first:last]],
    }
