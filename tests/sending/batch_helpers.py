"""Building blocks for batch-sending tests."""

from sending import batches, recipients
from sending.models import BatchTask, Message, RecipientList


def filled_list(account, count: int, name: str = "Readers") -> RecipientList:
    """A list of `count` recipients reader0…@sink.example with a name column."""
    recipient_list = recipients.create_list(account=account, name=name)
    recipients.add_recipients(
        recipient_list,
        ((f"reader{n}@sink.example", {"name": f"Reader {n}"}) for n in range(count)),
    )
    recipient_list.refresh_from_db()
    return recipient_list


def new_task(account, sender, template, recipient_list, **options) -> BatchTask:
    return batches.create_task(
        account=account,
        from_email=sender.email,
        recipient_list=recipient_list,
        template_id=template.pk,
        subject=options.pop("subject", "News for {{name}}"),
        **options,
    )


def drive(task_id: int) -> batches.Step:
    """What the worker does for a task, in this process: start, fan out."""
    batches.start_run(task_id)
    while (step := batches.fan_out(task_id)) == batches.Step.MORE:
        pass
    return step


def queued_ids(task: BatchTask) -> list[int]:
    return list(
        Message.objects.filter(batch=task, status="queued")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
