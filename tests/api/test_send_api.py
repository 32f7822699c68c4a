"""SendEmail and GetSendEmailStatus through the official SDK."""

import json
import time

import pytest
from django.utils import timezone

from sending import quota
from tests.api.conftest import call, refused
from tests.sending.helpers import approved_template, dkim_verifies, verified_sender


@pytest.fixture
def ready(account, dns):
    return verified_sender(account, dns), approved_template(account)


def send_params(sender, template, **overrides) -> dict:
    return {
        "FromEmailAddress": f"Acme Support <{sender.email}>",
        "Destination": ["success@simulator.invalid"],
        "Subject": "Hello {{name}}",
        "Template": {
            "TemplateID": template.pk,
            "TemplateData": json.dumps({"name": "Ana"}),
        },
        "Unsubscribe": "2",
        "TriggerType": 1,
    } | overrides


def today() -> str:
    return quota.sending_day().isoformat()


@pytest.mark.worker
def test_sdk_send_arrives_signed_and_is_reported_delivered(
    ses, ready, mail_sink, celery_worker
):
    sender, template = ready

    message_id = call(ses, "SendEmail", **send_params(sender, template)).MessageId

    [received] = mail_sink.wait_for(1, timeout=30)
    assert dkim_verifies(received.raw)
    assert received.headers()["Subject"] == "Hello Ana"
    assert "List-Unsubscribe" in received.headers()
    deadline = time.monotonic() + 45
    while True:
        statuses = call(
            ses,
            "GetSendEmailStatus",
            RequestDate=today(),
            Offset=0,
            Limit=10,
            MessageId=message_id,
        ).EmailStatusList
        if (statuses and statuses[0].DeliverStatus == 1) or time.monotonic() > deadline:
            break
        time.sleep(1.1)  # a new second: a new signature (the same one is a replay)
    [status] = statuses
    assert (status.SendStatus, status.DeliverStatus) == (0, 1)
    assert status.ToEmailAddress == "success@simulator.invalid"
    assert status.FromEmailAddress == sender.email
    assert status.DeliverTime >= status.RequestTime > 0
    assert status.UserOpened is False


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"Destination": []}, "InvalidParameterValue.EmailAddressIsNULL"),
        (
            {"Destination": [f"r{n}@example.org" for n in range(51)]},
            "FailedOperation.TooManyRecipients",
        ),
        (
            {"Destination": ["not an address"]},
            "InvalidParameterValue.IllegalEmailAddress",
        ),
        (
            {"FromEmailAddress": "nobody@acme-mail.com"},
            "InvalidParameterValue.NoSuchSender",
        ),
        ({"Unsubscribe": "99"}, "InvalidParameterValue"),
        (
            {"Template": None, "Simple": {"Html": "PHA+aGk8L3A+"}},
            "FailedOperation.WithOutPermission",
        ),
    ],
)
def test_send_refusals_arrive_as_sdk_errors(ses, ready, overrides, code):
    sender, template = ready
    params = {
        k: v
        for k, v in send_params(sender, template, **overrides).items()
        if v is not None
    }

    assert refused(ses, "SendEmail", **params) == code


def test_send_refusals_from_the_template_and_the_limit(ses, ready, account):
    from tests.factories import EmailTemplateFactory

    sender, template = ready
    pending = EmailTemplateFactory(account=account, status="pending")
    assert (
        refused(ses, "SendEmail", **send_params(sender, pending))
        == "OperationDenied.TemplateStatusError"
    )
    missing_data = send_params(sender, template, Subject="Hi")
    missing_data["Template"]["TemplateData"] = "{}"
    assert refused(ses, "SendEmail", **missing_data) == (
        "InvalidParameterValue.TemplateNotMatchData"
    )
    bad_json = send_params(sender, template, Subject="Hey")
    bad_json["Template"]["TemplateData"] = "{not json"
    assert refused(ses, "SendEmail", **bad_json) == "FailedOperation.WrongContentJson"
    quota.reserve(sender.domain, 500)
    assert refused(ses, "SendEmail", **send_params(sender, template)) == (
        "FailedOperation.ExceedSendLimit"
    )


def test_status_of_another_accounts_message_is_invisible(ses, outsider_ses, ready):
    sender, template = ready
    message_id = call(ses, "SendEmail", **send_params(sender, template)).MessageId

    theirs = call(
        outsider_ses,
        "GetSendEmailStatus",
        RequestDate=today(),
        Offset=0,
        Limit=10,
        MessageId=message_id,
    )

    assert theirs.EmailStatusList == []


def test_status_needs_a_valid_date_and_limit(ses, db):
    assert (
        refused(ses, "GetSendEmailStatus", RequestDate="26/11/2026", Offset=0, Limit=10)
        == "InvalidParameterValue.WrongDate"
    )
    assert (
        refused(
            ses,
            "GetSendEmailStatus",
            RequestDate=str(timezone.now().date()),
            Offset=0,
            Limit=500,
        )
        == "FailedOperation.InvalidLimit"
    )


@pytest.mark.worker
def test_cc_and_bcc_each_get_a_copy_and_bcc_stays_hidden(
    ses, ready, mail_sink, celery_worker
):
    sender, template = ready
    params = send_params(
        sender,
        template,
        Destination=["to@sink.example"],
        Cc=["cc@sink.example"],
        Bcc=["hidden@sink.example"],
        ReplyToAddresses="replies@acme-mail.com",
        Unsubscribe="0",
    )

    call(ses, "SendEmail", **params)

    received = mail_sink.wait_for(3, timeout=30)
    assert sorted(r.rcpt_tos[0] for r in received) == [
        "cc@sink.example",
        "hidden@sink.example",
        "to@sink.example",
    ]
    for copy in received:
        headers = copy.headers()
        assert headers["To"] == "to@sink.example"
        assert headers["Cc"] == "cc@sink.example"
        assert headers["Reply-To"] == "replies@acme-mail.com"
        assert b"hidden@sink.example" not in copy.raw.split(b"\r\n\r\n")[0]
        assert dkim_verifies(copy.raw)


def test_bcc_may_not_repeat_destination(ses, ready):
    sender, template = ready
    params = send_params(sender, template, Bcc=["success@simulator.invalid"])

    assert refused(ses, "SendEmail", **params) == "InvalidParameterValue"


@pytest.mark.worker
def test_attachments_arrive_intact_and_signed(ses, ready, mail_sink, celery_worker):
    import base64

    sender, template = ready
    pdf = b"%PDF-1.4 fake but binary \x00\xff\x10" * 200
    params = send_params(
        sender,
        template,
        Unsubscribe="0",
        Attachments=[
            {
                "FileName": "Rechnung März.pdf",
                "Content": base64.b64encode(pdf).decode(),
            },
            {"FileName": "notes.txt", "Content": base64.b64encode(b"hello").decode()},
        ],
    )

    call(ses, "SendEmail", **params)

    [received] = mail_sink.wait_for(1, timeout=30)
    assert dkim_verifies(received.raw)
    attachments = list(received.message().iter_attachments())
    assert [a.get_filename() for a in attachments] == ["Rechnung März.pdf", "notes.txt"]
    assert attachments[0].get_content() == pdf
    assert attachments[0].get_content_type() == "application/pdf"
    assert received.message().get_body(("html",)) is not None


@pytest.mark.parametrize(
    ("files", "code"),
    [
        (
            [{"FileName": "run.exe", "Content": "TVo="}],
            "FailedOperation.InvalidAttachName",
        ),
        (
            [{"FileName": "a.txt", "Content": "not base64!"}],
            ("InvalidParameterValue.AttachContentIsWrong"),
        ),
        (
            [{"FileName": f"{n}.txt", "Content": "aGk="} for n in range(11)],
            ("FailedOperation.TooManyAttachments"),
        ),
    ],
)
def test_attachment_refusals(ses, ready, files, code):
    sender, template = ready

    assert (
        refused(ses, "SendEmail", **send_params(sender, template, Attachments=files))
        == code
    )


def test_attachments_over_4_mb_are_refused(ses, ready, settings):
    import base64

    sender, template = ready
    big = base64.b64encode(b"x" * (4 * 1024 * 1024 + 1)).decode()
    params = send_params(
        sender, template, Attachments=[{"FileName": "big.txt", "Content": big}]
    )

    assert (
        refused(ses, "SendEmail", **params) == "FailedOperation.AttachContentToolarge"
    )
