"""Recipient CSV import: every edge a real spreadsheet export has."""

import io

import pytest

from sending import recipients
from sending.errors import ListNameTaken, RecipientFileError
from sending.models import ListStatus, Recipient
from sending.recipients import Reason

pytestmark = pytest.mark.django_db


@pytest.fixture
def recipient_list(account):
    return recipients.create_list(account=account, name="Customers")


def import_text(recipient_list, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return recipients.import_csv(recipient_list, io.BytesIO(data), filename="x.csv")


def rows(recipient_list):
    return list(
        Recipient.objects.filter(recipient_list=recipient_list)
        .order_by("pk")
        .values_list("email", "data", "valid", "reason", "line")
    )


def test_plain_comma_file(recipient_list):
    counts = import_text(
        recipient_list, "email,name\nana@example.com,Ana\nbo@example.com,Bo\n"
    )
    assert counts.valid_count == 2
    assert counts.total_rows == 2
    recipient_list.refresh_from_db()
    assert recipient_list.status == ListStatus.COMPLETE
    assert recipient_list.columns == ["name"]
    assert rows(recipient_list) == [
        ("ana@example.com", '{"name":"Ana"}', True, "", 2),
        ("bo@example.com", '{"name":"Bo"}', True, "", 3),
    ]


def test_bom_semicolons_quotes_and_blank_lines(recipient_list):
    text = (
        "\ufeffEmail;name;city\r\n"
        "\r\n"
        'ana@example.com;"Ana; the first";"São Paulo"\r\n'
        ";;\r\n"
        '"bo@example.com";"Bo ""B"" Smith";"Line one\nline two"\r\n'
    )
    counts = import_text(recipient_list, text.encode("utf-8"))
    assert counts.valid_count == 2
    assert counts.total_rows == 2
    stored = rows(recipient_list)
    assert stored[0][:3] == (
        "ana@example.com",
        '{"name":"Ana; the first","city":"São Paulo"}',
        True,
    )
    assert stored[1][1] == '{"name":"Bo \\"B\\" Smith","city":"Line one\\nline two"}'


def test_bad_rows_are_kept_with_reasons_and_counted(recipient_list):
    text = (
        "email,name\n"
        "ana@example.com,Ana\n"
        ",Nobody\n"
        "not-an-address,Bad\n"
        "ANA@example.com,Ana again\n"
        f"long@example.com,{'x' * 800}\n"
        "extra@example.com,Extra,surplus\n"
        "last@example.com,Last\n"
    )
    counts = import_text(recipient_list, text)
    assert counts.as_dict() == {
        "total_rows": 7,
        "valid_count": 2,
        "empty_count": 1,
        "too_long_count": 1,
        "duplicate_count": 1,
        "invalid_count": 2,
    }
    assert list(recipients.invalid_rows(recipient_list)) == [
        (3, "", Reason.EMPTY),
        (4, "not-an-address", Reason.INVALID),
        (5, "ANA@example.com", Reason.DUPLICATE),
        (6, "long@example.com", Reason.TOO_LONG),
        (7, "extra@example.com", Reason.EXTRA_VALUES),
    ]
    recipient_list.refresh_from_db()
    assert recipient_list.valid_count == 2
    assert recipient_list.rejected_count == 5


def test_wrong_encoding_is_a_clear_error_and_nothing_is_kept(recipient_list):
    text = "email,name\nana@example.com,Ana\nbo@example.com,Bj\xf6rn\n".encode(
        "latin-1"
    )
    with pytest.raises(RecipientFileError, match=r"not UTF-8.*line 3"):
        import_text(recipient_list, text)
    recipient_list.refresh_from_db()
    assert recipient_list.status == ListStatus.PENDING
    assert "not UTF-8" in recipient_list.error
    assert rows(recipient_list) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("name,city\nAna,Rio\n", "“email” column"),
        ("email,first name\na@b.com,Ana\n", "not a template variable name"),
        ("email,name,name\na@b.com,A,B\n", "twice"),
        ("email,name\n", "no rows"),
    ],
)
def test_unusable_files_are_refused_whole(recipient_list, text, message):
    with pytest.raises(RecipientFileError, match=message):
        import_text(recipient_list, text)
    assert rows(recipient_list) == []


def test_a_second_upload_appends_and_finds_duplicates_of_the_first(recipient_list):
    import_text(recipient_list, "email\nana@example.com\n")
    counts = import_text(
        recipient_list, "email,name\nAna@Example.com,A\nbo@example.com,B\n"
    )
    assert (counts.valid_count, counts.duplicate_count) == (1, 1)
    recipient_list.refresh_from_db()
    assert recipient_list.valid_count == 2
    assert recipient_list.columns == ["name"]


def test_api_appends_count_like_the_api_answers(recipient_list):
    counts = recipients.add_recipients(
        recipient_list,
        [("ana@example.com", {"name": "Ana"}), ("", None), ("ana@example.com", None)],
    )
    assert (counts.total_rows, counts.valid_count, counts.empty_count) == (3, 1, 1)
    assert counts.duplicate_count == 1


def test_list_names_are_unique_per_account(account, other_account, recipient_list):
    with pytest.raises(ListNameTaken):
        recipients.create_list(account=account, name="Customers ")
    recipients.create_list(account=other_account, name="Customers")


def test_a_nul_byte_is_an_invalid_address_not_a_crash(recipient_list):
    counts = import_text(recipient_list, "email\nana@exa\x00mple.com\nbo@example.com\n")
    assert (counts.valid_count, counts.invalid_count) == (1, 1)
    counts = recipients.add_recipients(recipient_list, [("cy\x00@example.com", None)])
    assert counts.invalid_count == 1


def test_an_upload_its_worker_lost_can_be_started_again(recipient_list):
    from datetime import timedelta

    from django.utils import timezone

    from sending.models import RecipientList

    RecipientList.objects.filter(pk=recipient_list.pk).update(
        status=ListStatus.UPLOADING, updated_at=timezone.now() - timedelta(hours=2)
    )
    recipient_list.refresh_from_db()
    assert not recipients.import_running(recipient_list)
    assert import_text(recipient_list, "email\nana@example.com\n").valid_count == 1
