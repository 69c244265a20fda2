"""Webhooks: http(s) only, one delivery per subscribed endpoint, a payload without personal data, a signature that
verifies with the documented recipe, and the retry schedule (1, 2, 4 … minutes, 8 attempts)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import UTC, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.utils import timezone

from access_requests.choices import RequestStatus, ResourceStatus, WebhookDeliveryStatus
from access_requests.models import WebhookDelivery
from access_requests.services import webhooks
from access_requests.services.notifications import event_dispatch
from access_requests.services.workflow import event_record, request_transition, resource_transition
from biobank.errors import ConflictError, InvalidFields
from tests.access_requests.notify_factories import make_endpoint, make_scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(biobank_a, biobank_b):
    return make_scene(biobank_a, biobank_b)


class Recorder(BaseHTTPRequestHandler):
    answers: list[int] = []
    received: list[tuple[dict, bytes]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Recorder.received.append((dict(self.headers), body))
        self.send_response(Recorder.answers.pop(0) if Recorder.answers else 204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Recorder.answers, Recorder.received = [], []
    httpd = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/hook"
    httpd.shutdown()


@pytest.mark.parametrize(
    "url", ["ftp://partner.example.org/", "file:///etc/passwd", "javascript:alert(1)", "", "https://"]
)
def test_only_http_and_https_addresses_are_accepted(biobank_a, admin_a, url):
    with pytest.raises(InvalidFields) as error:
        make_endpoint(biobank_a, admin_a, url=url)
    assert "only http:// and https://" in error.value.errors["url"][0]


def test_an_unknown_event_kind_is_refused_with_the_allowed_forms(biobank_a, admin_a):
    with pytest.raises(InvalidFields) as error:
        make_endpoint(biobank_a, admin_a, events=["Submitted!"])
    assert "resource.*" in error.value.errors["events"][0]


def test_an_endpoint_gets_a_64_hex_secret(biobank_a, admin_a):
    endpoint = make_endpoint(biobank_a, admin_a, url="http://partner.example.org/hook", events=["resource.*"])
    assert len(endpoint.secret) == 64 and int(endpoint.secret, 16) >= 0
    assert endpoint.events == ["resource.*"]


def test_a_request_event_reaches_every_biobanks_subscribed_endpoints(scene, biobank_a, biobank_b, admin_a):
    all_a = make_endpoint(biobank_a, admin_a)
    make_endpoint(biobank_a, admin_a, events=["resource.*"])  # not subscribed to request.*
    b = make_endpoint(biobank_b, admin_a)
    request_transition(request=scene.request, to=RequestStatus.SUBMITTED, actor=scene.researcher)
    event_dispatch(event_id=scene.request.events.get().pk)
    assert set(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == {all_a.pk, b.pk}


def test_a_resource_event_reaches_only_that_biobanks_endpoints(scene, biobank_a, biobank_b, admin_a):
    make_endpoint(biobank_a, admin_a, events=["resource.*"])
    make_endpoint(biobank_b, admin_a)
    resource = scene.request.resources.get(biobank=biobank_a)
    resource_transition(resource=resource, to=ResourceStatus.CHECKING_AVAILABILITY, actor=scene.committee_a[0])
    event_dispatch(event_id=resource.events.get().pk)
    delivery = WebhookDelivery.objects.get()
    assert delivery.endpoint.biobank == biobank_a
    assert delivery.payload["resource"] == {"biobank": biobank_a.code, "status": "checking_availability"}


def test_the_payload_has_no_personal_data_nor_free_text(scene, biobank_a, admin_a):
    make_endpoint(biobank_a, admin_a)
    resource = scene.request.resources.get(biobank=biobank_a)
    event = event_record(
        request=scene.request,
        resource=resource,
        actor=scene.committee_a[0],
        kind="comment.posted",
        reason="Private: the donor from Ulm",
        data={"text": "secret remark"},
    )
    event_dispatch(event_id=event.pk)
    payload = WebhookDelivery.objects.get().payload
    assert set(payload) == {"id", "event", "request", "resource", "from", "to", "at"}
    text = json.dumps(payload)
    for private in ("Ulm", "secret remark", scene.researcher.email, scene.committee_a[0].email, scene.request.title):
        assert private not in text


def test_a_delivery_is_signed_as_the_docs_say_and_delivered_on_2xx(scene, biobank_a, admin_a, server):
    endpoint = make_endpoint(biobank_a, admin_a, url=server)
    event = event_record(request=scene.request, actor=None, kind="release.downloaded")
    event_dispatch(event_id=event.pk)
    delivery = WebhookDelivery.objects.get()
    assert webhooks.webhook_delivery_attempt(delivery_id=delivery.pk) is True
    headers, body = Recorder.received[0]
    # the recipe of docs/access-requests-notifications.md, written out as a partner would
    expected = hmac.new(
        endpoint.secret.encode(), headers["X-Biobank-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Biobank-Signature"] == f"sha256={expected}"
    assert headers["X-Biobank-Event"] == "release.downloaded"
    assert headers["X-Biobank-Delivery"] == str(delivery.pk)
    assert json.loads(body)["request"] == scene.request.number
    assert json.loads(body)["at"] == event.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.DELIVERED and delivery.attempts == 1


def test_a_tampered_body_does_not_verify(biobank_a):
    header = webhooks.signature(secret="s" * 64, timestamp="1700000000", body=b'{"a":1}')
    assert webhooks.signature_verify(secret="s" * 64, timestamp="1700000000", body=b'{"a":1}', header=header)
    assert not webhooks.signature_verify(secret="s" * 64, timestamp="1700000000", body=b'{"a":2}', header=header)


def test_failures_back_off_1_2_4_minutes_and_give_up_after_8_attempts(scene, biobank_a, admin_a, monkeypatch):
    make_endpoint(biobank_a, admin_a)
    event = event_record(request=scene.request, actor=None, kind="release.downloaded")
    event_dispatch(event_id=event.pk)
    delivery = WebhookDelivery.objects.get()
    monkeypatch.setattr(webhooks, "_post", lambda url, body, headers: (503, "busy"))
    start = timezone.now()
    gaps = []
    with time_machine.travel(start, tick=False) as clock:
        for attempt in range(1, 9):
            assert webhooks.webhook_deliveries_due() == 0
            delivery.refresh_from_db()
            assert delivery.attempts == attempt
            assert delivery.last_error == "HTTP 503: busy"
            if attempt < 8:
                gap = delivery.next_attempt_at - timezone.now()
                gaps.append(gap)
                clock.shift(gap - timedelta(seconds=1))
                assert webhooks.webhook_deliveries_due() == 0  # not yet due: nothing sent
                delivery.refresh_from_db()
                assert delivery.attempts == attempt
                clock.shift(timedelta(seconds=1))
    assert gaps == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 64)]
    assert delivery.status == WebhookDeliveryStatus.FAILED


def test_a_refused_connection_counts_as_a_failed_attempt(scene, biobank_a, admin_a):
    make_endpoint(biobank_a, admin_a, url="http://127.0.0.1:9/hook")  # discard port: nobody listens
    event = event_record(request=scene.request, actor=None, kind="release.downloaded")
    event_dispatch(event_id=event.pk)
    delivery = WebhookDelivery.objects.get()
    assert webhooks.webhook_delivery_attempt(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.PENDING and "ConnectionError" in delivery.last_error


def test_a_failed_delivery_can_be_sent_again_and_only_a_failed_one(
    scene, biobank_a, admin_a, server, django_capture_on_commit_callbacks
):
    make_endpoint(biobank_a, admin_a, url=server)
    event = event_record(request=scene.request, actor=None, kind="release.downloaded")
    event_dispatch(event_id=event.pk)
    delivery = WebhookDelivery.objects.get()
    with pytest.raises(ConflictError):
        webhooks.webhook_delivery_redeliver(actor=admin_a, delivery=delivery)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDeliveryStatus.FAILED, attempts=8)
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.webhook_delivery_redeliver(actor=admin_a, delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.DELIVERED and delivery.attempts == 1


def test_deactivating_stops_deliveries(scene, biobank_a, admin_a):
    endpoint = make_endpoint(biobank_a, admin_a)
    event = event_record(request=scene.request, actor=None, kind="release.downloaded")
    event_dispatch(event_id=event.pk)
    webhooks.webhook_endpoint_deactivate(actor=admin_a, endpoint=endpoint)
    assert WebhookDelivery.objects.get().status == WebhookDeliveryStatus.FAILED
    with pytest.raises(ConflictError):
        webhooks.webhook_endpoint_deactivate(actor=admin_a, endpoint=endpoint)
    second = event_record(request=scene.request, actor=None, kind="release.downloaded")
    event_dispatch(event_id=second.pk)
    assert WebhookDelivery.objects.count() == 1
