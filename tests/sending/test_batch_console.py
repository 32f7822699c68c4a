"""The batch-sending console pages: recipient lists, batch tasks, the queue."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sending import batch_views, batches, recipients, tasks
from sending.models import (
    AdLocation,
    BatchTask,
    ListStatus,
    Message,
    MessageStatus,
    Recipient,
    RecipientList,
    TaskStatus,
    TaskType,
)
from tests.factories import MessageFactory, SenderDomainFactory
from tests.sending.batch_helpers import drive, filled_list, new_task
from tests.sending.helpers import approved_template, verified_sender

pytestmark = pytest.mark.django_db

LISTS = reverse("sending:recipient_lists")
NEW_LIST = reverse("sending:recipient_list_create")
TASKS = reverse("sending:batches")
NEW_TASK = reverse("sending:batch_create")
QUEUE = reverse("sending:queue")


@pytest.fixture
def sender(account):
    return verified_sender(account)


@pytest.fixture
def template(account):
    return approved_template(
        account, name="Welcome", body="<p>Hello {{name}}, code {{code}}</p>"
    )


def list_url(recipient_list: RecipientList, name: str = "recipient_list") -> str:
    return reverse(f"sending:{name}", kwargs={"list_id": recipient_list.pk})


def task_url(task: BatchTask, name: str = "batch") -> str:
    return reverse(f"sending:{name}", kwargs={"task_id": task.pk})


def csv_file(text: str | bytes, name: str = "readers.csv") -> SimpleUploadedFile:
    data = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def upload(client, recipient_list, text, **extra):
    return client.post(
        list_url(recipient_list, "recipient_list_upload"),
        {"file": csv_file(text)},
        **extra,
    )


def htmx(target: str) -> dict[str, str]:
    return {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": target}


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# --- Recipient lists: index and create ---------------------------------------


def test_the_empty_index_invites_senders_to_create_a_list(
    owner_client, reviewer_client
):
    page = owner_client.get(LISTS).text
    assert "No recipient lists yet" in page
    assert "Create your first list" in page

    page = reviewer_client.get(LISTS).text
    assert "Owners and operators create recipient lists." in page
    assert NEW_LIST not in page


def test_the_index_shows_status_and_counts(account, reviewer_client):
    readers = filled_list(account, 3)
    recipients.add_recipients(readers, [("", None), ("not-an-address", None)])
    recipients.create_list(account=account, name="Empty one")

    page = reviewer_client.get(LISTS).text

    assert "Readers" in page
    assert "Empty one" in page
    assert '<span class="badge ok">Complete</span>' in page
    assert "Waiting for recipients" in page
    assert '<td class="num">3</td>' in page  # valid
    assert '<td class="num">2</td>' in page  # rejected


def test_the_index_takes_the_same_queries_for_1_or_20_lists(account, owner_client):
    filled_list(account, 2)
    few = query_count(owner_client, LISTS)
    for n in range(19):
        recipients.create_list(account=account, name=f"List {n}")

    assert query_count(owner_client, LISTS) == few


def test_creating_a_list_leads_to_its_upload_page(account, operator_client):
    response = operator_client.post(
        NEW_LIST, {"name": " Readers ", "description": "May newsletter"}, follow=True
    )

    created = RecipientList.objects.get(account=account)
    assert (created.name, created.description) == ("Readers", "May newsletter")
    assert response.redirect_chain[-1][0] == list_url(created)
    assert "“Readers” was created. Upload its recipients now." in response.text
    assert "Upload recipients" in response.text


def test_a_taken_name_is_an_inline_error(account, owner_client):
    recipients.create_list(account=account, name="Readers")

    response = owner_client.post(NEW_LIST, {"name": "Readers"})

    assert response.status_code == 400
    assert "A recipient list named “Readers” already exists." in response.text
    assert 'class="field has-error"' in response.text
    assert RecipientList.objects.filter(account=account).count() == 1


def test_a_name_is_required(account, owner_client):
    response = owner_client.post(NEW_LIST, {"name": ""})

    assert response.status_code == 400
    assert "This field is required." in response.text
    assert not RecipientList.objects.exists()


def test_reviewers_view_lists_but_change_nothing(account, reviewer_client):
    readers = filled_list(account, 2)

    page = reviewer_client.get(list_url(readers)).text
    assert "Owners and operators upload recipients." in page
    assert "Delete list" not in page

    assert reviewer_client.get(NEW_LIST).status_code == 403
    assert reviewer_client.post(NEW_LIST, {"name": "Mine"}).status_code == 403
    assert upload(reviewer_client, readers, "email\nx@example.com\n").status_code == 403
    delete = reviewer_client.post(list_url(readers, "recipient_list_delete"))
    assert delete.status_code == 403
    readers.refresh_from_db()
    assert readers.total_rows == 2


# --- Recipient lists: upload, progress, download, delete ----------------------


def test_an_upload_shows_counts_columns_and_a_preview(account, operator_client):
    readers = recipients.create_list(account=account, name="Readers")

    response = upload(
        operator_client,
        readers,
        "email,name\nana@example.com,Ana\n,Nobody\nbo@example.com,Bo\n"
        "ANA@example.com,Again\nnot-an-address,Bad\n",
        follow=True,
    )

    assert response.redirect_chain[-1][0] == list_url(readers)
    page = response.text
    assert "Imported readers.csv: 2 valid recipient(s) of 5 row(s), 3 rejected." in page
    assert '<div class="figure" data-count="total">5</div>' in page
    assert '<div class="figure ok" data-count="valid">2</div>' in page
    assert '<div class="figure" data-count="empty">1</div>' in page
    assert '<div class="figure" data-count="duplicate">1</div>' in page
    assert '<div class="figure" data-count="invalid">1</div>' in page
    assert '<code class="value">name</code>' in page
    assert "<td>ana@example.com</td>" in page
    assert '<span class="badge bad">Duplicate address</span>' in page
    assert "Download invalid rows" in page
    assert "hx-trigger" not in page  # nothing to wait for


def test_a_file_that_is_not_utf8_is_an_inline_error_and_nothing_is_kept(
    account, owner_client
):
    readers = recipients.create_list(account=account, name="Readers")
    latin1 = "email,name\nana@example.com,Ana\nbo@example.com,Bj\xf6rn\n"

    response = upload(owner_client, readers, latin1.encode("latin-1"))

    assert response.status_code == 400
    assert "The file is not UTF-8 text (line 3" in response.text
    assert 'class="field has-error"' in response.text
    assert "The last upload failed" not in response.text  # said once, inline
    assert not Recipient.objects.filter(recipient_list=readers).exists()
    readers.refresh_from_db()
    assert (readers.status, readers.total_rows) == (ListStatus.PENDING, 0)
    # Later visits still say why the last upload failed.
    assert "The last upload failed" in owner_client.get(list_url(readers)).text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,city\nAna,Rio\n", "The first line must be a header with an “email”"),
        ("email,name\n", "The file has a header but no rows."),
    ],
)
def test_an_unusable_file_is_an_inline_error(account, owner_client, text, message):
    readers = recipients.create_list(account=account, name="Readers")

    response = upload(owner_client, readers, text)

    assert response.status_code == 400
    assert message in response.text
    assert not Recipient.objects.filter(recipient_list=readers).exists()


def test_no_file_is_an_inline_error(account, owner_client):
    readers = recipients.create_list(account=account, name="Readers")

    response = owner_client.post(list_url(readers, "recipient_list_upload"))

    assert response.status_code == 400
    assert "Choose the CSV file to upload." in response.text


class FakeImportTask:
    """Stands in for the Celery task: records what would go to the worker."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def delay(self, *args: object) -> None:
        self.calls.append(args)


def test_a_big_file_goes_to_the_worker_and_the_page_polls_until_it_is_in(
    account,
    owner_client,
    settings,
    monkeypatch,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.SES_IMPORT_INLINE_BYTES = 10
    settings.SES_UPLOAD_DIR = tmp_path
    fake = FakeImportTask()
    monkeypatch.setattr(tasks.import_recipient_file, "delay", fake.delay)
    readers = recipients.create_list(account=account, name="Readers")

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(
            owner_client,
            readers,
            "email\nana@example.com\nbo@example.com\n",
            follow=True,
        )

    assert "readers.csv (37\xa0bytes) is being imported." in response.text
    [(list_id, path, filename)] = fake.calls
    assert (list_id, filename) == (readers.pk, "readers.csv")
    page = response.text
    assert "The file is waiting for a worker…" in page
    assert 'hx-trigger="every 2s"' in page
    assert "Delete list" not in page
    assert "Upload the next one when it has finished." in page

    poll = owner_client.get(list_url(readers), **htmx("list-summary"))
    assert poll.text.lstrip().startswith('<section class="panel" id="list-summary"')
    assert "<html" not in poll.text

    again = upload(owner_client, readers, "email\ncy@example.com\n")
    assert again.status_code == 400
    assert "A file is still being imported into this list" in again.text

    # The worker's side, in this process.
    assert recipients.import_uploaded_file(list_id, path, filename) == 2

    done = owner_client.get(list_url(readers), **htmx("list-summary"))
    assert done.headers["HX-Refresh"] == "true"
    page = owner_client.get(list_url(readers)).text
    assert '<div class="figure ok" data-count="valid">2</div>' in page
    assert "hx-trigger" not in page


def test_the_import_progress_shows_while_a_worker_imports(account, owner_client):
    readers = recipients.create_list(account=account, name="Readers")
    RecipientList.objects.filter(pk=readers.pk).update(status=ListStatus.UPLOADING)
    recipients.set_progress(readers.pk, 42, 100)

    page = owner_client.get(list_url(readers), **htmx("list-summary")).text

    assert "Importing the file…" in page
    assert '<progress class="meter" value="42" max="100"' in page
    assert 'hx-trigger="every 2s"' in page


def test_the_invalid_rows_download_streams_line_email_and_reason(
    account, reviewer_client
):
    readers = recipients.create_list(account=account, name="Readers")
    recipients.import_csv(
        readers,
        io.BytesIO(
            b"email,name\nana@example.com,Ana\n,Nobody\n=HYPERLINK(1),Evil\n"
            b"ana@example.com,Again\n"
        ),
        filename="r.csv",
    )

    response = reviewer_client.get(list_url(readers, "recipient_list_invalid_rows"))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="recipient-list-{readers.pk}-invalid-rows.csv"'
    )
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines() == [
        "\ufeffline,email,reason",
        "3,,Empty address",
        "4,'=HYPERLINK(1),Not a valid email address",
        "5,ana@example.com,Duplicate address",
    ]


def test_the_preview_is_paginated_without_counting_rows(account, owner_client):
    readers = filled_list(account, 30)

    with CaptureQueriesContext(connection) as captured:
        first = owner_client.get(list_url(readers)).text
    second = owner_client.get(list_url(readers), {"page": 2}).text

    assert not any("COUNT(" in query["sql"].upper() for query in captured)
    assert "Rows 1\N{EN DASH}25 of 30" in first
    assert "reader24@sink.example" in first
    assert "reader25@sink.example" not in first
    assert "Rows 26\N{EN DASH}30 of 30" in second
    assert "reader29@sink.example" in second
    assert '<td class="small">Reader 29</td>' in second
    assert "Page 2 of 2" in second


def test_deleting_a_list(account, operator_client):
    readers = filled_list(account, 2)

    response = operator_client.post(
        list_url(readers, "recipient_list_delete"), follow=True
    )

    assert response.redirect_chain[-1][0] == LISTS
    assert "“Readers” was deleted." in response.text
    assert not RecipientList.objects.filter(pk=readers.pk).exists()


def test_a_list_a_task_uses_is_not_deleted(account, owner_client, sender, template):
    readers = filled_list(account, 2)
    new_task(account, sender, template, readers, template_data={"code": "1"})

    response = owner_client.post(
        list_url(readers, "recipient_list_delete"), follow=True
    )

    assert response.redirect_chain[-1][0] == list_url(readers)
    assert "is used by a batch task that has not finished" in response.text
    assert RecipientList.objects.filter(pk=readers.pk).exists()


# --- Batch tasks: index and create ---------------------------------------------


def test_the_empty_task_index_invites_senders_to_create_one(
    owner_client, reviewer_client
):
    page = owner_client.get(TASKS).text
    assert "No batch tasks yet" in page
    assert "Create your first batch task" in page

    page = reviewer_client.get(TASKS).text
    assert "Owners and operators create batch tasks." in page
    assert NEW_TASK not in page


def test_the_create_page_says_what_is_missing(owner_client):
    page = owner_client.get(NEW_TASK).text

    assert "Almost ready for a batch" in page
    assert "You need a sender address on a verified domain." in page
    assert "You need an approved template." in page
    assert "You need a recipient list with valid recipients." in page


def test_only_complete_lists_with_recipients_are_offered(
    account, owner_client, sender, template
):
    readers = filled_list(account, 2)
    empty = recipients.create_list(account=account, name="Nobody yet")

    page = owner_client.get(NEW_TASK).text

    assert "Readers (2 recipients)" in page
    assert "Nobody yet" not in page
    response = owner_client.post(NEW_TASK, _task_data(sender, template, empty))
    assert response.status_code == 400
    assert "Select a valid choice." in response.text
    assert readers.batch_tasks.count() == 0


def test_the_variables_partial_shows_what_the_list_does_not_cover(
    account, owner_client, sender, template
):
    readers = filled_list(account, 2)  # has a "name" column

    response = owner_client.get(
        NEW_TASK,
        {
            "template": template.pk,
            "recipient_list": readers.pk,
            "subject": "For {{name}} on {{day}}",
        },
        **htmx("variables"),
    )

    page = response.text
    assert page.lstrip().startswith('<fieldset class="variables" id="variables">')
    assert "From the list's columns, per recipient" in page
    assert '<code class="value">{{name}}</code>' in page
    assert 'name="var_code"' in page
    assert 'name="var_day"' in page
    assert 'name="var_name"' not in page


def _task_data(sender, template, recipient_list, **extra) -> dict:
    return {
        "from_address": sender.email,
        "recipient_list": recipient_list.pk,
        "template": template.pk,
        "subject": "News for {{name}}",
        "var_code": "4711",
        "unsubscribe_language": "en",
        "ad_location": AdLocation.SUBJECT_PREFIX,
        "task_type": TaskType.IMMEDIATE,
        **extra,
    }


def test_creating_an_immediate_task(
    account, operator, operator_client, sender, template
):
    readers = filled_list(account, 3)

    response = operator_client.post(
        NEW_TASK, _task_data(sender, template, readers), follow=True
    )

    task = BatchTask.objects.get(account=account)
    assert response.redirect_chain[-1][0] == task_url(task)
    assert f"Batch task {task.pk} was created." in response.text
    assert (task.recipient_list, task.template_id, task.sender) == (
        readers,
        template.pk,
        sender,
    )
    assert task.template_data == {"code": "4711"}
    assert (task.unsubscribe_language, task.ad_location) == ("en", 1)
    assert (task.task_type, task.status, task.created_by) == (
        TaskType.IMMEDIATE,
        TaskStatus.PENDING,
        operator,
    )
    assert "[AD] News for {{name}}" in response.text


def test_scheduled_and_recurring_tasks(account, owner_client, sender, template):
    readers = filled_list(account, 2)
    begin = (timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)

    owner_client.post(
        NEW_TASK,
        _task_data(
            sender,
            template,
            readers,
            task_type=TaskType.SCHEDULED,
            begin_at=begin.strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    owner_client.post(
        NEW_TASK,
        _task_data(
            sender,
            template,
            readers,
            task_type=TaskType.RECURRING,
            begin_at=begin.strftime("%Y-%m-%dT%H:%M"),
            interval_hours=6,
        ),
    )

    scheduled, recurring = BatchTask.objects.order_by("pk")
    assert (scheduled.task_type, scheduled.next_run_at) == (TaskType.SCHEDULED, begin)
    assert (recurring.task_type, recurring.interval_hours) == (TaskType.RECURRING, 6)
    page = owner_client.get(task_url(scheduled)).text
    assert "Next run" in page
    assert begin.strftime("%Y-%m-%d %H:%M") in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"var_code": ""}, "var_code", "Give a value: the list has no “code” column."),
        ({"task_type": 2}, "begin_at", "A scheduled task needs a begin time."),
        ({"task_type": 3}, "begin_at", "A recurring task needs a begin time."),
        (
            {"task_type": 3},
            "interval_hours",
            "A recurring task needs an interval in hours.",
        ),
        ({"subject": ""}, "subject", "This field is required."),
        (
            {"subject": "Hi {{name"},
            "subject",
            "Only plain variables like {{name}}",
        ),
        (
            {"task_type": 2, "begin_at": "2020-01-01T10:00"},
            "begin_at",
            "The begin time 2020-01-01 10:00 is not in the future. "
            "(InvalidParameterValue.BeginTimeBeforeNow)",
        ),
    ],
)
def test_mistakes_are_inline_errors(
    account, owner_client, sender, template, changes, field, message
):
    readers = filled_list(account, 2)

    response = owner_client.post(
        NEW_TASK, _task_data(sender, template, readers, **changes)
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert message.split("{{")[0] in response.text
    assert not BatchTask.objects.exists()


def test_a_blocked_domain_is_an_inline_error_on_the_sender(
    account, owner_client, sender, template
):
    readers = filled_list(account, 2)
    sender.domain.blocked_until = timezone.now() + timedelta(hours=1)
    sender.domain.save()

    response = owner_client.post(NEW_TASK, _task_data(sender, template, readers))

    assert response.status_code == 400
    assert "FailedOperation.TemporaryBlocked" in " ".join(
        response.context["form"].errors["from_address"]
    )
    assert not BatchTask.objects.exists()


def test_reviewers_see_tasks_but_neither_create_nor_control_them(
    account, reviewer_client, sender, template
):
    task = new_task(
        account, sender, template, filled_list(account, 2), template_data={"code": "1"}
    )

    page = reviewer_client.get(task_url(task)).text
    assert f"Batch task {task.pk}" in page
    assert "Cancel task" not in page
    assert "Pause" not in page

    assert reviewer_client.get(NEW_TASK).status_code == 403
    for action in ("pause", "resume", "cancel", "stop"):
        response = reviewer_client.post(task_url(task, f"batch_{action}"))
        assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING


def test_the_task_index_shows_status_counts_and_progress(
    account, owner_client, sender, template, settings
):
    settings.SES_BATCH_CHUNK = 2
    readers = filled_list(account, 4)
    task = new_task(account, sender, template, readers, template_data={"code": "1"})
    batches.start_run(task.pk)
    batches.fan_out(task.pk)  # 2 of 4

    page = owner_client.get(TASKS).text

    assert f'<tr data-task="{task.pk}">' in page
    assert '<span class="badge info">Sending</span>' in page
    assert '<span title="Requested">4</span> / <span title="Sent">2</span>' in page
    assert '<progress class="meter small" value="50" max="100"' in page
    assert 'hx-trigger="every 5s"' in page  # a task moves: the table follows

    fragment = owner_client.get(TASKS, **htmx("task-table")).text
    assert fragment.lstrip().startswith('<div id="task-table"')


def test_the_task_index_takes_the_same_queries_for_1_or_10_tasks(
    account, owner_client, sender, template
):
    readers = filled_list(account, 2)
    new_task(account, sender, template, readers, template_data={"code": "1"})
    few = query_count(owner_client, TASKS)
    for _ in range(9):
        new_task(account, sender, template, readers, template_data={"code": "1"})

    assert query_count(owner_client, TASKS) == few


# --- Batch tasks: detail and control ---------------------------------------------


@pytest.fixture
def task(account, sender, template):
    return new_task(
        account, sender, template, filled_list(account, 3), template_data={"code": "7"}
    )


def test_the_detail_page_follows_a_run_until_it_completes(owner_client, task):
    page = owner_client.get(task_url(task)).text
    assert 'hx-trigger="every 2s"' in page  # an immediate task starts any moment
    assert "No messages yet" in page
    assert '<progress class="meter" value="0" max="100"' in page

    drive(task.pk)

    fragment = owner_client.get(task_url(task), **htmx("task-status")).text
    assert fragment.lstrip().startswith('<section class="panel" id="task-status"')
    assert '<span class="badge ok">Complete</span>' in fragment
    assert '<div class="figure" data-count="sent">3</div>' in fragment
    assert '<progress class="meter" value="100" max="100"' in fragment
    assert "hx-trigger" not in fragment  # nothing moves any more
    assert "Cancel task" not in fragment

    page = owner_client.get(task_url(task)).text
    assert page.count('<tr data-recipient="reader') == 3
    assert "Hello" not in page  # subjects, not bodies
    assert "News for Reader 2" in page


def test_pause_resume_and_cancel(owner, owner_client, task, settings):
    settings.SES_BATCH_CHUNK = 1
    batches.start_run(task.pk)
    batches.fan_out(task.pk)
    page = owner_client.get(task_url(task)).text
    assert "Pause" in page
    assert "Resume" not in page
    assert 'data-confirm="Cancel task' in page

    response = owner_client.post(task_url(task, "batch_pause"), follow=True)
    task.refresh_from_db()
    assert (task.status, task.held, task.cached) == (TaskStatus.PAUSED, True, 2)
    assert f"Task {task.pk} is paused." in response.text
    assert '<span class="badge warn"' in response.text
    assert ">Paused</span>" in response.text
    assert "Resume" in response.text

    response = owner_client.post(task_url(task, "batch_resume"), follow=True)
    task.refresh_from_db()
    assert task.status == TaskStatus.SENDING
    assert f"Task {task.pk} is sending again." in response.text

    response = owner_client.post(task_url(task, "batch_cancel"), follow=True)
    task.refresh_from_db()
    assert task.status == TaskStatus.ERROR
    assert f"Task {task.pk} was cancelled; 1 message(s) not yet sent were failed." in (
        response.text
    )
    assert f"Cancelled by {owner.email}." in response.text
    assert Message.objects.get(batch=task).status == MessageStatus.FAILED


def test_refused_actions_show_the_service_message(owner_client, task):
    response = owner_client.post(task_url(task, "batch_resume"), follow=True)
    assert "Only a paused task can be resumed." in response.text

    response = owner_client.post(task_url(task, "batch_stop"), follow=True)
    assert "Only a recurring task can be stopped." in response.text

    drive(task.pk)
    response = owner_client.post(task_url(task, "batch_cancel"), follow=True)
    assert "The task has already ended." in response.text


def test_stopping_a_recurring_task(account, operator_client, sender, template):
    task = new_task(
        account,
        sender,
        template,
        filled_list(account, 2),
        template_data={"code": "1"},
        task_type=TaskType.RECURRING,
        interval_hours=24,
        begin_at=timezone.now() + timedelta(hours=1),
    )
    page = operator_client.get(task_url(task)).text
    assert "Stop recurring" in page
    assert 'hx-trigger="every 30s"' in page  # waiting for its time

    response = operator_client.post(task_url(task, "batch_stop"), follow=True)

    task.refresh_from_db()
    assert (task.status, task.stopped_at is not None) == (TaskStatus.COMPLETE, True)
    assert f"Task {task.pk} will not run again after its current run." in (
        response.text
    )
    assert "Stop recurring" not in response.text


def test_an_unknown_action_is_not_a_url(owner_client, task):
    response = owner_client.post(f"/batches/{task.pk}/explode/")
    assert response.status_code == 404


# --- The queue -----------------------------------------------------------------


def test_the_queue_counts_per_domain(
    account, other_account, sender, template, settings, reviewer_client
):
    settings.SES_BATCH_CHUNK = 5
    readers = filled_list(account, 12)
    sending = new_task(account, sender, template, readers, template_data={"code": "1"})
    batches.start_run(sending.pk)
    batches.fan_out(sending.pk)  # 5 queued, 7 not yet
    paused = new_task(account, sender, template, readers, template_data={"code": "1"})
    batches.start_run(paused.pk)
    batches.fan_out(paused.pk)  # 5 queued
    batches.pause(paused)  # 7 cached
    first, second = Message.objects.filter(batch=sending).order_by("pk")[:2]
    Message.objects.filter(pk=first.pk).update(status=MessageStatus.SENDING)
    Message.objects.filter(pk=second.pk).update(status=MessageStatus.DEFERRED)
    quiet = SenderDomainFactory(account=account, name="quiet.example", verified=True)
    MessageFactory(domain__account=other_account, status=MessageStatus.QUEUED)

    rows = {row["domain"].pk: row for row in batch_views.queue_by_domain(account)}

    assert set(rows) == {sender.domain.pk, quiet.pk}
    busy = rows[sender.domain.pk]
    assert (busy["queued"], busy["unfanned"], busy["cached"]) == (8, 7, 7)
    assert (busy["waiting"], busy["sending"], busy["deferred"]) == (22, 1, 1)
    assert (busy["sending_tasks"], busy["paused_tasks"]) == (1, 1)
    assert rows[quiet.pk]["waiting"] == 0

    page = reviewer_client.get(QUEUE).text
    assert '<div class="figure" data-total="waiting">22</div>' in page
    assert f'<tr data-domain="{sender.domain.name}">' in page
    assert "8 queued · 7 not yet queued · 7 cached" in page
    assert 'hx-trigger="every 5s"' in page
    assert f"#{paused.pk}" in page  # among the running tasks


def test_the_queue_refreshes_only_its_fragment(account, sender, owner_client):
    response = owner_client.get(QUEUE, **htmx("queue"))

    assert response.text.lstrip().startswith('<div id="queue"')
    assert "<html" not in response.text


def test_the_queue_without_domains_says_how_to_start(owner_client):
    page = owner_client.get(QUEUE).text
    assert "Nothing to queue yet" in page


def test_the_queue_takes_the_same_queries_however_much_waits(
    account, sender, template, owner_client, settings
):
    few = query_count(owner_client, QUEUE)
    settings.SES_BATCH_CHUNK = 100
    for _ in range(3):
        SenderDomainFactory(account=account, verified=True)
    readers = filled_list(account, 300)
    for _ in range(3):
        task = new_task(account, sender, template, readers, template_data={"code": "1"})
        batches.start_run(task.pk)
        batches.fan_out(task.pk)
    batches.pause(task)
    BatchTask.objects.filter(pk=task.pk).update(run_total=100_000)

    assert query_count(owner_client, QUEUE) == few
    assert few <= 8
