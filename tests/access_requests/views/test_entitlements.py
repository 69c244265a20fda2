"""The access page: the chair grants and revokes, the researcher closes; foreign users get 404."""

from __future__ import annotations

import pytest

from access_requests.choices import RequestStatus
from access_requests.models import Entitlement
from tests.access_requests.entitle_factories import accept_both, make_conditions_indicated, make_granted
from tests.access_requests.factories import make_researcher

pytestmark = pytest.mark.django_db


def test_the_chair_grants_then_revokes_from_the_page(client, biobank_a):
    g = make_conditions_indicated(biobank_a)
    accept_both(g)
    client.force_login(g.chair)
    assert "Grant access" in client.get(f"/requests/{g.request.pk}/access/").content.decode()
    client.post(f"/requests/{g.request.pk}/resources/{g.resource.pk}/grant/")
    entitlement = Entitlement.objects.get()
    assert g.researcher.email in client.get(f"/requests/{g.request.pk}/access/").content.decode()
    client.post(f"/requests/{g.request.pk}/entitlements/{entitlement.pk}/revoke/", {"reason": "Misuse."})
    entitlement.refresh_from_db()
    assert entitlement.revoked_at is not None


def test_a_foreign_researcher_gets_404(client, biobank_a):
    g = make_granted(biobank_a)
    client.force_login(make_researcher())
    assert client.get(f"/requests/{g.request.pk}/access/").status_code == 404
    assert client.post(f"/requests/{g.request.pk}/close/").status_code == 404


def test_the_researcher_closes_material_only_request(client, biobank_a):
    g = make_granted(biobank_a)
    client.force_login(g.researcher)
    client.post(f"/requests/{g.request.pk}/close/")
    g.request.refresh_from_db()
    assert g.request.status == RequestStatus.CLOSED


def test_a_renewal_without_report_shows_why(client, biobank_a):
    g = make_granted(biobank_a)
    client.force_login(g.chair)
    response = client.post(f"/requests/{g.request.pk}/renew/", {"until": "2099-01-01"}, follow=True)
    assert "progress report" in response.content.decode()
