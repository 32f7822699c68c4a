"""Reputation levels through the real pipeline: raise at once, lower overnight,
block for the day. Mail goes to the loopback sink; opens come back through the
pixel endpoint."""

import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from domains import reputation_updates
from domains.models import ReputationAction, ReputationChange, SenderDomain
from sending.delivery import runner
from sending.errors import TemporaryBlocked
from sending.models import Message
from sending.services import send_email
from tests.sending.helpers import approved_template, verified_sender

pytestmark = pytest.mark.django_db

BODY = '<p>Hello {{name}} <a href="https://example.com/x">more</a></p>'


@pytest.fixture
def sender(account):
    return verified_sender(account)


@pytest.fixture
def template(account):
    return approved_template(account, body=BODY)


def send_and_deliver(account, sender, template, recipients: list[str]) -> list[Message]:
    messages = []
    for start in range(0, len(recipients), 50):
        result = send_email(
            account=account,
            from_email=sender.email,
            recipients=recipients[start : start + 50],
            template_id=template.pk,
            template_data={"name": "Reader"},
            subject="Hello",
        )
        runner.deliver([m.pk for m in result.accepted])
        messages += result.messages
    return messages


def readers(day: int, count: int, start: int = 0) -> list[str]:
    return [f"reader{day}-{n}@example.net" for n in range(start, start + count)]


def unknown(day: int, count: int) -> list[str]:
    return [f"nobody{day}-{n}@simulator.invalid" for n in range(count)]


def domain_of(sender) -> SenderDomain:
    return SenderDomain.objects.get(pk=sender.domain.pk)


def open_pixel(mail_sink, message: Message) -> None:
    raw = next(r for r in mail_sink.received if message.message_id.encode() in r.raw)
    html = raw.message().get_body(("html",)).get_content()
    pixel = re.search(r'src="([^"]+/t/o/[^"]+)"', html).group(1)
    path = re.sub(r"^https?://[^/]+", "", unescape(pixel))
    assert Client().get(path).status_code == 200


def test_a_clean_day_climbs_several_levels_each_raise_recorded(
    account, sender, template, mail_sink
):
    first = send_and_deliver(account, sender, template, readers(0, 349))
    assert domain_of(sender).reputation_level == 1  # 349 < 70% of 500
    for message in first[:10]:
        open_pixel(mail_sink, message)

    send_and_deliver(account, sender, template, readers(0, 1, start=349))
    assert domain_of(sender).reputation_level == 2  # at once, on the 350th

    send_and_deliver(account, sender, template, readers(0, 1050, start=350))
    domain = domain_of(sender)
    assert (domain.reputation_level, domain.daily_limit) == (4, 5000)
    raises = list(ReputationChange.objects.filter(domain=domain).order_by("at", "pk"))
    assert [(c.action, c.old_level, c.new_level) for c in raises] == [
        (ReputationAction.RAISE, 1, 2),
        (ReputationAction.RAISE, 2, 3),
        (ReputationAction.RAISE, 3, 4),
    ]
    assert [c.figures["sent"] for c in raises] == [350, 700, 1400]
    assert raises[0].figures["unique_opens"] == 10
    assert raises[0].rule == "raise-a"
    assert "deliverability 100.00% > 92%" in raises[0].reason


def test_a_bad_day_is_lowered_once_the_next_night(account, sender, template, mail_sink):
    SenderDomain.objects.filter(pk=sender.domain.pk).update(
        reputation_level=5, daily_limit=10_000
    )
    start = timezone.now()
    # 410 sent: 40 to unknown users (9.8% invalid > 9%: lowered tonight, not
    # blocked today) and 10 refused as spam by the simulator.
    send_and_deliver(account, sender, template, readers(1, 360) + unknown(1, 40))
    for _ in range(10):
        send_and_deliver(account, sender, template, ["spam@simulator.invalid"])
    assert domain_of(sender).reputation_level == 5
    assert not domain_of(sender).is_blocked()

    with time_machine.travel(start + timedelta(days=1)):
        assert reputation_updates.lower_overnight() == 1
        assert reputation_updates.lower_overnight() == 0  # safe to run twice
    domain = domain_of(sender)
    assert (domain.reputation_level, domain.daily_limit) == (4, 5000)
    change = ReputationChange.objects.get(domain=domain)
    assert change.action == ReputationAction.LOWER
    assert change.rule == "lower-invalid"
    assert change.figures["invalid_bounces"] == 40
    assert change.figures["spam_bounces"] == 10
    assert change.figures["sent"] == 410


def test_a_missed_night_is_caught_up(account, sender, template, mail_sink):
    SenderDomain.objects.filter(pk=sender.domain.pk).update(
        reputation_level=5, daily_limit=10_000
    )
    start = timezone.now()
    with time_machine.travel(start + timedelta(days=1)):
        reputation_updates.lower_overnight()  # evaluates today-1: nothing sent
    with time_machine.travel(start + timedelta(days=1, hours=1)):
        send_and_deliver(account, sender, template, readers(2, 360) + unknown(2, 40))
    with time_machine.travel(start + timedelta(days=3)):  # night of day 2 missed
        assert reputation_updates.lower_overnight() == 1
    assert domain_of(sender).reputation_level == 4


def test_over_the_block_threshold_the_domain_is_blocked_until_the_next_day(
    account, sender, template, mail_sink
):
    start = timezone.now()
    SenderDomain.objects.filter(pk=sender.domain.pk).update(
        reputation_level=5, daily_limit=10_000
    )
    # 12% invalid once more than 300 were sent.
    recipients = [
        a for pair in zip(readers(3, 300), unknown(3, 300), strict=True) for a in pair
    ]
    with time_machine.travel(start, tick=True):
        with pytest.raises(TemporaryBlocked):
            send_and_deliver(
                account, sender, template, recipients[:260] + readers(3, 300, 300)
            )
        domain = domain_of(sender)
        assert domain.is_blocked()
        block = ReputationChange.objects.get(domain=domain)
        assert block.action == ReputationAction.BLOCK
        assert block.rule == "block-invalid"
        with pytest.raises(TemporaryBlocked):
            send_and_deliver(account, sender, template, readers(3, 1, 900))
    with time_machine.travel(start + timedelta(days=1)):
        assert not domain_of(sender).is_blocked()
        send_and_deliver(account, sender, template, readers(4, 1))
