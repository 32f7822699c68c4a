"""Batch tasks in this process: fan-out, the daily limit across days, control."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from domains.models import SenderDomain
from sending import batches, quota
from sending.delivery import runner
from sending.errors import BeginTimeInPast, ListNotReady, TaskNotChangeable
from sending.models import (
    AdLocation,
    BatchTask,
    DailyUsage,
    Message,
    MessageStatus,
    TaskStatus,
    TaskType,
)
from sending.suppression import suppress
from templates_app.errors import MissingVariables
from tests.sending.batch_helpers import drive, filled_list, new_task, queued_ids
from tests.sending.helpers import approved_template, verified_sender

pytestmark = pytest.mark.django_db


@pytest.fixture
def sender(account):
    return verified_sender(account)


@pytest.fixture
def template(account):
    return approved_template(account, body="<p>Hello {{name}}</p>")


def test_a_run_fans_out_in_chunks_with_each_recipients_values(
    account, sender, template, settings
):
    settings.SES_BATCH_CHUNK = 7
    readers = filled_list(account, 30)
    suppress(account=account, address="reader3@sink.example", reason="manual")
    task = new_task(
        account, sender, template, readers, ad_location=AdLocation.SUBJECT_PREFIX
    )

    assert drive(task.pk) == batches.Step.DONE

    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETE
    assert (task.requested, task.sent, task.cached, task.progress_percent) == (
        30,
        30,
        0,
        100,
    )
    messages = Message.objects.filter(batch=task).order_by("pk")
    assert [m.recipient for m in messages] == [
        f"reader{n}@sink.example" for n in range(30)
    ]
    first = messages[0]
    assert first.subject == "[AD] News for Reader 0"
    assert first.variables == {"name": "Reader 0"}
    assert messages[3].status == MessageStatus.DROPPED
    assert quota.used(sender.domain) == 29


def test_the_daily_limit_pauses_and_the_next_days_finish_never_over_the_limit(
    account, sender, template, mail_sink, settings
):
    settings.SES_BATCH_CHUNK = 400
    # 1,000 a day, and no raise: level 20 rises only by a quota request.
    SenderDomain.objects.filter(pk=sender.domain.pk).update(
        reputation_level=20, daily_limit=1000
    )
    readers = filled_list(account, 3000)
    task = new_task(account, sender, template, readers)
    start = timezone.now()

    for day in range(3):
        with time_machine.travel(start + timedelta(days=day), tick=True):
            if day:
                assert batches.due_task_ids() == [task.pk]
            step = drive(task.pk)
            task.refresh_from_db()
            if day < 2:
                assert step == batches.Step.PAUSED
                assert task.status == TaskStatus.PAUSED
                assert task.cached == 2000 - 1000 * day
            else:
                assert step == batches.Step.DONE
                assert task.status == TaskStatus.COMPLETE
            runner.deliver(queued_ids(task))
            assert quota.used(sender.domain) == 1000
            # Nothing more today: the beat leaves a paused task alone.
            assert task.pk not in batches.due_task_ids()

    assert sorted(DailyUsage.objects.values_list("reserved", flat=True)) == [1000] * 3
    delivered = [m.rcpt_tos[0] for m in mail_sink.received]
    assert len(delivered) == 3000 == len(set(delivered))
    assert not Message.objects.filter(batch=task).exclude(
        status=MessageStatus.DELIVERED
    )


def test_a_scheduled_task_waits_for_its_time(account, sender, template):
    begin = timezone.now() + timedelta(hours=2)
    task = new_task(
        account,
        sender,
        template,
        filled_list(account, 3),
        task_type=TaskType.SCHEDULED,
        begin_at=begin,
    )
    assert batches.due_task_ids() == []
    assert not batches.start_run(task.pk)
    with time_machine.travel(begin + timedelta(seconds=1)):
        assert batches.due_task_ids() == [task.pk]
        assert drive(task.pk) == batches.Step.DONE
    assert Message.objects.filter(batch=task).count() == 3


def test_a_recurring_task_runs_every_interval_until_stopped(account, sender, template):
    begin = timezone.now() + timedelta(minutes=5)
    task = new_task(
        account,
        sender,
        template,
        filled_list(account, 2),
        task_type=TaskType.RECURRING,
        begin_at=begin,
        interval_hours=6,
    )
    for run in range(2):
        with time_machine.travel(begin + timedelta(hours=6 * run, seconds=1)):
            assert batches.due_task_ids() == [task.pk]
            drive(task.pk)
            task.refresh_from_db()
            assert task.status == TaskStatus.PENDING
            assert task.next_run_at == begin + timedelta(hours=6 * (run + 1))
    assert (task.runs, task.requested) == (2, 4)
    batches.stop_recurring(task)
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETE
    with time_machine.travel(begin + timedelta(hours=12, seconds=1)):
        assert batches.due_task_ids() == []
    assert Message.objects.filter(batch=task).count() == 4


def test_pause_resume_and_cancel(account, sender, template, settings):
    settings.SES_BATCH_CHUNK = 10
    task = new_task(account, sender, template, filled_list(account, 25))
    batches.start_run(task.pk)
    batches.fan_out(task.pk)
    batches.pause(task)
    assert batches.fan_out(task.pk) == batches.Step.IDLE
    task.refresh_from_db()
    assert (task.status, task.held, task.cached) == (TaskStatus.PAUSED, True, 15)
    assert task.pk not in batches.due_task_ids()  # held: not resumed by itself

    batches.resume(task)
    assert batches.fan_out(task.pk) == batches.Step.MORE
    failed = batches.cancel(task, by="ana@example.com")
    assert failed == 20
    task.refresh_from_db()
    assert task.status == TaskStatus.ERROR
    assert task.error == "Cancelled by ana@example.com."
    assert quota.used(sender.domain) == 0
    with pytest.raises(TaskNotChangeable):
        batches.resume(task)


def test_a_blocked_domain_fails_the_unsent_rest(account, sender, template, settings):
    settings.SES_BATCH_CHUNK = 10
    task = new_task(account, sender, template, filled_list(account, 25))
    batches.start_run(task.pk)
    batches.fan_out(task.pk)
    SenderDomain.objects.filter(pk=sender.domain.pk).update(
        blocked_until=timezone.now() + timedelta(hours=3)
    )
    assert batches.fan_out(task.pk) == batches.Step.IDLE
    task.refresh_from_db()
    assert task.status == TaskStatus.ERROR
    assert "blocked" in task.error
    assert set(Message.objects.filter(batch=task).values_list("status", flat=True)) == {
        MessageStatus.FAILED
    }


def test_tasks_refuse_what_a_run_could_not_send(account, sender, template):
    readers = filled_list(account, 2)
    with pytest.raises(MissingVariables, match="city"):
        new_task(account, sender, template, readers, subject="Hi {{city}}")
    new_task(
        account,
        sender,
        template,
        readers,
        subject="Hi {{city}}",
        template_data={"city": "Rio"},
    )
    with pytest.raises(BeginTimeInPast):
        new_task(
            account,
            sender,
            template,
            readers,
            task_type=TaskType.SCHEDULED,
            begin_at=timezone.now() - timedelta(minutes=1),
        )
    empty = filled_list(account, 0, name="Empty")
    with pytest.raises(ListNotReady):
        new_task(account, sender, template, empty)
    assert BatchTask.objects.count() == 1


def test_a_domain_that_stops_being_verified_pauses_the_task(
    account, sender, template, settings
):
    settings.SES_BATCH_CHUNK = 10
    task = new_task(account, sender, template, filled_list(account, 25))
    batches.start_run(task.pk)
    batches.fan_out(task.pk)
    SenderDomain.objects.filter(pk=sender.domain.pk).update(status="failed")
    assert batches.fan_out(task.pk) == batches.Step.IDLE
    task.refresh_from_db()
    assert (task.status, task.held, task.cached) == (TaskStatus.PAUSED, True, 15)
    assert "not verified" in task.error
    assert task.pk not in batches.due_task_ids()


def test_a_block_ends_a_recurring_run_but_not_the_next_runs(
    account, sender, template, settings
):
    settings.SES_BATCH_CHUNK = 10
    begin = timezone.now() + timedelta(minutes=1)
    task = new_task(
        account,
        sender,
        template,
        filled_list(account, 25),
        task_type=TaskType.RECURRING,
        begin_at=begin,
        interval_hours=24,
    )
    with time_machine.travel(begin + timedelta(seconds=1)):
        batches.start_run(task.pk)
        batches.fan_out(task.pk)
        batches.fail_for_blocked_domain(sender.domain.pk)
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING
    assert task.next_run_at == begin + timedelta(hours=24)
    assert "blocked" in task.error
    assert not Message.objects.filter(batch=task, status=MessageStatus.QUEUED)
