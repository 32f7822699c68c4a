"""Recipient lists and batch tasks through the official SDK.

Two identical calls in the same second carry the same signature, which the
endpoint refuses as a replay: consecutive calls here always differ.

No worker runs here: the kick a new task gets after its transaction commits is
recorded instead of going to the broker, and the test drives the fan-out in
this process (`drive`), as a worker would.
"""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

import sending.api_batch  # noqa: F401  (registers the actions)
from sending import batches, recipients
from sending.api_batch import list_receiver_details, list_receivers, list_send_tasks
from sending.models import (
    BatchTask,
    ListStatus,
    Message,
    Recipient,
    RecipientList,
    TaskStatus,
    TaskType,
)
from sesconsole.api.registry import ApiContext
from tests.api.conftest import call, refused
from tests.sending.batch_helpers import drive, filled_list, new_task
from tests.sending.helpers import approved_template, verified_sender


@pytest.fixture(autouse=True)
def kicked(monkeypatch) -> list[int]:
    """The ids of the tasks handed to the broker, which gets nothing here."""
    ids: list[int] = []
    monkeypatch.setattr(batches, "_kick", ids.append)
    return ids


@pytest.fixture
def sender(account):
    return verified_sender(account)


@pytest.fixture
def template(account):
    return approved_template(account, body="<p>Hello {{name}} from {{city}}</p>")


def local_time(moment: datetime) -> str:
    """Tencent's `YYYY-MM-DD HH:MM:SS`, in SES_TIME_ZONE."""
    zone = ZoneInfo(settings.SES_TIME_ZONE)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def batch_params(sender, template, recipient_list, **overrides) -> dict:
    return {
        "FromEmailAddress": f"Acme News <{sender.email}>",
        "ReceiverId": recipient_list.pk,
        "Subject": "News for {{name}}",
        "TaskType": 1,
        "Template": {
            "TemplateID": template.pk,
            "TemplateData": json.dumps({"city": "Lisbon"}),
        },
    } | overrides


def context_for(account, api_key) -> ApiContext:
    return ApiContext(account=account, api_key=api_key[0], request_id="r")


# --- The whole path -----------------------------------------------------------


def test_a_list_filled_through_the_api_is_sent_with_each_recipients_values(
    ses, account, owner, sender, template, kicked
):
    receiver_id = call(
        ses, "CreateReceiver", ReceiversName="Readers", Desc="Everyone who reads"
    ).ReceiverId
    datas = [
        {
            "Email": f"reader{n}@sink.example",
            "TemplateData": json.dumps({"name": f"Reader {n}"}),
        }
        for n in range(300)
    ]
    added = call(
        ses, "CreateReceiverDetailWithData", ReceiverId=receiver_id, Datas=datas
    )
    assert (added.TotalCount, added.ValidCount, added.RepeatCount) == (300, 300, 0)

    task_id = call(
        ses,
        "BatchSendEmail",
        FromEmailAddress=f"Acme News <{sender.email}>",
        ReceiverId=receiver_id,
        Subject="News for {{name}} in {{city}}",
        TaskType=1,
        ReplyToAddresses="replies@acme-mail.com",
        Template={
            "TemplateID": template.pk,
            "TemplateData": json.dumps({"city": "Lisbon", "name": "Nobody"}),
        },
        Unsubscribe="2",
        ADLocation=1,
    ).TaskId

    assert kicked == [task_id]
    [listed] = call(ses, "ListSendTasks", Offset=0, Limit=10).Data
    assert (listed.TaskId, listed.ReceiverId, listed.ReceiversName) == (
        task_id,
        receiver_id,
        "Readers",
    )
    assert (listed.TaskType, listed.TaskStatus) == (1, TaskStatus.PENDING)
    assert listed.FromEmailAddress == sender.email
    assert listed.Subject == "News for {{name}} in {{city}}"
    assert listed.Template.TemplateID == template.pk
    assert json.loads(listed.Template.TemplateData) == {
        "city": "Lisbon",
        "name": "Nobody",
    }
    assert listed.CycleParam is None
    assert listed.TimedParam is None

    assert drive(task_id) == batches.Step.DONE

    [done] = call(ses, "ListSendTasks", Offset=0, Limit=20, TaskType=1).Data
    assert done.TaskStatus == TaskStatus.COMPLETE == 10
    assert (done.RequestCount, done.SendCount, done.CacheCount) == (300, 300, 0)
    assert done.ErrMsg == ""
    messages = Message.objects.filter(batch_id=task_id).order_by("pk")
    assert [m.recipient for m in messages] == [
        f"reader{n}@sink.example" for n in range(300)
    ]
    for n, message in enumerate(messages):
        # The list's column wins over the task's value of the same name.
        assert message.variables == {"city": "Lisbon", "name": f"Reader {n}"}
        assert message.subject == f"[AD] News for Reader {n} in Lisbon"
    first = messages[0]
    assert (first.from_email, first.reply_to, first.unsubscribe_language) == (
        sender.email,
        "replies@acme-mail.com",
        "en",
    )
    task = BatchTask.objects.get(pk=task_id)
    assert (task.source, task.created_by) == ("api", owner)


# --- CreateReceiver and ListReceivers -----------------------------------------


def test_a_new_list_is_listed_waiting_for_recipients(ses):
    receiver_id = call(
        ses, "CreateReceiver", ReceiversName="  Readers ", Desc="Weekly"
    ).ReceiverId
    call(ses, "CreateReceiver", ReceiversName="Clients")

    response = call(ses, "ListReceivers", Offset=0, Limit=10, KeyWord="read")

    assert response.TotalCount == 1
    [row] = response.Data
    assert (row.ReceiverId, row.ReceiversName, row.Desc) == (
        receiver_id,
        "Readers",
        "Weekly",
    )
    assert (row.ReceiversStatus, row.Count, row.InvalidCount) == (1, 0, 0)
    created = RecipientList.objects.get(pk=receiver_id).created_at
    assert row.CreateTime == local_time(created)
    names = [
        r.ReceiversName for r in call(ses, "ListReceivers", Offset=0, Limit=9).Data
    ]
    assert names == ["Clients", "Readers"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"ReceiversName": "   "}, "InvalidParameterValue.ReceiverNameIllegal"),
        ({"ReceiversName": "x" * 201}, "InvalidParameterValue.ReceiverNameIllegal"),
        ({"ReceiversName": "Two\nlines"}, "InvalidParameterValue.ReceiverNameIllegal"),
        (
            {"ReceiversName": "Readers", "Desc": "d" * 301},
            "InvalidParameterValue.ReceiverDescIllegal",
        ),
        (
            {"ReceiversName": "Readers", "Desc": "a\x00b"},
            "InvalidParameterValue.ReceiverDescIllegal",
        ),
        ({"ReceiversName": "Taken"}, "InvalidParameterValue.RepeatReceiverName"),
        ({"Desc": "no name"}, "MissingParameter"),
    ],
)
def test_create_receiver_refuses_bad_names(ses, account, params, code):
    recipients.create_list(account=account, name="Taken")

    assert refused(ses, "CreateReceiver", **params) == code
    assert list(RecipientList.objects.values_list("name", flat=True)) == ["Taken"]


def test_list_receivers_filters_by_status_and_pages(ses, account):
    filled_list(account, 3, name="Full")
    recipients.add_recipients(
        RecipientList.objects.get(name="Full"), [("bad address", None)]
    )
    recipients.create_list(account=account, name="Empty")

    complete = call(ses, "ListReceivers", Offset=0, Limit=10, Status=3)
    assert [(r.ReceiversName, r.Count, r.InvalidCount) for r in complete.Data] == [
        ("Full", 3, 1)
    ]
    page = call(ses, "ListReceivers", Offset=1, Limit=1)
    assert (page.TotalCount, [r.ReceiversName for r in page.Data]) == (2, ["Full"])
    assert (
        refused(ses, "ListReceivers", Offset=0, Limit=101)
        == "FailedOperation.InvalidLimit"
    )
    assert (
        refused(ses, "ListReceivers", Offset=0, Limit=10, Status=4)
        == "InvalidParameterValue"
    )


def test_list_receivers_is_two_queries(account, api_key, django_assert_num_queries):
    for n in range(3):
        filled_list(account, 2, name=f"List {n}")
    context = context_for(account, api_key)

    with django_assert_num_queries(2):
        assert len(list_receivers(context, {"Offset": 0, "Limit": 10})["Data"]) == 3


# --- CreateReceiverDetail and CreateReceiverDetailWithData ---------------------


def test_adding_addresses_counts_each_kind_of_row(ses, account):
    receiver_id = call(ses, "CreateReceiver", ReceiversName="Readers").ReceiverId

    response = call(
        ses,
        "CreateReceiverDetail",
        ReceiverId=receiver_id,
        Emails=["ana@example.org", "ANA@example.org", " ", "not an address", "b@x.io"],
    )

    assert (
        response.TotalCount,
        response.ValidCount,
        response.RepeatCount,
        response.EmptyEmailCount,
        response.TooLongCount,
    ) == (5, 2, 1, 1, 0)
    again = call(
        ses, "CreateReceiverDetail", ReceiverId=receiver_id, Emails=["b@x.io", "c@x.io"]
    )
    assert (again.ValidCount, again.RepeatCount) == (1, 1)
    [row] = call(ses, "ListReceivers", Offset=0, Limit=10).Data
    assert (row.ReceiversStatus, row.Count, row.InvalidCount) == (3, 3, 4)


def test_template_data_over_800_bytes_is_counted_too_long(ses, account):
    receiver_id = recipients.create_list(account=account, name="Readers").pk

    response = call(
        ses,
        "CreateReceiverDetailWithData",
        ReceiverId=receiver_id,
        Datas=[
            {"Email": "ana@example.org", "TemplateData": json.dumps({"a": "x" * 900})},
            {"Email": "bo@example.org", "TemplateData": json.dumps({"name": "Bo"})},
            {"Email": "cy@example.org"},
        ],
    )

    assert (response.TotalCount, response.ValidCount, response.TooLongCount) == (
        3,
        2,
        1,
    )
    rows = Recipient.objects.filter(recipient_list_id=receiver_id).order_by("pk")
    assert [(r.email, r.data, r.valid) for r in rows][1:] == [
        ("bo@example.org", '{"name":"Bo"}', True),
        ("cy@example.org", "", True),
    ]


@pytest.mark.parametrize(
    "template_data",
    [
        "{not json",
        '["a list"]',
        '{"age": 30}',
        '{"name": {"first": "Ana"}}',
        '{"first name": "Ana"}',
    ],
)
def test_template_data_must_be_an_object_of_strings(ses, account, template_data):
    receiver_id = recipients.create_list(account=account, name="Readers").pk
    datas = [
        {"Email": "ok@example.org", "TemplateData": '{"name": "Ok"}'},
        {"Email": "ana@example.org", "TemplateData": template_data},
    ]

    assert (
        refused(
            ses, "CreateReceiverDetailWithData", ReceiverId=receiver_id, Datas=datas
        )
        == "InvalidParameterValue.TemplateDataError"
    )
    assert not Recipient.objects.exists()


def test_one_request_takes_at_most_20000_addresses(ses, account):
    receiver_id = recipients.create_list(account=account, name="Readers").pk
    emails = [f"r{n}@example.org" for n in range(20_001)]

    assert (
        refused(ses, "CreateReceiverDetail", ReceiverId=receiver_id, Emails=emails)
        == "LimitExceeded.ReceiverDetailRequestLimit"
    )
    datas = [{"Email": email} for email in emails]
    assert (
        refused(
            ses, "CreateReceiverDetailWithData", ReceiverId=receiver_id, Datas=datas
        )
        == "LimitExceeded.ReceiverDetailRequestLimit"
    )
    assert (
        refused(ses, "CreateReceiverDetail", ReceiverId=receiver_id, Emails=[])
        == "MissingParameter.EmailsNecessary"
    )
    assert not Recipient.objects.exists()


def test_a_list_being_uploaded_takes_no_addresses(ses, account):
    uploading = recipients.create_list(account=account, name="Readers")
    RecipientList.objects.filter(pk=uploading.pk).update(status=ListStatus.UPLOADING)

    assert (
        refused(ses, "CreateReceiverDetail", ReceiverId=uploading.pk, Emails=["a@b.io"])
        == "OperationDenied.ReceiverIsOperating"
    )
    assert (
        refused(ses, "CreateReceiverDetail", ReceiverId=999_999, Emails=["a@b.io"])
        == "OperationDenied.ReceiverNotExist"
    )


# --- ListReceiverDetails ------------------------------------------------------


def test_list_receiver_details_shows_valid_and_invalid_rows(ses, account):
    readers = filled_list(account, 3)
    recipients.add_recipients(readers, [("reader1@sink.example", None), ("", None)])
    base = {"ReceiverId": readers.pk, "Offset": 0, "Limit": 10}

    everything = call(ses, "ListReceiverDetails", **base)

    assert (everything.TotalCount, everything.ValidCount, everything.InvalidCount) == (
        5,
        3,
        2,
    )
    first = everything.Data[0]
    assert (first.Email, first.Status, first.Reason) == ("reader0@sink.example", 1, "")
    assert json.loads(first.TemplateData) == {"name": "Reader 0"}
    assert first.EmailId == Recipient.objects.order_by("pk").first().pk
    assert first.CreateTime == local_time(Recipient.objects.first().created_at)
    invalid = call(ses, "ListReceiverDetails", **base, Status=2).Data
    assert [(r.Email, r.Status, r.Reason) for r in invalid] == [
        ("reader1@sink.example", 2, "Duplicate address"),
        ("", 2, "Empty address"),
    ]
    found = call(ses, "ListReceiverDetails", **base, Email="ER1@SINK")
    assert [r.Email for r in found.Data] == ["reader1@sink.example"] * 2
    page = call(ses, "ListReceiverDetails", **(base | {"Offset": 1, "Limit": 1}))
    assert (page.TotalCount, [r.Email for r in page.Data]) == (
        5,
        ["reader1@sink.example"],
    )


def test_list_receiver_details_filters_by_creation_time(ses, account):
    readers = filled_list(account, 2)
    last_week = timezone.now() - timedelta(days=7)
    Recipient.objects.filter(email="reader0@sink.example").update(created_at=last_week)
    base = {"ReceiverId": readers.pk, "Offset": 0, "Limit": 10}
    day = local_time(last_week)[:10]

    on_that_day = call(
        ses, "ListReceiverDetails", **base, CreateTimeBegin=day, CreateTimeEnd=day
    )
    since = call(
        ses,
        "ListReceiverDetails",
        **base,
        CreateTimeBegin=local_time(last_week + timedelta(seconds=1)),
    )
    until = call(
        ses, "ListReceiverDetails", **base, CreateTimeEnd=local_time(last_week)
    )

    assert [r.Email for r in on_that_day.Data] == ["reader0@sink.example"]
    assert [r.Email for r in since.Data] == ["reader1@sink.example"]
    assert [r.Email for r in until.Data] == ["reader0@sink.example"]
    assert (
        refused(ses, "ListReceiverDetails", **base, CreateTimeBegin="last week")
        == "InvalidParameterValue.WrongDate"
    )
    assert (
        refused(ses, "ListReceiverDetails", **base, Status=3) == "InvalidParameterValue"
    )
    assert (
        refused(ses, "ListReceiverDetails", **(base | {"Limit": 0}))
        == "FailedOperation.InvalidLimit"
    )


def test_list_receiver_details_is_three_queries(
    account, api_key, django_assert_num_queries
):
    readers = filled_list(account, 5)
    context = context_for(account, api_key)
    params = {"ReceiverId": readers.pk, "Offset": 0, "Limit": 10}

    with django_assert_num_queries(3):
        assert len(list_receiver_details(context, params)["Data"]) == 5


# --- DeleteReceiver -----------------------------------------------------------


def test_delete_receiver_removes_the_list_and_its_rows(ses, account):
    readers = filled_list(account, 3)

    call(ses, "DeleteReceiver", ReceiverId=readers.pk)

    assert not RecipientList.objects.exists()
    assert not Recipient.objects.exists()
    assert (
        refused(ses, "DeleteReceiver", ReceiverId=readers.pk + 1)
        == "OperationDenied.ReceiverNotExist"
    )


def test_a_list_a_task_uses_cannot_be_deleted(ses, account, sender, template):
    readers = filled_list(account, 3)
    new_task(account, sender, template, readers, template_data={"city": "Lisbon"})

    assert (
        refused(ses, "DeleteReceiver", ReceiverId=readers.pk)
        == "OperationDenied.ReceiverIsOperating"
    )
    assert RecipientList.objects.filter(pk=readers.pk).exists()


# --- BatchSendEmail -----------------------------------------------------------


def test_a_scheduled_task_waits_with_its_begin_time(
    ses, account, sender, template, kicked
):
    readers = filled_list(account, 2)
    begin = local_time(timezone.now() + timedelta(hours=2))

    task_id = call(
        ses,
        "BatchSendEmail",
        **batch_params(sender, template, readers, TaskType=2),
        TimedParam={"BeginTime": begin},
    ).TaskId

    assert kicked == []
    [task] = call(ses, "ListSendTasks", Offset=0, Limit=10).Data
    assert (task.TaskId, task.TaskType, task.TaskStatus) == (task_id, 2, 1)
    assert task.TimedParam.BeginTime == begin
    assert task.CycleParam is None
    assert batches.due_task_ids() == []


def test_a_recurring_task_shows_its_cycle(ses, account, sender, template, kicked):
    readers = filled_list(account, 2)
    begin = local_time(timezone.now() + timedelta(minutes=30))

    task_id = call(
        ses,
        "BatchSendEmail",
        **batch_params(sender, template, readers, TaskType=3),
        CycleParam={"BeginTime": begin, "IntervalTime": 24, "TermCycle": 0},
    ).TaskId

    assert kicked == []
    [task] = call(ses, "ListSendTasks", Offset=0, Limit=10, TaskType=3).Data
    assert task.TaskId == task_id
    cycle = task.CycleParam
    assert (cycle.BeginTime, cycle.IntervalTime, cycle.TermCycle) == (begin, 24, 0)
    assert task.TimedParam is None
    batches.stop_recurring(BatchTask.objects.get(pk=task_id))
    [stopped] = call(ses, "ListSendTasks", Offset=0, Limit=9, TaskType=3).Data
    assert (stopped.TaskStatus, stopped.CycleParam.TermCycle) == (10, 1)


# Computed once, when the tests are collected: a day is margin enough.
TOMORROW = local_time(timezone.now() + timedelta(days=1))
YESTERDAY = local_time(timezone.now() - timedelta(days=1))


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"TaskType": 2}, "MissingParameter.TimedParamNecessary"),
        (
            {"TaskType": 2, "TimedParam": {"BeginTime": ""}},
            "MissingParameter.TimedParamNecessary",
        ),
        ({"TaskType": 3}, "MissingParameter.CycleParamNecessary"),
        (
            {"TaskType": 3, "CycleParam": {"BeginTime": TOMORROW}},
            "MissingParameter.CycleParamNecessary",
        ),
        (
            {
                "TaskType": 3,
                "CycleParam": {"BeginTime": TOMORROW, "IntervalTime": 0},
            },
            "MissingParameter.CycleParamNecessary",
        ),
        (
            {
                "TaskType": 3,
                "CycleParam": {
                    "BeginTime": TOMORROW,
                    "IntervalTime": 1,
                    "TermCycle": 1,
                },
            },
            "InvalidParameterValue",
        ),
        (
            {"TaskType": 2, "TimedParam": {"BeginTime": YESTERDAY}},
            "InvalidParameterValue.BeginTimeBeforeNow",
        ),
        (
            {
                "TaskType": 3,
                "CycleParam": {"BeginTime": YESTERDAY, "IntervalTime": 24},
            },
            "InvalidParameterValue.BeginTimeBeforeNow",
        ),
        (
            {"TaskType": 2, "TimedParam": {"BeginTime": "tomorrow at noon"}},
            "InvalidParameterValue",
        ),
        ({"TaskType": 4}, "InvalidParameterValue"),
        ({"ADLocation": 3}, "InvalidParameterValue"),
        ({"Unsubscribe": "99"}, "InvalidParameterValue"),
        (
            {"ReplyToAddresses": "not an address"},
            "InvalidParameterValue.IllegalEmailAddress",
        ),
        (
            {"FromEmailAddress": "nobody@acme-mail.com"},
            "InvalidParameterValue.NoSuchSender",
        ),
        ({"ReceiverId": 999_999}, "OperationDenied.ReceiverNotExist"),
        (
            {"Subject": "Hi {{name}} of {{team}}"},
            "InvalidParameterValue.TemplateNotMatchData",
        ),
        (
            {"Template": {"TemplateID": 999_999}},
            "InvalidParameterValue.TemplateNotExist",
        ),
        (
            {"Template": {"TemplateData": "{not json"}},
            "FailedOperation.WrongContentJson",
        ),
        (
            {"Attachments": [{"FileName": "a.txt", "Content": "aGk="}]},
            "UnsupportedOperation",
        ),
        (
            {"Template": None, "Simple": {"Html": "PHA+aGk8L3A+"}},
            "FailedOperation.WithOutPermission",
        ),
        ({"Template": None}, "MissingParameter.SendParamNecessary"),
    ],
)
def test_batch_send_refusals_arrive_as_sdk_errors(
    ses, account, sender, template, overrides, code
):
    readers = filled_list(account, 2)
    params = batch_params(sender, template, readers)
    if isinstance(overrides.get("Template"), dict):
        overrides = overrides | {"Template": params["Template"] | overrides["Template"]}
    params = {
        name: value for name, value in (params | overrides).items() if value is not None
    }

    assert refused(ses, "BatchSendEmail", **params) == code
    assert not BatchTask.objects.exists()


def test_a_list_without_valid_recipients_cannot_be_sent(ses, account, sender, template):
    empty = recipients.create_list(account=account, name="Empty")
    invalid_only = recipients.create_list(account=account, name="Invalid")
    recipients.add_recipients(invalid_only, [("not an address", None)])

    for recipient_list in (empty, invalid_only):
        params = batch_params(sender, template, recipient_list)
        assert (
            refused(ses, "BatchSendEmail", **params)
            == "OperationDenied.ReceiverStatusError"
        )


# --- ListSendTasks ------------------------------------------------------------


def test_list_send_tasks_filters_by_status_type_and_list(
    ses, account, sender, template
):
    readers = filled_list(account, 2, name="Readers")
    clients = filled_list(account, 2, name="Clients")
    data = {"template_data": {"city": "Lisbon"}}
    done = new_task(account, sender, template, readers, **data)
    drive(done.pk)
    waiting = new_task(account, sender, template, clients, **data)
    scheduled = new_task(
        account,
        sender,
        template,
        clients,
        task_type=TaskType.SCHEDULED,
        begin_at=timezone.now() + timedelta(days=1),
        **data,
    )

    def task_ids(**filters) -> list[int]:
        response = call(ses, "ListSendTasks", Offset=0, Limit=10, **filters)
        assert response.TotalCount == len(response.Data)
        return [task.TaskId for task in response.Data]

    assert task_ids() == [scheduled.pk, waiting.pk, done.pk]
    assert task_ids(Status=10) == [done.pk]
    assert task_ids(Status=1, TaskType=1) == [waiting.pk]
    assert task_ids(ReceiverId=clients.pk) == [scheduled.pk, waiting.pk]
    assert task_ids(TaskType=2, ReceiverId=clients.pk) == [scheduled.pk]
    page = call(ses, "ListSendTasks", Offset=2, Limit=1)
    assert (page.TotalCount, [t.TaskId for t in page.Data]) == (3, [done.pk])
    assert (
        refused(ses, "ListSendTasks", Offset=0, Limit=101)
        == "FailedOperation.InvalidLimit"
    )
    assert (
        refused(ses, "ListSendTasks", Offset=0, Limit=10, Status=2)
        == "InvalidParameterValue"
    )
    assert (
        refused(ses, "ListSendTasks", Offset=0, Limit=10, TaskType=5)
        == "InvalidParameterValue"
    )


def test_a_failed_task_reports_its_error(ses, account, sender, template):
    task = new_task(
        account, sender, template, filled_list(account, 2), template_data={"city": "X"}
    )
    batches.cancel(task, by="owner@acme.example.com")

    [row] = call(ses, "ListSendTasks", Offset=0, Limit=10, Status=7).Data

    assert row.ErrMsg == "Cancelled by owner@acme.example.com."


def test_list_send_tasks_is_two_queries(
    account, api_key, sender, template, django_assert_num_queries
):
    for n in range(3):
        readers = filled_list(account, 1, name=f"List {n}")
        new_task(account, sender, template, readers, template_data={"city": "X"})
    context = context_for(account, api_key)

    with django_assert_num_queries(2):
        assert len(list_send_tasks(context, {"Offset": 0, "Limit": 10})["Data"]) == 3


# --- Other accounts ---------------------------------------------------------


def test_another_account_never_sees_or_touches_these_lists_and_tasks(
    ses, outsider_ses, account, other_account, sender, template
):
    readers = filled_list(account, 3)
    task = new_task(account, sender, template, readers, template_data={"city": "X"})
    mine = {"ReceiverId": readers.pk}

    assert call(outsider_ses, "ListReceivers", Offset=0, Limit=10).TotalCount == 0
    assert call(outsider_ses, "ListSendTasks", Offset=0, Limit=10).TotalCount == 0
    assert (
        call(outsider_ses, "ListSendTasks", Offset=0, Limit=9, **mine).TotalCount == 0
    )
    for action, params in [
        ("ListReceiverDetails", {"Offset": 0, "Limit": 10}),
        ("CreateReceiverDetail", {"Emails": ["spy@example.org"]}),
        ("CreateReceiverDetailWithData", {"Datas": [{"Email": "spy@example.org"}]}),
        ("DeleteReceiver", {}),
        (
            "BatchSendEmail",
            {
                "FromEmailAddress": sender.email,
                "Subject": "Hi",
                "TaskType": 1,
                "Template": {"TemplateID": template.pk},
            },
        ),
    ]:
        assert (
            refused(outsider_ses, action, **mine, **params)
            == "OperationDenied.ReceiverNotExist"
        ), action
    # The same name is free in another account.
    theirs = call(outsider_ses, "CreateReceiver", ReceiversName=readers.name)
    assert RecipientList.objects.get(pk=theirs.ReceiverId).account == other_account

    readers.refresh_from_db()
    assert (
        readers.valid_count,
        Recipient.objects.filter(recipient_list=readers).count(),
    ) == (
        3,
        3,
    )
    assert BatchTask.objects.get().pk == task.pk
    [listed] = call(ses, "ListSendTasks", Offset=0, Limit=10).Data
    assert listed.TaskId == task.pk
