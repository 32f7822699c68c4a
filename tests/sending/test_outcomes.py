from datetime import timedelta

import pytest

from sending.delivery.outcomes import classify, retry_delay


@pytest.mark.parametrize(
    ("code", "text", "status", "bounce_type"),
    [
        (250, "2.0.0 OK: queued", "delivered", ""),
        (451, "4.7.1 Try again later", "deferred", ""),
        (None, "Connection refused", "deferred", ""),
        (
            550,
            "5.1.1 <x@y>: Recipient address rejected: User unknown",
            "bounced",
            "invalid_address",
        ),
        (550, "No such user here", "bounced", "invalid_address"),
        (
            550,
            "5.1.2 The domain example.invalid does not exist",
            "bounced",
            "invalid_address",
        ),
        (554, "5.7.1 Message rejected as spam by content filter", "bounced", "spam"),
        (550, "5.7.1 Blocked by policy", "bounced", "spam"),
        (554, "Transaction failed: spam detected", "bounced", "spam"),
        (552, "5.3.4 Message size exceeds fixed limit", "bounced", "other"),
    ],
)
def test_classify(code, text, status, bounce_type):
    outcome = classify(code, text)

    assert (outcome.status, outcome.bounce_type) == (status, bounce_type)


def test_retry_delay_doubles_up_to_an_hour():
    assert [retry_delay(n, 60).total_seconds() for n in range(1, 5)] == [
        60,
        120,
        240,
        480,
    ]
    assert retry_delay(20, 60) == timedelta(hours=1)
