"""Every persona against every consent endpoint, with the status derived from ROLE_PERMISSIONS (like the matrix)."""

from __future__ import annotations

import pytest

from biobank.accounts.choices import Role
from tests.accounts.factories import make_member
from tests.api.conftest import (
    PERSONAS,  # noqa: F401
    make_persona,
)
from tests.consent.factories import make_catalogue, make_donor, media_root, record  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(biobank_a):
    officer = make_member(biobank_a, Role.CONSENT_OFFICER, email="the-officer@example.org")
    template = make_catalogue(biobank_a, actor=officer)
    donor = make_donor(biobank_a)
    consent = record(officer, donor, template)
    return {"template": template, "donor": donor, "consent": consent}


def _status(persona, endpoint: str) -> int:
    if not persona.authenticated:
        return 401
    perms = persona.perms_on_a
    if endpoint in ("check", "bulk"):
        if "view_donors" in perms:
            return 200
        return 403 if "view_donors" not in persona.perms_elsewhere else (404 if endpoint == "check" else 200)
    if endpoint in ("consents", "templates"):
        return 200
    if endpoint == "consent":
        return 200 if "view_donors" in perms else 404
    if endpoint == "template":
        return 200 if {"view_donors", "manage_consent"} & perms else 404
    raise AssertionError(endpoint)


def _call(endpoint, client, world):
    pid = world["donor"].pid
    return {
        "check": lambda: client.get("/api/v1/consent/check", {"donor": pid, "purpose": "biomat-use"}),
        "bulk": lambda: client.post(
            "/api/v1/consent/check/bulk",
            {"donors": [pid], "purpose": "DUO:0000006", "data_class": "material"},
            format="json",
        ),
        "consents": lambda: client.get("/api/v1/consents/"),
        "consent": lambda: client.get(f"/api/v1/consents/{world['consent'].pk}/"),
        "templates": lambda: client.get("/api/v1/consent-templates/"),
        "template": lambda: client.get(f"/api/v1/consent-templates/{world['template'].pk}/"),
    }[endpoint]()


@pytest.mark.parametrize("endpoint", ["check", "bulk", "consents", "consent", "templates", "template"])
@pytest.mark.parametrize(
    "name",
    [
        "consent_officer",
        "technician",
        "auditor",
        "biobank_admin",
        "anonymous",
        "researcher",
        "outsider",
        "token",
        "read_only_token",
        "token_of_b",
    ],
)
def test_each_persona_gets_the_status_its_permissions_allow(endpoint, name, biobank_a, biobank_b, world):
    persona = make_persona(name, biobank_a, biobank_b)

    response = _call(endpoint, persona.client, world)

    expected = _status(persona, endpoint)
    assert response.status_code == expected, (name, endpoint, response.content)
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
    if endpoint == "bulk" and expected == 200 and "view_donors" not in persona.perms_on_a:
        assert response.json()["results"][0]["error"]["code"] == "not_found"  # a foreign donor is not revealed
    if endpoint in ("consents", "templates") and expected == 200:
        rows = response.json()["results"]
        sees = "view_donors" in persona.perms_on_a or (
            endpoint == "templates" and "manage_consent" in persona.perms_on_a
        )
        assert bool(rows) == sees
