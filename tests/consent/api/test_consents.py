"""The consent API for partner systems: the gate (single and bulk) with its errors, consents and templates."""

from __future__ import annotations

import pytest

from biobank.accounts.choices import Role
from tests.accounts.factories import bearer, make_member, make_token
from tests.consent.factories import make_catalogue, make_donor, media_root, new_pid, record  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(biobank_a):
    officer = make_member(biobank_a, Role.CONSENT_OFFICER, email="officer@example.org")
    template = make_catalogue(biobank_a, actor=officer)
    donor = make_donor(biobank_a)
    record(officer, donor, template, choices={"data": "accepted", "biomaterial": "declined"})
    client = bearer(make_token(biobank_a, "view_biobank", "view_donors"))
    return client, donor, template


def test_a_partner_system_checks_a_policy_and_a_duo_purpose(setup):
    client, donor, _ = setup

    declined = client.get("/api/v1/consent/check", {"donor": donor.pid, "purpose": "biomat-use"}).json()
    hmb = client.get(
        "/api/v1/consent/check",
        {"donor": donor.pid, "purpose": "DUO:0000006", "data_class": "data", "action": "store"},
    ).json()

    assert (declined["answer"], declined["permitted"], declined["code"]) == ("denied", False, "declined")
    assert (hmb["answer"], hmb["permitted"]) == ("permitted", True)
    assert hmb["states"][0]["policy"] == "mdat-store"
    assert hmb["current_donor"] == donor.pid


def test_an_unknown_data_class_is_a_400_naming_the_allowed_ones(setup):
    client, donor, _ = setup

    response = client.get("/api/v1/consent/check", {"donor": donor.pid, "purpose": "DUO:0000006", "data_class": "x"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/data_class"
    assert "material" in response.json()["detail"]


def test_a_duo_purpose_without_a_class_is_denied_when_any_covering_policy_is_denied(setup):
    client, donor, _ = setup  # patient data accepted, biomaterial declined

    answer = client.get("/api/v1/consent/check", {"donor": donor.pid, "purpose": "DUO:0000042"}).json()

    assert (answer["answer"], answer["code"]) == ("denied", "declined")


def test_a_disease_that_is_not_icd10_or_orpha_is_a_400(setup):
    client, donor, _ = setup

    response = client.get(
        "/api/v1/consent/check",
        {"donor": donor.pid, "purpose": "DUO:0000007", "data_class": "data", "disease": "diabetes"},
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/disease"


def test_a_wrong_check_character_is_a_400_that_says_so(setup):
    client, donor, _ = setup
    wrong = donor.pid[:-1] + ("0" if donor.pid[-1] != "0" else "1")

    response = client.get("/api/v1/consent/check", {"donor": wrong, "purpose": "biomat-use"})

    assert response.status_code == 400
    assert "check character" in response.json()["detail"]
    assert response.json()["errors"][0]["pointer"] == "/donor"


def test_an_unknown_purpose_is_a_400_naming_what_is_allowed(setup):
    client, donor, _ = setup

    response = client.get("/api/v1/consent/check", {"donor": donor.pid, "purpose": "genome-sequencing"})

    assert response.status_code == 400
    assert "DUO:0000042" in response.json()["detail"]


def test_a_donor_of_another_biobank_is_a_404(setup, biobank_b):
    client, _, _ = setup
    foreign = make_donor(biobank_b)

    response = client.get("/api/v1/consent/check", {"donor": foreign.pid, "purpose": "biomat-use"})

    assert response.status_code == 404


def test_the_bulk_check_answers_each_donor_and_reports_bad_items_with_pointers(setup, biobank_a):
    client, donor, _ = setup
    unasked = make_donor(biobank_a)
    wrong = donor.pid[:-1] + ("0" if donor.pid[-1] != "0" else "1")

    response = client.post(
        "/api/v1/consent/check/bulk",
        {
            "donors": [donor.pid, wrong, unasked.pid, new_pid()],
            "purpose": "DUO:0000006",
            "data_class": "data",
            "action": "store",
        },
        format="json",
    )

    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["answer"] == "permitted"
    assert results[1]["error"]["pointer"] == "/donors/1" and "check character" in results[1]["error"]["message"]
    assert (results[2]["answer"], results[2]["code"]) == ("unknown", "no_consent")
    assert results[3]["error"]["code"] == "not_found"


def test_the_bulk_check_refuses_more_than_1000_donors(setup):
    client, donor, _ = setup

    response = client.post(
        "/api/v1/consent/check/bulk", {"donors": [donor.pid] * 1001, "purpose": "biomat-use"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/donors"


def test_consents_and_templates_read_without_names_or_signatures(setup):
    client, donor, template = setup

    consents = client.get("/api/v1/consents/").json()["results"]
    detail = client.get(f"/api/v1/consent-templates/{template.pk}/").json()

    assert consents[0]["donor"] == donor.pid
    assert "signer_name" not in consents[0] and "signature_png" not in consents[0]
    assert {c["module"]: c["choice"] for c in consents[0]["choices"]}["biomaterial"] == "declined"
    assert detail["is_signed"] is True
    assert [m["code"] for m in detail["modules"]] == ["data", "biomaterial", "recontact", "research"]
    assert detail["modules"][1]["policies"][0]["duo_terms"] == ["DUO:0000042"]
