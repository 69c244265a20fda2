"""The webhook pages of a biobank: admins only (MANAGE_API_TOKENS), the secret shown once, http(s) only with a clear
message, deliveries listed with their status, a failed one sent again; another biobank's endpoint is a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from access_requests.choices import WebhookDeliveryStatus
from access_requests.models import WebhookDelivery, WebhookEndpoint
from tests.access_requests.notify_factories import make_endpoint
from tests.accounts.factories import make_member

pytestmark = pytest.mark.django_db


def page(code):
    return reverse("access_requests:webhooks", args=[code])


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(client, biobank_a, admin_a):
    client.force_login(admin_a)
    response = client.post(page(biobank_a.code), {"url": "https://lims.example.org/hook", "events": ""})
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 200 and endpoint.secret in response.content.decode()
    assert endpoint.secret not in client.get(page(biobank_a.code)).content.decode()


def test_a_non_http_address_is_refused_with_a_clear_message(client, biobank_a, admin_a):
    client.force_login(admin_a)
    response = client.post(page(biobank_a.code), {"url": "ftp://lims.example.org/hook"})
    assert response.status_code == 200
    assert "only http:// and https:// addresses" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_technician_is_refused_and_an_outsider_gets_404(client, biobank_a, technician_a, outsider):
    client.force_login(technician_a)
    assert client.get(page(biobank_a.code)).status_code == 403
    client.force_login(outsider)
    assert client.get(page(biobank_a.code)).status_code == 404


def test_deliveries_are_listed_and_a_failed_one_can_be_sent_again(client, biobank_a, admin_a, monkeypatch):
    endpoint = make_endpoint(biobank_a, admin_a)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="resource.available",
        payload={},
        next_attempt_at=timezone.now(),
        status=WebhookDeliveryStatus.FAILED,
        attempts=8,
        last_error="HTTP 500: oops",
    )
    client.force_login(admin_a)
    body = client.get(page(biobank_a.code)).content.decode()
    assert "resource.available" in body and "HTTP 500: oops" in body and "Redeliver" in body
    response = client.post(reverse("access_requests:webhook_redeliver", args=[biobank_a.code, delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.PENDING and delivery.attempts == 0


def test_another_biobanks_endpoint_is_404_under_ones_own_code(client, biobank_a, biobank_b, admin_a):
    admin_b = make_member(biobank_b, "biobank_admin")
    foreign = make_endpoint(biobank_b, admin_b)
    client.force_login(admin_a)
    url = reverse("access_requests:webhook_deactivate", args=[biobank_a.code, foreign.pk])
    assert client.post(url).status_code == 404
    foreign.refresh_from_db()
    assert foreign.active


def test_deactivating_an_endpoint(client, biobank_a, admin_a):
    endpoint = make_endpoint(biobank_a, admin_a)
    client.force_login(admin_a)
    response = client.post(reverse("access_requests:webhook_deactivate", args=[biobank_a.code, endpoint.pk]))
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.active
