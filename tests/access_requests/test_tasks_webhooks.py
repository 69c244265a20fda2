"""The tasks: one delivery sent by id, the beat's due deliveries, the beat's notification catch-up; all on beat."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from access_requests import tasks_webhooks
from access_requests.choices import WebhookDeliveryStatus
from access_requests.models import Notification, WebhookDelivery
from access_requests.services import webhooks
from access_requests.services.workflow import event_record
from tests.access_requests.notify_factories import make_endpoint, make_scene

pytestmark = pytest.mark.django_db


def test_the_beat_runs_both_sweeps_every_minute():
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["access_requests.webhooks_pending"] == 60.0
    assert schedule["access_requests.notifications_missing"] == 60.0


def test_the_catch_up_task_notifies_and_queues_deliveries_of_a_lost_event(biobank_a, biobank_b, admin_a, monkeypatch):
    scene = make_scene(biobank_a, biobank_b)
    make_endpoint(biobank_a, admin_a)
    event_record(request=scene.request, actor=None, kind="release.downloaded")  # never committed: no listener ran
    sent = []
    monkeypatch.setattr(webhooks, "_post", lambda url, body, headers: sent.append(url) or (200, ""))
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert tasks_webhooks.notifications_missing() == 1
        assert Notification.objects.count() == 2
        assert tasks_webhooks.webhooks_pending() == 1
    assert sent == ["https://partner.example.org/hook"]
    assert WebhookDelivery.objects.get().status == WebhookDeliveryStatus.DELIVERED


def test_the_deliver_task_sends_one_delivery_and_skips_a_delivered_one(biobank_a, biobank_b, admin_a, monkeypatch):
    scene = make_scene(biobank_a, biobank_b)
    endpoint = make_endpoint(biobank_a, admin_a)
    event = event_record(request=scene.request, actor=None, kind="release.downloaded")
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=event.kind, payload=webhooks.event_payload(event), next_attempt_at=timezone.now()
    )
    monkeypatch.setattr(webhooks, "_post", lambda url, body, headers: (202, ""))
    assert tasks_webhooks.webhook_deliver(delivery_id=delivery.pk) is True
    assert tasks_webhooks.webhook_deliver(delivery_id=delivery.pk) is False
