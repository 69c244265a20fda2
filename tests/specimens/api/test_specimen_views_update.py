"""PATCH /api/v1/specimens/<barcode>/: corrections through specimen_update, with If-Match (412 when stale)."""

from __future__ import annotations

import pytest

from specimens.models import Specimen, SpecimenEvent
from tests.specimens.factories import PLASMA_FACTS, make_specimen

from .conftest import url

pytestmark = pytest.mark.django_db


def test_a_correction_with_the_current_etag_changes_the_facts_and_the_sprec_code(tech, collection):
    specimen = make_specimen(collection=collection, sample_type="PL1", facts=PLASMA_FACTS)
    etag = tech.get(url(specimen))["ETag"]

    response = tech.patch(
        url(specimen),
        {"facts": {"pre_centrifugation_delay_min": 300}, "notes": "Delay corrected."},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 200, response.content
    specimen.refresh_from_db()
    assert specimen.notes == "Delay corrected." and specimen.pre_centrifugation_delay_min == 300
    assert response.json()["sprec_code"] == specimen.sprec_code
    assert response["ETag"] != etag and response["ETag"] == tech.get(url(specimen))["ETag"]
    assert SpecimenEvent.objects.filter(specimen=specimen, type="sprec_changed").exists()


def test_a_stale_if_match_is_a_412_and_changes_nothing(tech, specimen):
    etag = tech.get(url(specimen))["ETag"]
    tech.patch(url(specimen), {"notes": "First."}, format="json", HTTP_IF_MATCH=etag)

    stale = tech.patch(url(specimen), {"notes": "Second."}, format="json", HTTP_IF_MATCH=etag)

    assert stale.status_code == 412 and stale["Content-Type"] == "application/problem+json"
    assert Specimen.objects.get(pk=specimen.pk).notes == "First."


def test_without_if_match_the_last_writer_wins(tech, specimen):
    assert tech.patch(url(specimen), {"notes": "No header."}, format="json").status_code == 200


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({}, "/"),
        ({"barcode": "NEW-1"}, "/barcode"),
        ({"facts": {"storage_temperature_c": "cold"}}, "/facts/storage_temperature_c"),
        ({"concentration": "-3"}, "/concentration"),
        ({"sprec_code": "NOT-A-CODE"}, "/sprec_code"),
    ],
)
def test_an_invalid_correction_is_a_400_naming_the_field(tech, specimen, body, pointer):
    response = tech.patch(url(specimen), body, format="json")

    assert response.status_code == 400, response.content
    assert pointer in [error["pointer"] for error in response.json()["errors"]]


def test_one_who_may_only_see_gets_403_and_a_foreign_specimen_404(auditor, specimen, biobank_b, login):
    from biobank.accounts.choices import Role
    from tests.accounts.factories import make_member

    foreign = login(make_member(biobank_b, Role.TECHNICIAN, email="tech-b@example.org"))

    assert auditor.patch(url(specimen), {"notes": "x"}, format="json").status_code == 403
    assert foreign.patch(url(specimen), {"notes": "x"}, format="json").status_code == 404
    assert Specimen.objects.get(pk=specimen.pk).notes == ""


@pytest.mark.parametrize("payload", [[], "x", 7, {"facts": []}, {"facts": {"collected_at": {"y": 1}}}, {"notes": None}])
def test_garbage_is_a_400_problem_never_a_500(tech, specimen, payload):
    response = tech.patch(url(specimen), payload, format="json")

    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("payload", [[], {"parts": "x"}, {"parts": [1, 2]}, {"parts": [{}, {}]}, {"parts": None}])
def test_a_garbage_pool_is_a_400_problem_never_a_500(tech, specimen, payload):
    response = tech.post("/api/v1/specimen-pools/", payload, format="json")

    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("barcode", ["%20", "..", "a" * 300, "ÄÖÜ", "x%2Fy"])
def test_an_odd_barcode_in_the_path_is_a_404_problem(tech, barcode):
    response = tech.get(f"/api/v1/specimens/{barcode}/")

    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
