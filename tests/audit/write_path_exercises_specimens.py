"""The technician's specimen pages exercised for ``test_write_paths_audited`` (register, actions, worklist scan,
labels): each through its real URL, as a technician of biobank A, asserting that it succeeded."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from biobank.accounts.choices import Role
from specimens.models import Specimen
from tests.accounts.factories import make_member
from tests.consent.factories import make_donor
from tests.specimens.factories import make_collection, make_specimen


def _technician_with_specimen(f: Any) -> tuple[Any, Specimen]:
    technician = make_member(f.biobank_a, Role.TECHNICIAN, email="specimen-tech@example.org")
    f.client.force_login(technician)
    return technician, make_specimen(f.biobank_a)


def _ok(response: Any, *codes: int) -> Any:
    assert response.status_code in (codes or (200, 302)), (response.status_code, response.content[:500])
    return response


def specimen_register(f: Any) -> None:
    technician = make_member(f.biobank_a, Role.TECHNICIAN, email="specimen-tech@example.org")
    f.client.force_login(technician)
    data = {
        "donor": make_donor(f.biobank_a).pid_display,
        "collection": make_collection(f.biobank_a).pk,
        "sample_type": "SER",
        "quantity": "2",
        "unit": "mL",
        "sprec_code": "SER-SST-A-B-N-A-E",
    }
    _ok(f.client.post(reverse("specimens:specimen_register", args=[f.biobank_a.code]), data), 302)
    assert Specimen.objects.filter(biobank=f.biobank_a).exists()


def specimen_action(f: Any) -> None:
    _technician, specimen = _technician_with_specimen(f)
    url = reverse("specimens:specimen_action", args=[f.biobank_a.code, "thaw", specimen.barcode])
    _ok(f.client.post(url, {"note": "QC"}), 302)
    specimen.refresh_from_db()
    assert specimen.freeze_thaw_count == 1


def worklist_scan(f: Any) -> None:
    _technician, specimen = _technician_with_specimen(f)
    url = reverse("specimens:worklist", args=[f.biobank_a.code, "received_today"])
    _ok(f.client.post(url, {"code": specimen.barcode}), 302)


def labels_print(f: Any) -> None:
    _technician, specimen = _technician_with_specimen(f)
    data = {"step": "print", "barcodes": specimen.barcode, "layout": "1.28x0.5in-a4", "symbology": "datamatrix"}
    data |= {"output": "pdf", "start_position": "1", "dpi": "300"}
    response = _ok(f.client.post(reverse("specimens:labels", args=[f.biobank_a.code]), data), 200)
    assert response["Content-Type"] == "application/pdf"


def shipment_decision(f: Any) -> None:
    from specimens.services import specimens_ship
    from tests.specimens.factories import consented_donor
    from tests.specimens.withdrawal_helpers import withdraw

    technician = make_member(f.biobank_a, Role.TECHNICIAN, email="specimen-tech@example.org")
    donor = consented_donor(f.biobank_a)
    specimen = make_specimen(collection=make_collection(f.biobank_a), donor=donor)
    specimens_ship(actor=None, specimens=[specimen], purpose="GRU", recipient="Lab X")
    withdraw(donor)
    f.client.force_login(technician)
    data = {"specimens": [specimen.pk], "decision": "recall", "note": "Asked Lab X to send it back"}
    _ok(f.client.post(reverse("specimens:shipment_decisions", args=[f.biobank_a.code]), data), 302)
