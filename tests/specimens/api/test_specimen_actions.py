"""The workflow verbs: each one's happy path and its refusals (mass balance 400, consent gate 422, status 409)."""

from __future__ import annotations

import pytest

from biobank.audit.models import AuditOutbox
from specimens.models import Specimen
from specimens.services import specimens_consume
from tests.specimens.factories import consented_donor, make_specimen

from .conftest import url

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def _status(specimen: Specimen) -> str:
    return Specimen.objects.get(pk=specimen.pk).status


def _refused(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    if code is not None:
        assert body["errors"][0]["code"] == code, body
    return body


# --- aliquots, derivatives, pools ---------------------------------------------------------------------------------


def test_aliquots_are_taken_from_the_parent(lis, specimen):
    response = lis.post(url(specimen, "aliquots"), {"count": 3, "quantity": "500", "unit": "uL"}, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert len(data["aliquots"]) == 3 and data["parent"]["quantity"] == "0.5000"
    assert {row["lineage"] for row in data["aliquots"]} == {"aliquot"}
    assert AuditOutbox.objects.filter(action="specimen.aliquot").count() == 3


def test_aliquots_beyond_what_is_left_are_a_400_mass_balance(lis, specimen):
    response = lis.post(url(specimen, "aliquots"), {"count": 5, "quantity": "0.5", "unit": "mL"}, format="json")

    _refused(response, 400, "mass_balance")
    assert Specimen.objects.count() == 1


def test_aliquots_of_a_consumed_specimen_are_a_409(lis, specimen):
    specimens_consume(actor=None, specimens=[specimen], reason="Used.")

    _refused(lis.post(url(specimen, "aliquots"), {"count": 1, "quantity": "1", "unit": "mL"}, format="json"), 409)


def test_a_derivative_may_be_measured_in_another_unit(tech, collection):
    blood = make_specimen(collection=collection, sample_type="BLD", quantity="10", unit="mL")
    body = {"sample_type": "ZZZ", "material_type": "DNA", "used_quantity": "2", "used_unit": "mL", "quantity": "30"}

    response = tech.post(url(blood, "derivatives"), {**body, "unit": "ug"}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["lineage"] == "derivative" and response.json()["parent"] == blood.barcode
    assert response.json()["material_type"] == "DNA" and response["Location"]
    assert Specimen.objects.get(pk=blood.pk).quantity == 8


def test_a_derivative_taking_more_than_is_left_is_a_400(tech, specimen):
    body = {"sample_type": "SER", "used_quantity": "3", "used_unit": "mL", "quantity": "1", "unit": "mL"}

    _refused(tech.post(url(specimen, "derivatives"), body, format="json"), 400, "mass_balance")


def test_a_pool_of_two_tubes_takes_from_each(tech, specimen, collection, donor):
    other = make_specimen(collection=collection, donor=donor)
    parts = [
        {"barcode": specimen.barcode, "quantity": "0.5", "unit": "mL"},
        {"barcode": other.barcode, "quantity": "1", "unit": "mL"},
    ]

    response = tech.post("/api/v1/specimen-pools/", {"parts": parts}, format="json", HTTP_IDEMPOTENCY_KEY="pool-1")
    again = tech.post("/api/v1/specimen-pools/", {"parts": parts}, format="json", HTTP_IDEMPOTENCY_KEY="pool-1")

    assert response.status_code == 201, response.content
    assert response.json()["lineage"] == "pool" and response.json()["quantity"] == "1.5000"
    assert len(response.json()["lineage_summary"]["parents"]) == 2
    assert again.content == response.content and Specimen.objects.filter(lineage="pool").count() == 1


def test_a_pool_naming_a_specimen_one_cannot_change_or_of_two_donors_is_a_400(tech, specimen, collection, biobank_b):
    foreign = make_specimen(biobank_b)
    stranger = make_specimen(collection=collection)
    pool = "/api/v1/specimen-pools/"

    unknown = tech.post(
        pool,
        {
            "parts": [
                {"barcode": specimen.barcode, "quantity": "1", "unit": "mL"},
                {"barcode": foreign.barcode, "quantity": "1", "unit": "mL"},
            ]
        },
        format="json",
    )
    mixed = tech.post(
        pool,
        {
            "parts": [
                {"barcode": specimen.barcode, "quantity": "1", "unit": "mL"},
                {"barcode": stranger.barcode, "quantity": "1", "unit": "mL"},
            ]
        },
        format="json",
    )

    assert _refused(unknown, 400)["errors"][0]["pointer"] == "/parts/1/barcode"
    assert foreign.barcode not in unknown.content.decode().replace("/parts/1/barcode", "")
    _refused(mixed, 400)
    assert not Specimen.objects.filter(lineage="pool").exists()


def test_a_pool_of_one_part_is_a_400(tech, specimen):
    body = {"parts": [{"barcode": specimen.barcode, "quantity": "1", "unit": "mL"}]}

    assert _refused(tech.post("/api/v1/specimen-pools/", body, format="json"), 400)["errors"][0]["pointer"] == "/parts"


# --- reservations, shipments, returns, consumption, disposal, consent blocks ----------------------------------------


def test_reserve_then_release(lis, specimen):
    reserved = lis.post(url(specimen, "reserve"), {"purpose": "GRU", "reason": "Project P-17"}, format="json")
    released = lis.post(url(specimen, "release"), {"reason": "Cancelled"}, format="json")

    assert reserved.status_code == 200 and reserved.json()["status"] == "reserved"
    assert released.status_code == 200 and released.json()["status"] == "available"


def test_a_reservation_the_consent_does_not_permit_is_a_422_carrying_the_gates_reason(lis, biobank_a, collection):
    refused = make_specimen(collection=collection, donor=consented_donor(biobank_a, use="declined"))

    body = _refused(lis.post(url(refused, "reserve"), {"purpose": "GRU", "reason": "P-17"}, format="json"), 422)

    assert body["errors"][0]["code"] == "consent" and body["errors"][0]["pointer"] == "/purpose"
    assert "does not permit" in body["detail"] and refused.barcode in body["detail"]
    assert _status(refused) == "available"


def test_releasing_a_specimen_that_is_not_reserved_is_a_409(lis, specimen):
    _refused(lis.post(url(specimen, "release"), {}, format="json"), 409, "status")


def test_ship_then_return(lis, specimen):
    shipped = lis.post(url(specimen, "ship"), {"purpose": "GRU", "recipient": "Institute X"}, format="json")
    returned = lis.post(url(specimen, "return"), {"reason": "Unused"}, format="json")

    assert shipped.status_code == 200 and shipped.json()["status"] == "distributed"
    assert returned.status_code == 200 and returned.json()["status"] == "available"


def test_a_shipment_the_consent_does_not_permit_is_a_422(lis, biobank_a, collection):
    kept = make_specimen(collection=collection, donor=consented_donor(biobank_a, transfer="declined"))

    _refused(lis.post(url(kept, "ship"), {"purpose": "GRU", "recipient": "Institute X"}, format="json"), 422, "consent")
    assert _status(kept) == "available"


def test_a_shipment_without_a_recipient_is_a_400_and_of_a_consumed_specimen_a_409(lis, specimen):
    assert _refused(lis.post(url(specimen, "ship"), {"purpose": "GRU"}, format="json"), 400)
    specimens_consume(actor=None, specimens=[specimen], reason="Used.")

    _refused(lis.post(url(specimen, "ship"), {"purpose": "GRU", "recipient": "X"}, format="json"), 409, "status")


def test_returning_a_specimen_that_was_not_shipped_is_a_409(lis, specimen):
    _refused(lis.post(url(specimen, "return"), {}, format="json"), 409, "status")


def test_consume_needs_a_reason_and_happens_once(lis, specimen):
    _refused(lis.post(url(specimen, "consume"), {}, format="json"), 400)
    consumed = lis.post(url(specimen, "consume"), {"reason": "QC run"}, format="json")

    assert consumed.status_code == 200 and consumed.json()["quantity"] == "0.0000"
    _refused(lis.post(url(specimen, "consume"), {"reason": "Again"}, format="json"), 409, "status")


def test_dispose_needs_a_reason_and_is_final(lis, specimen):
    _refused(lis.post(url(specimen, "dispose"), {"reason": "  "}, format="json"), 400)
    disposed = lis.post(url(specimen, "dispose"), {"reason": "Cracked"}, format="json")

    assert disposed.status_code == 200 and disposed.json()["status"] == "destroyed"
    _refused(lis.post(url(specimen, "reserve"), {"purpose": "GRU", "reason": "x"}, format="json"), 409, "status")


def test_a_consent_block_is_lifted_with_a_reason_and_an_unblocked_specimen_is_a_409(lis, specimen):
    _refused(lis.post(url(specimen, "unblock"), {"reason": "Corrected"}, format="json"), 409)
    Specimen.objects.filter(pk=specimen.pk).update(status="consent_blocked")

    _refused(lis.post(url(specimen, "unblock"), {}, format="json"), 400)
    lifted = lis.post(url(specimen, "unblock"), {"reason": "Withdrawal invalidated"}, format="json")

    assert lifted.status_code == 200 and lifted.json()["status"] == "available"


ACTIONS = ["aliquots", "derivatives", "reserve", "release", "ship", "return", "consume", "dispose", "unblock", "events"]


@pytest.mark.parametrize("action", ACTIONS)
def test_one_who_may_only_see_gets_403_and_changes_nothing(auditor, specimen, action):
    _refused(auditor.post(url(specimen, action), {"reason": "x"}, format="json"), 403)
    assert _status(specimen) == "available"


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("payload", [[], "x", 3, {"count": "many", "quantity": {}, "reason": ["x"], "type": 7}])
def test_garbage_is_a_400_problem_never_a_500(lis, specimen, action, payload):
    _refused(lis.post(url(specimen, action), payload, format="json"), 400)


def test_an_action_on_an_unknown_barcode_is_a_404(lis):
    _refused(lis.post("/api/v1/specimens/NO-SUCH-1/consume/", {"reason": "x"}, format="json"), 404)
