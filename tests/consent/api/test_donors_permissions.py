"""The donors API against every persona (each role of biobank A, anonymous, researcher, outsider, tokens), with the
expected status derived from ROLE_PERMISSIONS; a refusal writes nothing and no response but the steward's identity
read carries identifying data."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from biobank.audit.choices import AuditAction
from biobank.audit.models import AuditOutbox
from consent.models import Donor, IdentityRecord
from tests.api.conftest import PERSONAS, make_persona

pytestmark = pytest.mark.django_db

NEW_PERSON = {
    "biobank": "biobank-a",
    "given_names": "Paul",
    "family_name": "Weber",
    "date_of_birth": "1981-11-02",
    "sex": "male",
    "hospital_id": "MRN-777",
}
IDENTIFYING = ("Schmidt", "Jane Marie", "MRN-0012345", "1970-03-07", "Hauptstra")


@pytest.fixture(params=PERSONAS)
def persona(request, biobank_a, biobank_b):
    cache.clear()  # throttle buckets
    yield make_persona(request.param, biobank_a, biobank_b)
    cache.clear()


def _needs(persona, *, see: str, act: str, ok: int) -> int:
    if not persona.authenticated:
        return 401
    if act in persona.perms_on_a:
        return ok
    return 403 if see in persona.perms_on_a else 404


def _register_status(persona) -> int:
    if not persona.authenticated:
        return 401
    if "manage_consent" in persona.perms_on_a:
        return 201
    if "manage_consent" in persona.perms_elsewhere and "view_biobank" not in persona.perms_on_a:
        return 400  # biobank A is invisible to them: reported like a code that does not exist
    return 403


ENDPOINTS = {
    "GET donors": lambda p: 401 if not p.authenticated else 200,
    "GET donor": lambda p: _needs(p, see="view_donors", act="view_donors", ok=200),
    "POST donors": _register_status,
    "POST identity": lambda p: _needs(p, see="view_donors", act="view_identity", ok=200),
}


def _call(endpoint: str, client, donor: Donor):
    detail = f"/api/v1/donors/{donor.pid_display}/"
    requests = {
        "GET donors": lambda: client.get("/api/v1/donors/"),
        "GET donor": lambda: client.get(detail),
        "POST donors": lambda: client.post("/api/v1/donors/", NEW_PERSON, format="json"),
        "POST identity": lambda: client.post(
            f"{detail}identity/", {"reason": "Recall for an incidental finding"}, format="json"
        ),
    }
    return requests[endpoint]()


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_each_persona_gets_the_status_its_permissions_allow_and_a_refusal_writes_nothing(endpoint, persona, donor_a):
    changes = AuditOutbox.objects.exclude(action=AuditAction.ACCESS_DENIED)  # refusals are recorded, changes not
    before = (Donor.objects.count(), IdentityRecord.objects.count(), changes.count())

    response = _call(endpoint, persona.client, donor_a)

    expected = ENDPOINTS[endpoint](persona)
    assert response.status_code == expected, (persona.name, endpoint, response.content)
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert (Donor.objects.count(), IdentityRecord.objects.count(), changes.count()) == before
    body = response.content.decode()
    if endpoint == "POST identity" and expected == 200:
        assert "Schmidt" in body and response["Cache-Control"].startswith("max-age=0")
    else:
        assert not any(value in body for value in IDENTIFYING), (persona.name, endpoint)


def test_the_list_shows_donor_a_exactly_to_those_who_may_see_donors(persona, donor_a):
    response = persona.client.get("/api/v1/donors/")
    if not persona.authenticated:
        assert response.status_code == 401
        return
    pids = [row["pid"] for row in response.json()["results"]]
    assert (donor_a.pid_display in pids) == ("view_donors" in persona.perms_on_a)
