"""Write-path exercises of the notification and webhook pages (access_requests/views/{notifications,webhooks}.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from access_requests.choices import WebhookDeliveryStatus
from access_requests.models import WebhookDelivery
from access_requests.services.notifications import event_dispatch
from access_requests.services.workflow import event_record
from tests.access_requests.factories import make_request, make_researcher
from tests.access_requests.notify_factories import make_endpoint
from tests.audit.write_path_exercises import Fixtures, _ok, _web


def _notified(f: Fixtures):
    researcher = make_researcher()
    request = make_request(researcher, [f.biobank_a])
    event = event_record(request=request, actor=None, kind="release.downloaded")
    event_dispatch(event_id=event.pk)
    return researcher, researcher.notifications.get()


def notification_open(f: Fixtures) -> None:
    researcher, notification = _notified(f)
    _ok(_web(f, researcher).post(reverse("access_requests:notification_open", args=[notification.pk])), 302)


def notifications_read_all(f: Fixtures) -> None:
    researcher, _notification = _notified(f)
    _ok(_web(f, researcher).post(reverse("access_requests:notifications_read_all")), 302)


def webhook_create(f: Fixtures) -> None:
    data = {"url": "https://partner.example.org/hook", "events": "resource.*"}
    _ok(_web(f, f.admin_a).post(reverse("access_requests:webhooks", args=["biobank-a"]), data), 200)


def webhook_deactivate(f: Fixtures) -> None:
    endpoint = make_endpoint(f.biobank_a, f.admin_a)
    _ok(_web(f, f.admin_a).post(reverse("access_requests:webhook_deactivate", args=["biobank-a", endpoint.pk])), 302)


def webhook_redeliver(f: Fixtures) -> None:
    endpoint = make_endpoint(f.biobank_a, f.admin_a)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="request.submitted",
        payload={},
        next_attempt_at=timezone.now(),
        status=WebhookDeliveryStatus.FAILED,
        attempts=8,
    )
    url = reverse("access_requests:webhook_redeliver", args=["biobank-a", delivery.pk])
    _ok(_web(f, f.admin_a).post(url), 302)
