"""Labels from the list or a specimen page, or scanned: a PDF or ZPL download, audited."""

from __future__ import annotations

import pytest

from biobank.audit.models import AuditOutbox
from tests.specimens.views.conftest import url

pytestmark = pytest.mark.django_db


def _print(client, lab, barcodes, **choices):
    data = {"step": "print", "barcodes": "\n".join(barcodes), "layout": "1.28x0.5in-a4", "symbology": "datamatrix"}
    data |= {"output": "pdf", "start_position": "1", "dpi": "300", **choices}
    return client.post(url("labels", lab), data)


def test_barcodes_posted_from_a_specimen_page_prefill_the_form(client, lab):
    client.force_login(lab.technician)
    page = client.post(url("labels", lab), {"barcode": [lab.primary.barcode, lab.aliquots[0].barcode]})
    assert page.status_code == 200
    assert f"{lab.primary.barcode}\n{lab.aliquots[0].barcode}" in page.content.decode()


def test_a_pdf_of_labels_is_downloaded_and_audited_per_specimen(client, lab):
    client.force_login(lab.technician)
    response = _print(client, lab, [a.barcode for a in lab.aliquots], start_position="3")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    printed = AuditOutbox.objects.filter(action="specimen.labels")
    assert sorted(printed.values_list("object_id", flat=True)) == sorted(str(a.pk) for a in lab.aliquots)


def test_zpl_carries_each_barcode_and_the_donors_pid(client, lab):
    client.force_login(lab.technician)
    response = _print(client, lab, [lab.primary.barcode], output="zpl", symbology="code128", layout="2x1in-roll")
    zpl = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert zpl.count("^XA") == 1 and lab.donor.pid_display in zpl


def test_unknown_barcodes_and_impossible_labels_are_named_and_nothing_is_recorded(client, lab):
    client.force_login(lab.technician)
    page = _print(client, lab, ["NOPE-1", lab.foreign.barcode]).content.decode()
    assert f"No specimen of this biobank has the barcode(s) NOPE-1, {lab.foreign.barcode}." in page
    page = _print(client, lab, [lab.primary.barcode], start_position="500").content.decode()
    assert "First free label on the sheet: A 1.28x0.5in-a4 page holds 110 labels" in page
    assert not AuditOutbox.objects.filter(action="specimen.labels").exists()


def test_readers_cannot_print(client, lab):
    client.force_login(lab.auditor)
    assert client.get(url("labels", lab)).status_code == 403
