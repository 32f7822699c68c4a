"""A recipient list and a batch task, made in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from sending.models import BatchTask
from tests.domains.test_domains_browser import log_in
from tests.sending.batch_helpers import drive
from tests.sending.helpers import approved_template, verified_sender

pytestmark = pytest.mark.browser


def test_upload_a_list_then_send_it_as_an_immediate_task(
    page, owner, password, account, tmp_path
):
    verified_sender(account)
    approved_template(
        account, name="Welcome", body="<p>Hello {{name}}, code {{code}}</p>"
    )
    recipients_csv = tmp_path / "readers.csv"
    recipients_csv.write_text(
        "email,name\nana@example.com,Ana\nbo@example.com,Bo\nnot-an-address,X\n"
    )
    log_in(page, owner, password)

    page.get_by_role("navigation").get_by_role("link", name="Recipient lists").click()
    expect(page.get_by_text("No recipient lists yet")).to_be_visible()
    page.get_by_role("link", name="Create your first list").click()
    page.get_by_label("Name").fill("Readers")
    page.get_by_role("button", name="Create list").click()
    expect(page.get_by_role("heading", name="Readers")).to_be_visible()

    page.get_by_label("CSV file").set_input_files(recipients_csv)
    page.get_by_role("button", name="Upload").click()

    expect(page.get_by_text("Imported readers.csv")).to_be_visible()
    summary = page.locator("#list-summary")
    expect(summary.locator("[data-count=total]")).to_have_text("3")
    expect(summary.locator("[data-count=valid]")).to_have_text("2")
    expect(summary.locator("[data-count=invalid]")).to_have_text("1")
    expect(summary.get_by_text("Complete")).to_be_visible()
    expect(page.locator("#preview").get_by_text("ana@example.com")).to_be_visible()
    expect(page.get_by_role("link", name="Download invalid rows")).to_be_visible()

    page.get_by_role("navigation").get_by_role("link", name="Batch sending").click()
    page.get_by_role("link", name="Create your first batch task").click()
    page.get_by_label("Recipient list").select_option(label="Readers (2 recipients)")
    page.get_by_label("Template").select_option(label="Welcome")
    variables = page.locator("#variables")
    expect(variables.get_by_label("{{code}}")).to_be_visible()  # no such column
    expect(variables.get_by_text("{{name}}")).to_be_visible()  # from the list
    page.get_by_label("Subject", exact=True).fill("News for {{name}}")
    variables.get_by_label("{{code}}").fill("4711")
    page.get_by_role("button", name="Create task").click()

    expect(page.get_by_text(re.compile(r"Batch task \d+ was created"))).to_be_visible()
    task = BatchTask.objects.get(account=account)
    expect(page.get_by_role("heading", name=f"Batch task {task.pk}")).to_be_visible()
    status = page.locator("#task-status")
    # The session's worker, once an earlier test started it, may already be
    # fanning the task out: the page shows whatever point it has reached.
    expect(status.locator("[data-count=requested]")).to_have_text(
        re.compile(r"^[012]$")
    )

    # What a worker does; the page follows by itself.
    drive(task.pk)
    expect(status.get_by_text("Complete", exact=True)).to_be_visible(timeout=10_000)
    expect(status.locator("[data-count=sent]")).to_have_text("2")
    expect(status.get_by_role("button", name="Cancel task")).to_have_count(0)
