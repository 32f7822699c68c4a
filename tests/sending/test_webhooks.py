"""Event webhooks: queueing, signed posts to a loopback receiver, retries, pages."""

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message as Headers
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from sending import events as message_events
from sending import webhooks
from sending.models import (
    BounceType,
    EventKind,
    Message,
    MessageEvent,
    WebhookDelivery,
    WebhookEndpoint,
)
from stats.counters import NewEvent, record_events
from tests.conftest import client_for
from tests.factories import AccountFactory, MessageFactory, SenderDomainFactory
from tests.sending.helpers import approved_template

# --- A loopback receiver ------------------------------------------------------


@dataclass(frozen=True)
class Received:
    headers: Headers
    body: bytes

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST.

    It answers the statuses in `answers` first, one per request, then 200.
    """

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: list[int] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.received.append(Received(self.headers, body))
                    status = receiver.answers.pop(0) if receiver.answers else 200
                text = b"thanks" if status == 200 else b"receiver says no"
                self.send_response(status)
                if status == 302:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/ses/events"

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings: object) -> Iterator[Receiver]:
    settings.SES_WEBHOOK_ALLOW_HTTP = True
    settings.SES_WEBHOOK_SETTLE_SECONDS = 0
    with Receiver() as server:
        yield server


def verified(request: Received, secret: str) -> dict:
    """The payload of `request`, after checking its signature as a receiver would."""
    timestamp = request.headers["X-SES-Timestamp"]
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(request.headers["X-SES-Signature"], f"sha256={expected}")
    assert abs(int(timestamp) - timezone.now().timestamp()) < 300
    assert request.headers["Content-Type"].startswith("application/json")
    return request.payload


# --- Setting up events through the real recorders -----------------------------


@pytest.fixture
def domain(account):
    return SenderDomainFactory(account=account, name="acme-mail.com", verified=True)


def message_to(domain, recipient: str = "ana@example.org", **kwargs) -> Message:
    return MessageFactory(domain=domain, recipient=recipient, **kwargs)


def record(message: Message, kind: str, **kwargs) -> MessageEvent:
    return record_events([NewEvent(message, kind, **kwargs)])[0]


def endpoint_for(account, url: str, kinds: list[str] | None = None) -> WebhookEndpoint:
    return webhooks.create_endpoint(account=account, url=url, event_kinds=kinds or [])


def secret_of(endpoint: WebhookEndpoint) -> str:
    return webhooks.endpoint_secret(endpoint)


# --- Signing and payloads -----------------------------------------------------


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    body = b'{"event":"delivered"}'

    signed = webhooks.signature("k" * 64, 1700000000, body)

    mac = hmac.new(b"k" * 64, b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signed == f"sha256={mac}"
    assert webhooks.signature("k" * 64, 1700000001, body) != signed
    assert webhooks.signature("j" * 64, 1700000000, body) != signed


def test_a_bounce_payload_has_tencents_callback_fields(account, domain, operator):
    template = approved_template(account)
    message = message_to(
        domain,
        template_version=template.approved_version,
        bounce_type=BounceType.INVALID_ADDRESS,
    )
    event = record(message, EventKind.BOUNCED, detail="550 5.1.1 no such user")

    payload = webhooks.payload_for(event)

    assert payload == {
        "event": "bounce",
        "eventid": 3,
        "email": "ana@example.org",
        "link": "",
        "bulkId": message.request_id,
        "messageId": f"{message.message_id}@acme-mail.com",
        "timestamp": int(event.at.timestamp()),
        "reason": "550 5.1.1 no such user",
        "bounceType": "hard_bounce",
        "from": message.from_email,
        "fromDomain": "acme-mail.com",
        "subject": "Hello",
        "templateId": template.pk,
        "taskId": None,
        "useragent": "",
        "sentTimestamp": None,
    }


def test_click_spam_and_other_bounce_payloads(domain):
    message = message_to(domain, bounce_type=BounceType.SPAM)
    message_events.record_click(
        message, link="https://acme.example/sale", user_agent="Mozilla/5.0"
    )
    click = webhooks.payload_for(MessageEvent.objects.get(kind=EventKind.CLICKED))
    bounce = record(message, EventKind.BOUNCED, detail="554 spam")
    complaint = record(message, EventKind.COMPLAINED)

    assert (click["event"], click["eventid"], click["link"], click["useragent"]) == (
        "click",
        5,
        "https://acme.example/sale",
        "Mozilla/5.0",
    )
    assert webhooks.payload_for(bounce)["bounceType"] == "soft_bounce"
    assert webhooks.payload_for(complaint)["event"] == "spamreport"


# --- Dispatch -----------------------------------------------------------------


def test_every_event_reaches_the_receiver_once_signed(account, domain, receiver):
    endpoint = endpoint_for(account, receiver.url)
    ana = message_to(domain, "ana@example.org")
    bo = message_to(domain, "bo@example.org")
    for kind in (EventKind.ACCEPTED, EventKind.QUEUED, EventKind.DELIVERED):
        record(ana, kind)
    record(bo, EventKind.DEFERRED, detail="451 try later")
    record(bo, EventKind.REQUEUED)
    record(bo, EventKind.FAILED, detail="Gave up after 72 hours")
    message_events.record_open(ana, user_agent="Mail/1.0")
    message_events.record_click(ana, link="https://acme.example/", user_agent="M/2")
    message_events.record_unsubscribe(ana)
    message_events.record_complaint(ana, detail="abuse report")
    expected = list(
        MessageEvent.objects.filter(kind__in=webhooks.WEBHOOK_KINDS).order_by("pk")
    )

    webhooks.dispatch()
    webhooks.dispatch()  # nothing new: nothing more

    payloads = [verified(r, secret_of(endpoint)) for r in receiver.received]
    assert len(payloads) == len(expected) == 7
    by_bulk_and_event = sorted((p["email"], p["event"], p["reason"]) for p in payloads)
    assert by_bulk_and_event == sorted(
        [
            ("ana@example.org", "delivered", ""),
            ("ana@example.org", "open", ""),
            ("ana@example.org", "click", ""),
            ("ana@example.org", "unsubscribe", ""),
            ("ana@example.org", "spamreport", "abuse report"),
            ("bo@example.org", "deferred", "451 try later"),
            ("bo@example.org", "dropped", "Gave up after 72 hours"),
        ]
    )
    delivery_ids = {r.headers["X-SES-Delivery"] for r in receiver.received}
    assert len(delivery_ids) == 7
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert {(d.status, d.attempts, d.last_status_code) for d in deliveries} == {
        (webhooks.DONE, 1, 200)
    }
    assert sorted(d.event_id for d in deliveries) == [e.pk for e in expected]
    endpoint.refresh_from_db()
    assert endpoint.cursor == MessageEvent.objects.order_by("-pk").first().pk


def test_a_receiver_failing_three_times_gets_the_event_on_the_fourth_try(
    account, domain, receiver, settings
):
    settings.SES_WEBHOOK_RETRY_BASE_SECONDS = 30
    endpoint = endpoint_for(account, receiver.url)
    record(message_to(domain), EventKind.DELIVERED)
    receiver.answers = [500, 503, 500]
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        webhooks.dispatch()
        webhooks.dispatch()  # not due again yet
    assert len(receiver.received) == 1
    for wait in (30, 30 + 60, 30 + 60 + 120):
        with time_machine.travel(start + timedelta(seconds=wait - 1), tick=False):
            webhooks.dispatch()  # a second early: nothing
        with time_machine.travel(start + timedelta(seconds=wait + 1), tick=False):
            webhooks.dispatch()

    assert len(receiver.received) == 4
    payloads = [verified(r, secret_of(endpoint)) for r in receiver.received]
    assert {p["event"] for p in payloads} == {"delivered"}
    assert len({r.headers["X-SES-Delivery"] for r in receiver.received}) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        webhooks.DONE,
        4,
        200,
    )
    assert delivery.last_response == "thanks"


def test_a_failing_delivery_records_the_answer_and_gives_up_after_24_hours(
    account, domain, receiver, settings
):
    settings.SES_WEBHOOK_RETRY_BASE_SECONDS = 0
    endpoint_for(account, receiver.url)
    record(message_to(domain), EventKind.DELIVERED)
    receiver.answers = [500] * 10
    start = timezone.now()

    webhooks.dispatch()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        webhooks.PENDING,
        1,
        500,
    )
    assert delivery.last_response == "receiver says no"
    with time_machine.travel(start + timedelta(hours=24, seconds=1), tick=False):
        webhooks.dispatch()

    delivery.refresh_from_db()
    assert delivery.status == webhooks.FAILED
    assert delivery.finished_at is not None
    assert len(receiver.received) == 1


def test_retries_back_off_from_the_base_to_an_hour(settings):
    settings.SES_WEBHOOK_RETRY_BASE_SECONDS = 30

    delays = [webhooks.retry_delay(n).total_seconds() for n in range(1, 10)]

    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_redirects_are_answers_not_followed(account, domain, receiver):
    endpoint_for(account, receiver.url)
    record(message_to(domain), EventKind.DELIVERED)
    receiver.answers = [302]

    webhooks.dispatch()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == (webhooks.PENDING, 302)
    assert len(receiver.received) == 1


def test_an_unreachable_receiver_is_recorded_and_retried(account, domain, receiver):
    # A port nobody listens on: bind one, then close it.
    with Receiver() as gone:
        url = gone.url
    endpoint_for(account, url)
    record(message_to(domain), EventKind.DELIVERED)

    webhooks.dispatch()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == webhooks.PENDING
    assert delivery.last_status_code is None
    assert delivery.last_response.startswith("Could not connect")


def test_disabled_endpoints_get_nothing_and_resume_with_new_events(
    account, domain, receiver
):
    endpoint = endpoint_for(account, receiver.url)
    message = message_to(domain)
    webhooks.set_endpoint_enabled(endpoint=endpoint, enabled=False)
    record(message, EventKind.DELIVERED)

    webhooks.dispatch()
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()

    webhooks.set_endpoint_enabled(endpoint=endpoint, enabled=True)
    record(message, EventKind.OPENED, first=True)
    webhooks.dispatch()

    assert [r.payload["event"] for r in receiver.received] == ["open"]


def test_pending_deliveries_of_a_disabled_endpoint_wait(account, domain, receiver):
    endpoint = endpoint_for(account, receiver.url)
    record(message_to(domain), EventKind.DELIVERED)
    webhooks.queue_new_events()
    webhooks.set_endpoint_enabled(endpoint=endpoint, enabled=False)

    webhooks.dispatch()

    assert receiver.received == []
    assert WebhookDelivery.objects.get().status == webhooks.PENDING


def test_another_accounts_events_never_reach_this_endpoint(
    account, other_account, domain, receiver
):
    endpoint = endpoint_for(account, receiver.url)
    elsewhere = SenderDomainFactory(account=other_account, verified=True)
    record(message_to(elsewhere, "theirs@example.org"), EventKind.DELIVERED)
    record(message_to(domain, "ours@example.org"), EventKind.DELIVERED)

    webhooks.dispatch()

    assert [verified(r, secret_of(endpoint))["email"] for r in receiver.received] == [
        "ours@example.org"
    ]


def test_only_the_chosen_kinds_are_sent(account, domain, receiver):
    endpoint_for(account, receiver.url, [EventKind.BOUNCED, EventKind.COMPLAINED])
    message = message_to(domain)
    record(message, EventKind.DELIVERED)
    record(message, EventKind.BOUNCED, detail="550 gone")

    webhooks.dispatch()

    assert [r.payload["event"] for r in receiver.received] == ["bounce"]


def test_a_new_endpoint_gets_only_events_after_it_was_added(account, domain, receiver):
    message = message_to(domain)
    record(message, EventKind.DELIVERED)
    endpoint_for(account, receiver.url)
    record(message, EventKind.OPENED, first=True)

    webhooks.dispatch()

    assert [r.payload["event"] for r in receiver.received] == ["open"]


def test_events_wait_until_settled_and_the_cursor_never_passes_them(
    account, domain, receiver, settings
):
    settings.SES_WEBHOOK_SETTLE_SECONDS = 5
    endpoint = endpoint_for(account, receiver.url)
    start = timezone.now()
    message = message_to(domain)
    record(message, EventKind.DELIVERED, at=start - timedelta(seconds=10))
    young = record(message, EventKind.OPENED, at=start)
    record(message, EventKind.CLICKED, at=start - timedelta(seconds=10))

    with time_machine.travel(start + timedelta(seconds=1), tick=False):
        webhooks.dispatch()
    endpoint.refresh_from_db()
    assert [r.payload["event"] for r in receiver.received] == ["delivered"]
    assert endpoint.cursor == young.pk - 1

    with time_machine.travel(start + timedelta(seconds=6), tick=False):
        webhooks.dispatch()
    assert sorted(r.payload["event"] for r in receiver.received[1:]) == [
        "click",
        "open",
    ]


def test_two_rounds_never_queue_or_claim_the_same_thing(account, domain, receiver):
    endpoint = endpoint_for(account, receiver.url)
    record(message_to(domain), EventKind.DELIVERED)
    now = timezone.now()
    bound = webhooks.settled_bound(endpoint.cursor, now)
    # Two rounds read the endpoint before either moved its cursor.
    first = WebhookEndpoint.objects.get(pk=endpoint.pk)
    second = WebhookEndpoint.objects.get(pk=endpoint.pk)

    assert webhooks.queue_for(first, bound=bound, now=now) == 1
    assert webhooks.queue_for(second, bound=bound, now=now) == 0

    delivery = WebhookDelivery.objects.get()
    assert webhooks.claim(delivery.pk, now) is not None
    assert webhooks.claim(delivery.pk, now) is None


def test_the_test_event_is_posted_signed(account, receiver):
    endpoint = endpoint_for(account, receiver.url)
    delivery = webhooks.create_test_delivery(endpoint=endpoint)

    assert webhooks.post_delivery(delivery.pk) == webhooks.DONE

    [request] = receiver.received
    payload = verified(request, secret_of(endpoint))
    assert payload["event"] == "test"
    assert set(payload) == set(webhooks.test_payload(timezone.now()))


def test_finished_deliveries_are_pruned_after_the_keep_days(account, settings):
    settings.SES_WEBHOOK_KEEP_DAYS = 7
    endpoint = endpoint_for(account, "https://hooks.acme.example/ses")
    old = webhooks.create_test_delivery(endpoint=endpoint)
    recent = webhooks.create_test_delivery(endpoint=endpoint)
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=old.pk).update(
        status=webhooks.DONE, finished_at=now - timedelta(days=8)
    )
    WebhookDelivery.objects.filter(pk=recent.pk).update(
        status=webhooks.DONE, finished_at=now - timedelta(days=6)
    )

    webhooks.expire_and_prune(now)

    assert list(WebhookDelivery.objects.values_list("pk", flat=True)) == [recent.pk]


# --- Console pages ------------------------------------------------------------


def test_owner_adds_an_endpoint_and_sees_its_secret(owner_client, account, settings):
    settings.SES_WEBHOOK_ALLOW_HTTP = False

    response = owner_client.post(
        reverse("sending:webhook_add"),
        {
            "url": "https://hooks.acme.example/ses",
            "event_kinds": [EventKind.BOUNCED, EventKind.DELIVERED],
        },
    )

    endpoint = WebhookEndpoint.objects.get(account=account)
    assert response.status_code == 302
    assert response["Location"] == reverse("sending:webhook", args=[endpoint.pk])
    assert endpoint.event_kinds == [EventKind.DELIVERED, EventKind.BOUNCED]
    secret = secret_of(endpoint)
    assert len(secret) == 64
    assert secret not in endpoint.secret_encrypted
    page = owner_client.get(response["Location"])
    assert secret in page.text
    assert "Delivered, Bounced" in page.text
    assert "No deliveries yet" in page.text


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://hooks.acme.example/ses", "Use an https:// URL"),
        ("ftp://hooks.acme.example/ses", "Use an https:// URL"),
        ("not a url", "Enter a valid URL"),
        ("", "Enter the URL that receives the events"),
    ],
)
def test_a_bad_url_is_refused_inline(owner_client, account, settings, url, error):
    settings.SES_WEBHOOK_ALLOW_HTTP = False

    response = owner_client.post(reverse("sending:webhook_add"), {"url": url})

    assert response.status_code == 400
    assert error in response.text
    assert 'class="errorlist"' in response.text
    assert not WebhookEndpoint.objects.exists()


def test_http_is_accepted_when_allowed_and_duplicates_are_not(
    owner_client, account, settings
):
    settings.SES_WEBHOOK_ALLOW_HTTP = True
    data = {"url": "http://127.0.0.1:8999/hook"}

    assert owner_client.post(reverse("sending:webhook_add"), data).status_code == 302
    again = owner_client.post(reverse("sending:webhook_add"), data)

    assert again.status_code == 400
    assert "registered already" in again.text


@pytest.mark.parametrize("persona", ["operator", "reviewer"])
def test_other_roles_view_but_cannot_change(request, account, owner, persona):
    endpoint = endpoint_for(account, "https://hooks.acme.example/ses")
    client = client_for(request.getfixturevalue(persona))

    listing = client.get(reverse("sending:webhooks"))
    detail = client.get(reverse("sending:webhook", args=[endpoint.pk]))

    assert listing.status_code == detail.status_code == 200
    assert "https://hooks.acme.example/ses" in listing.text
    assert "Owners add and change endpoints." in listing.text
    assert secret_of(endpoint) not in detail.text
    assert "Visible to owners." in detail.text
    for name in ("webhook_toggle", "webhook_delete", "webhook_test", "webhook_edit"):
        response = client.post(reverse(f"sending:{name}", args=[endpoint.pk]))
        assert response.status_code == 403
    added = client.post(reverse("sending:webhook_add"), {"url": "https://x.example"})
    assert added.status_code == 403
    endpoint.refresh_from_db()
    assert endpoint.enabled
    assert WebhookEndpoint.objects.count() == 1
    assert not WebhookDelivery.objects.exists()


def test_outsider_gets_404_for_this_accounts_endpoint(outsider_client, account):
    endpoint = endpoint_for(account, "https://hooks.acme.example/ses")

    detail = outsider_client.get(reverse("sending:webhook", args=[endpoint.pk]))
    assert detail.status_code == 404
    for name in ("webhook_toggle", "webhook_delete", "webhook_test", "webhook_edit"):
        response = outsider_client.post(reverse(f"sending:{name}", args=[endpoint.pk]))
        assert response.status_code == 404
    assert WebhookEndpoint.objects.get().enabled


def test_owner_toggles_edits_tests_and_deletes(owner_client, account, settings):
    endpoint = endpoint_for(account, "https://hooks.acme.example/ses")

    owner_client.post(reverse("sending:webhook_toggle", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    back = owner_client.post(
        reverse("sending:webhook_toggle", args=[endpoint.pk]), {"back": "endpoint"}
    )
    assert back["Location"] == reverse("sending:webhook", args=[endpoint.pk])
    endpoint.refresh_from_db()
    assert endpoint.enabled

    edited = owner_client.post(
        reverse("sending:webhook_edit", args=[endpoint.pk]),
        {"url": "https://hooks.acme.example/v2", "event_kinds": [EventKind.OPENED]},
    )
    assert edited.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.event_kinds) == (
        "https://hooks.acme.example/v2",
        [EventKind.OPENED],
    )
    bad = owner_client.post(
        reverse("sending:webhook_edit", args=[endpoint.pk]), {"url": "nope"}
    )
    assert bad.status_code == 400
    assert "Enter a valid URL" in bad.text

    tested = owner_client.post(reverse("sending:webhook_test", args=[endpoint.pk]))
    assert tested.status_code == 302
    delivery = WebhookDelivery.objects.get()
    assert (delivery.payload["event"], delivery.status) == ("test", webhooks.PENDING)
    page = owner_client.get(tested["Location"])
    assert "Not tried yet" in page.text
    assert 'hx-trigger="every 2s"' in page.text

    owner_client.post(reverse("sending:webhook_delete", args=[endpoint.pk]))
    assert not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_the_delivery_log_is_newest_first_and_paged(
    owner_client, account, django_assert_max_num_queries
):
    endpoint = endpoint_for(account, "https://hooks.acme.example/ses")
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            payload={"event": "delivered", "email": f"r{n}@example.org"},
            status=webhooks.FAILED if n == 54 else webhooks.DONE,
            attempts=1,
            last_status_code=500 if n == 54 else 200,
            last_response="boom" if n == 54 else "ok",
            created_at=now + timedelta(seconds=n),
        )
        for n in range(55)
    )
    url = reverse("sending:webhook", args=[endpoint.pk])

    with django_assert_max_num_queries(6):
        first = owner_client.get(url)

    rows = [f"r{n}@example.org" for n in range(54, 4, -1)]
    positions = [first.text.index(f">{row}<") for row in rows]
    assert positions == sorted(positions)
    assert ">r4@example.org<" not in first.text
    older = first.context["older"]
    second = owner_client.get(url, {"before": older})
    assert [d.payload["email"] for d in second.context["deliveries"]] == [
        f"r{n}@example.org" for n in range(4, -1, -1)
    ]
    assert second.context["older"] is None
    failed = owner_client.get(url, {"status": "failed"})
    assert [d.payload["email"] for d in failed.context["deliveries"]] == [
        "r54@example.org"
    ]
    assert "boom" in failed.text
    fragment = owner_client.get(url, headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<section class="panel flush"')


def test_the_endpoint_list_has_fixed_queries_and_an_empty_state(
    owner_client, account, django_assert_max_num_queries
):
    empty = owner_client.get(reverse("sending:webhooks"))
    assert "No endpoints yet" in empty.text
    for n in range(5):
        endpoint_for(account, f"https://hooks.acme.example/{n}", [EventKind.OPENED])

    # Session, user, account context, endpoints: one query for all of them.
    with django_assert_max_num_queries(5):
        listing = owner_client.get(reverse("sending:webhooks"))

    assert listing.text.count('<td class="small">Opened</td>') == 5
    assert "Send test event" in listing.text


# --- Through the real worker --------------------------------------------------


@pytest.mark.worker
def test_the_beat_task_posts_through_a_real_worker(transactional_db, celery_worker):
    from sending.tasks import dispatch_webhooks

    account = AccountFactory()
    domain = SenderDomainFactory(account=account, verified=True)
    with Receiver() as server:
        endpoint = endpoint_for(account, server.url)
        # Older than the worker's settle time (5 seconds by default).
        record(
            message_to(domain),
            EventKind.DELIVERED,
            at=timezone.now() - timedelta(minutes=1),
        )

        assert dispatch_webhooks.delay().get(timeout=60) == 1

        [request] = server.received
    assert verified(request, secret_of(endpoint))["event"] == "delivered"
    assert WebhookDelivery.objects.get().status == webhooks.DONE


def test_production_refuses_endpoints_on_private_addresses(settings):
    settings.DEBUG = False
    settings.SES_WEBHOOK_ALLOW_HTTP = False
    for url in ("https://127.0.0.1:8443/hook", "https://10.1.2.3/hook"):
        attempt = webhooks.post(url, "secret", {"event": "test"}, 1)
        assert attempt.status_code is None
        assert "not a public address" in attempt.response
