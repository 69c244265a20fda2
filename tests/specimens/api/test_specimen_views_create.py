"""POST /api/v1/specimens/: register a primary specimen (with aliquots), retried safely with an Idempotency-Key."""

from __future__ import annotations

import pytest
from django.utils import timezone

from biobank.accounts.choices import Role
from biobank.accounts.models import IdempotencyKey
from biobank.api.idempotency import idempotency_keys_purge
from biobank.audit.models import AuditOutbox
from specimens.models import Specimen
from tests.accounts.factories import make_member
from tests.specimens.factories import PLASMA_FACTS

pytestmark = pytest.mark.django_db

LIST = "/api/v1/specimens/"


@pytest.fixture
def body(collection, donor) -> dict:
    return {
        "biobank": "biobank-a",
        "collection": collection.code,
        "donor": donor.pid_display,
        "sample_type": "PL1",
        "quantity": "4",
        "unit": "mL",
        "facts": {
            key: str(value) if not isinstance(value, bool | int) else value for key, value in PLASMA_FACTS.items()
        },
    }


def test_a_token_registers_a_specimen_with_its_aliquots_and_sprec_from_the_facts(lis, body):
    response = lis.post(LIST, {**body, "aliquots": {"count": 3, "quantity": "0.5", "unit": "mL"}}, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    specimen = Specimen.objects.get(barcode=data["barcode"])
    assert response["Location"].endswith(f"/api/v1/specimens/{specimen.barcode}/")
    assert response["ETag"]
    assert data["sprec_code"].startswith("PL1-PED-A-") and data["sprec"]["elements"][0]["letter"] == "PL1"
    assert data["quantity"] == "2.5000" and len(data["aliquots"]) == 3
    assert data["lineage_summary"]["children"] == 3
    assert all(row["parent"] == specimen.barcode for row in data["aliquots"])
    assert AuditOutbox.objects.filter(action="specimen.register", object_id=str(specimen.pk)).exists()


def test_the_donor_may_be_named_by_its_canonical_pid(tech, body, donor):
    response = tech.post(LIST, {**body, "donor": donor.pid.lower()}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["donor"] == donor.pid_display


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"collection": "no-such"}, "/collection"),
        ({"donor": "ABCDE-FGHJK-X"}, "/donor"),
        ({"donor": "AAAAA-AAAAA-A"}, "/donor"),
        ({"sample_type": "XYZ"}, "/sample_type"),
        ({"unit": "gallon"}, "/unit"),
        ({"quantity": "-1"}, "/quantity"),
        ({"quantity": "lots"}, "/quantity"),
        ({"facts": {"centrifugation_g_force": -5}}, "/facts/centrifugation_g_force"),
        ({"facts": {"colour": "red"}}, "/facts/colour"),
        ({"facts": "warm"}, "/facts"),
        ({"aliquots": {"count": 0, "quantity": "1", "unit": "mL"}}, "/aliquots/count"),
        ({"aliquots": {"count": 3, "quantity": "2", "unit": "mL"}}, "/quantity"),
        ({"barcode": "has space"}, "/barcode"),
        ({"nmae": "x"}, "/nmae"),
    ],
)
def test_invalid_input_is_a_400_naming_the_field_and_registers_nothing(tech, body, change, pointer):
    response = tech.post(LIST, {**body, **change}, format="json")

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert pointer in [error["pointer"] for error in response.json()["errors"]], response.json()
    assert not Specimen.objects.exists()


@pytest.mark.parametrize("payload", [[], "x", 17, None, {"biobank": {"code": 1}}, {"quantity": []}])
def test_garbage_is_a_4xx_problem_never_a_500(tech, payload):
    response = tech.post(LIST, payload, format="json")

    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/problem+json"


def test_a_foreign_biobank_is_a_400_and_a_caller_without_change_specimens_anywhere_a_403(
    body, biobank_b, login, auditor
):
    foreign = login(make_member(biobank_b, Role.TECHNICIAN, email="tech-b@example.org"))

    assert foreign.post(LIST, body, format="json").status_code == 400
    assert auditor.post(LIST, body, format="json").status_code == 403
    assert not Specimen.objects.exists()


def test_a_retry_with_the_same_key_replays_the_first_answer_and_registers_nothing(lis, body):
    first = lis.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY="7f0e7b1e-1")
    again = lis.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY="7f0e7b1e-1")

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Location"] == first["Location"] and again["ETag"] == first["ETag"]
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert Specimen.objects.count() == 1
    assert AuditOutbox.objects.filter(action="specimen.register").count() == 1


def test_the_same_body_in_another_key_order_is_the_same_request(lis, body):
    lis.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    again = lis.post(LIST, dict(reversed(list(body.items()))), format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Specimen.objects.count() == 1


def test_the_same_key_with_another_body_is_a_422_problem(lis, body):
    lis.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    other = lis.post(LIST, {**body, "quantity": "3"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert other.status_code == 422 and other["Content-Type"] == "application/problem+json"
    assert other.json()["errors"][0]["code"] == "idempotency_key_reused"
    assert Specimen.objects.count() == 1


def test_keys_are_per_principal(lis, tech, body):
    first = lis.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    second = tech.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY="shared")

    assert first.status_code == second.status_code == 201
    assert first.json()["barcode"] != second.json()["barcode"]
    principals = sorted(IdempotencyKey.objects.values_list("principal", flat=True))
    assert [p.split(":")[0] for p in principals] == ["token", "user"]


def test_a_refused_request_keeps_no_key_so_the_fixed_retry_goes_through(lis, body):
    refused = lis.post(LIST, {**body, "collection": "no-such"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    fixed = lis.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    assert (refused.status_code, fixed.status_code) == (400, 201)
    assert not fixed.has_header("Idempotent-Replayed")


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "ünïcode"])
def test_a_malformed_key_is_a_400_naming_the_header(tech, body, key):
    response = tech.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/Idempotency-Key"
    assert not Specimen.objects.exists()


def test_a_key_older_than_a_day_counts_as_new_and_the_purge_forgets_it(lis, body):
    lis.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyKey.objects.update(created_at=timezone.now() - timezone.timedelta(hours=25))

    again = lis.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY="old")

    assert again.status_code == 201 and not again.has_header("Idempotent-Replayed")
    assert Specimen.objects.count() == 2
    IdempotencyKey.objects.update(created_at=timezone.now() - timezone.timedelta(hours=25))
    assert idempotency_keys_purge() == 1 and not IdempotencyKey.objects.exists()


def test_without_a_key_every_request_registers(tech, body):
    tech.post(LIST, body, format="json")
    tech.post(LIST, body, format="json")

    assert Specimen.objects.count() == 2
