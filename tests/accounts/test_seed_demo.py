from io import StringIO

from django.core.management import call_command

from accounts.models import Account, Membership
from domains.models import SenderAddress
from sending.models import ListStatus, RecipientList
from templates_app.models import EmailTemplate


def test_seed_demo_is_idempotent_and_prints_one_login_per_line(db):
    first, second = StringIO(), StringIO()

    call_command("seed_demo", stdout=first)
    call_command("seed_demo", stdout=second)

    lines = first.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == ["owner", "operator", "reviewer"]
    assert all(len(line.split()) == 3 and "@" in line.split()[1] for line in lines)
    assert first.getvalue() == second.getvalue()
    demo = Account.objects.get(slug="demo")
    assert Membership.objects.filter(account=demo).count() == 3
    assert SenderAddress.objects.filter(account=demo).count() == 1
    assert EmailTemplate.objects.for_account(demo).sendable().count() == 1
    demo_list = RecipientList.objects.get(account=demo)
    assert (demo_list.status, demo_list.valid_count) == (ListStatus.COMPLETE, 7)
