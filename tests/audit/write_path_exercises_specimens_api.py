"""Exercisers of the specimens API's writing routes for ``test_write_paths_audited`` (one per route, valid data)."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from specimens.models import Specimen
from specimens.services import specimens_reserve, specimens_ship
from tests.audit.write_path_exercises import Fixtures, _ok
from tests.specimens.factories import consented_donor, make_collection, make_specimen


def _tech(f: Fixtures) -> APIClient:
    client = APIClient()
    client.force_authenticate(f.technician_a)
    return client


def _tube(f: Fixtures) -> Specimen:
    return make_specimen(collection=make_collection(f.biobank_a), donor=consented_donor(f.biobank_a))


def _post(f: Fixtures, specimen: Specimen, action: str, body: dict[str, Any], status: int = 200) -> None:
    _ok(_tech(f).post(f"/api/v1/specimens/{specimen.barcode}/{action}/", body, format="json"), status)


def api_specimen_register(f: Fixtures) -> None:
    collection = make_collection(f.biobank_a)
    body = {
        "biobank": "biobank-a",
        "collection": collection.code,
        "donor": consented_donor(f.biobank_a).pid_display,
        "sample_type": "SER",
        "quantity": "2",
        "unit": "mL",
    }
    _ok(_tech(f).post("/api/v1/specimens/", body, format="json", HTTP_IDEMPOTENCY_KEY="audit-1"), 201)


def api_specimen_update(f: Fixtures) -> None:
    specimen = _tube(f)
    _ok(_tech(f).patch(f"/api/v1/specimens/{specimen.barcode}/", {"notes": "Corrected"}, format="json"), 200)


def api_specimen_aliquots(f: Fixtures) -> None:
    _post(f, _tube(f), "aliquots", {"count": 2, "quantity": "0.5", "unit": "mL"}, 201)


def api_specimen_derivatives(f: Fixtures) -> None:
    body = {"sample_type": "SER", "used_quantity": "1", "used_unit": "mL", "quantity": "1", "unit": "mL"}
    _post(f, _tube(f), "derivatives", body, 201)


def api_specimen_pool(f: Fixtures) -> None:
    first = _tube(f)
    second = make_specimen(collection=first.collection, donor=first.donor)
    parts = [{"barcode": s.barcode, "quantity": "0.5", "unit": "mL"} for s in (first, second)]
    _ok(_tech(f).post("/api/v1/specimen-pools/", {"parts": parts}, format="json"), 201)


def api_specimen_reserve(f: Fixtures) -> None:
    _post(f, _tube(f), "reserve", {"purpose": "GRU", "reason": "Project P-17"})


def api_specimen_release(f: Fixtures) -> None:
    specimen = _tube(f)
    specimens_reserve(actor=None, specimens=[specimen], purpose="GRU", reason="P-17")
    _post(f, specimen, "release", {"reason": "Cancelled"})


def api_specimen_ship(f: Fixtures) -> None:
    _post(f, _tube(f), "ship", {"purpose": "GRU", "recipient": "Institute X"})


def api_specimen_return(f: Fixtures) -> None:
    specimen = _tube(f)
    specimens_ship(actor=None, specimens=[specimen], purpose="GRU", recipient="Institute X")
    _post(f, specimen, "return", {"reason": "Unused"})


def api_specimen_consume(f: Fixtures) -> None:
    _post(f, _tube(f), "consume", {"reason": "QC run"})


def api_specimen_dispose(f: Fixtures) -> None:
    _post(f, _tube(f), "dispose", {"reason": "Cracked"})


def api_specimen_unblock(f: Fixtures) -> None:
    specimen = _tube(f)
    Specimen.objects.filter(pk=specimen.pk).update(status="consent_blocked")
    _post(f, specimen, "unblock", {"reason": "Withdrawal invalidated"})


def api_specimen_event(f: Fixtures) -> None:
    _post(f, _tube(f), "events", {"type": "thawed"}, 201)
