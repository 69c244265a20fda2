"""Identity stays in the vault: a consent officer records a consent signed by Jane (or her guardian); the names and
the drawn signature are encrypted, the receipt and the scan lie encrypted on disk, and only officers and stewards
(with a reason) open them — every read audited."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from pypdf import PdfReader

from biobank.audit.models import AuditOutbox
from biobank.crypto.keys import ENCRYPTION, append_key
from consent import services
from consent.documents import signature_values
from consent.models import Consent, ConsentSignature, IdentityRecord
from consent.vault_crypto import VaultIntegrityError, bytes_key_id
from tests.consent.factories import make_catalogue, make_donor, media_root, record  # noqa: F401

pytestmark = pytest.mark.django_db

SCAN = b"%PDF-1.4 paper form signed by Jane Marie Schmidt"


@pytest.fixture
def template(biobank_a, consent_officer_a):
    return make_catalogue(biobank_a, actor=consent_officer_a)


@pytest.fixture
def signed(consent_officer_a, donor_a, template, django_capture_on_commit_callbacks):
    """Jane's consent, signed on screen through her guardian, with its receipt made."""
    with django_capture_on_commit_callbacks(execute=True):
        consent = record(
            consent_officer_a,
            donor_a,
            template,
            signer_name="Jane Marie Schmidt",
            representative_name="Gustav Vormund",
            representative_relation="legal guardian",
            representative_legal_basis="legal_guardian",
        )
    consent.refresh_from_db()
    return consent


@pytest.fixture
def scanned(consent_officer_a, donor_a, template):
    return services.consent_scan_upload(
        actor=consent_officer_a,
        informed_by=consent_officer_a,
        informed_place="Outpatient clinic",
        donor=donor_a,
        template=template,
        language="en",
        choices={"data": "accepted"},
        signed_on=timezone.localdate(),
        file=ContentFile(SCAN, name="form.pdf"),
        representative_name="Gustav Vormund",
        representative_relation="legal guardian",
        representative_legal_basis="legal_guardian",
    )


def stored(field) -> bytes:
    with open(field.path, "rb") as handle:
        return handle.read()


# --- at rest -----------------------------------------------------------------------------------------------------


def test_the_consent_tables_hold_no_name_and_the_vault_gives_them_back(signed):
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(c)::text FROM consent_consent c")
        consents = cursor.fetchone()[0]
        cursor.execute("SELECT row_to_json(s)::text FROM consent_consentsignature s")
        signature = cursor.fetchone()[0]

    for name in ("Jane", "Schmidt", "Gustav", "Vormund"):
        assert name not in consents and name not in signature
    values = signature_values(signed)
    assert (values.signer_name, values.representative_name) == ("Jane Marie Schmidt", "Gustav Vormund")
    assert values.signature_png.startswith(b"\x89PNG")


def test_the_receipt_on_disk_is_encrypted_and_decrypts_to_the_pdf_an_officer_downloads(signed, consent_officer_a):
    on_disk = stored(signed.receipt)
    assert signed.receipt.name == f"consent/receipts/{signed.biobank_id}/{signed.uid}.pdf.enc"
    assert b"%PDF" not in on_disk and b"Schmidt" not in on_disk and bytes_key_id(on_disk) == "t1"

    pdf = services.consent_receipt_read(actor=consent_officer_a, consent=signed)

    assert pdf.startswith(b"%PDF-") and hashlib.sha256(pdf).hexdigest() == signed.receipt_sha256
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Jane Marie Schmidt" in text and "Gustav Vormund (legal guardian)" in text


def test_the_scan_on_disk_is_encrypted_and_its_hash_is_that_of_the_uploaded_file(scanned, consent_officer_a):
    on_disk = stored(scanned.scan)
    assert SCAN not in on_disk and b"Schmidt" not in on_disk
    assert scanned.scan.name == f"consent/scans/{scanned.biobank_id}/{scanned.uid}.enc"
    assert scanned.scan_sha256 == hashlib.sha256(SCAN).hexdigest()

    assert services.consent_scan_read(actor=consent_officer_a, consent=scanned) == SCAN
    assert signature_values(scanned).representative_name == "Gustav Vormund"


def test_a_receipt_copied_onto_another_consent_fails_authentication(
    signed, consent_officer_a, donor_a, template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        other = record(consent_officer_a, donor_a, template, signer_name="Someone")
    other.refresh_from_db()
    with open(other.receipt.path, "wb") as handle:
        handle.write(stored(signed.receipt))

    with pytest.raises(VaultIntegrityError, match="failed authentication"):
        services.consent_receipt_read(actor=consent_officer_a, consent=other)


def test_a_signature_ciphertext_moved_to_another_consent_does_not_decrypt(signed, consent_officer_a, donor_a, template):
    other = record(consent_officer_a, donor_a, template, signer_name="Someone")
    with connection.cursor() as cursor:  # allowed by the guard (only the ciphertext changes), refused by the vault
        cursor.execute(
            "UPDATE consent_consentsignature SET signer_name = "
            "(SELECT signer_name FROM consent_consentsignature WHERE consent_uid = %s) WHERE consent_uid = %s",
            [signed.uid, other.uid],
        )

    with pytest.raises(VaultIntegrityError):
        signature_values(other)


def test_a_signature_row_cannot_be_pointed_at_another_donor(signed, register):
    other = register(
        given_names="Paul", family_name="Weber", hospital_id="MRN-7", national_id="", email="", phone=""
    ).donor

    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE consent_consentsignature SET donor_ref = %s", [other.subject_ref])


def test_a_key_rotation_re_encrypts_signatures_receipts_and_scans(signed, scanned, consent_officer_a):
    append_key(ENCRYPTION, "t2")

    services.identity_vault_rotate()

    assert bytes_key_id(stored(signed.receipt)) == "t2" and bytes_key_id(stored(scanned.scan)) == "t2"
    assert all(
        row.signer_name is None or row.signer_name.startswith("v1:t2:") for row in ConsentSignature.objects.all()
    )
    assert services.consent_scan_read(actor=consent_officer_a, consent=scanned) == SCAN
    pdf = services.consent_receipt_read(actor=consent_officer_a, consent=signed)
    assert hashlib.sha256(pdf).hexdigest() == signed.receipt_sha256
    assert signature_values(signed).signer_name == "Jane Marie Schmidt"


def test_a_receipt_stored_before_encryption_at_rest_is_encrypted_by_the_rotation(signed, consent_officer_a):
    plain = services.consent_receipt_read(actor=consent_officer_a, consent=signed)
    with open(signed.receipt.path, "wb") as handle:  # as the file was stored before this change
        handle.write(plain)

    services.identity_vault_rotate()

    assert b"%PDF" not in stored(signed.receipt)
    assert services.consent_receipt_read(actor=consent_officer_a, consent=signed) == plain


# --- who may open receipts and scans -----------------------------------------------------------------------------


def url(consent, what: str = "receipt") -> str:
    return f"/consent/biobank-a/consents/{consent.pk}/" + ("receipt.pdf" if what == "receipt" else "scan/")


def reads(consent) -> list[tuple[str, str]]:
    return list(
        AuditOutbox.objects.filter(object_id=str(consent.pk), action__in=["consent.receipt_read", "consent.scan_read"])
        .order_by("id")
        .values_list("action", "reason")
    )


def test_a_consent_officer_downloads_the_receipt_and_the_scan_and_each_read_is_audited(
    client, consent_officer_a, signed, scanned
):
    client.force_login(consent_officer_a)

    receipt = client.get(url(signed))
    scan = client.get(url(scanned, "scan"))

    assert receipt.status_code == 200 and hashlib.sha256(receipt.content).hexdigest() == signed.receipt_sha256
    assert scan.status_code == 200 and scan.content == SCAN and scan["Content-Type"] == "application/pdf"
    assert reads(signed) == [("consent.receipt_read", "consent officer")]
    assert reads(scanned) == [("consent.scan_read", "consent officer")]


def test_a_steward_states_a_reason_first_and_it_is_audited(client, steward_a, signed, scanned):
    client.force_login(steward_a)

    form = client.get(url(signed))
    empty = client.post(url(signed), {"reason": "  "})
    receipt = client.post(url(signed), {"reason": "Donor asked for a copy of her consent (ticket 4711)"})
    scan = client.post(url(scanned, "scan"), {"reason": "Checking the paper form for the ethics committee"})

    assert form.status_code == 200 and "reason" in form.content.decode() and reads(signed)[:0] == []
    assert empty.status_code == 200 and "State why" in empty.content.decode()
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF-")
    assert scan.status_code == 200 and scan.content == SCAN
    assert reads(signed) == [("consent.receipt_read", "Donor asked for a copy of her consent (ticket 4711)")]
    assert reads(scanned) == [("consent.scan_read", "Checking the paper form for the ethics committee")]


def test_the_service_refuses_a_steward_without_a_reason(steward_a, signed):
    from biobank.errors import DomainError

    with pytest.raises(DomainError, match="State why"):
        services.consent_receipt_read(actor=steward_a, consent=signed)
    assert reads(signed) == []


@pytest.mark.parametrize("persona", ["data_manager_a", "auditor_a"])
def test_data_managers_and_auditors_no_longer_download_receipts_or_scans(client, request, persona, signed, scanned):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(url(signed)).status_code == 403
    assert client.post(url(signed), {"reason": "curious"}).status_code == 403
    assert client.get(url(scanned, "scan")).status_code == 403
    detail = client.get(f"/consent/biobank-a/consents/{signed.pk}/").content.decode()
    assert "receipt.pdf" not in detail  # no button that would only lead to a 403
    assert reads(signed) == [] and reads(scanned) == []


@pytest.mark.parametrize("persona", ["consent_officer_b", "steward_b", "auditor_b"])
def test_the_receipt_of_another_biobank_is_not_found(client, request, persona, signed, scanned):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(url(signed)).status_code == 404
    assert client.post(url(signed), {"reason": "looking"}).status_code == 404
    assert client.get(url(scanned, "scan")).status_code == 404


def test_the_api_never_outputs_a_name(api_client, consent_officer_a, signed):
    api_client.force_authenticate(consent_officer_a)

    body = api_client.get("/api/v1/consents/").content.decode()

    assert str(signed.uid) in body
    for name in ("Jane", "Schmidt", "Gustav", "Vormund", "signer_name", "representative_name", "signature"):
        assert name not in body
    assert '"signed_by_representative":true' in body.replace(" ", "")


def test_audit_events_of_the_signing_name_no_one(signed, scanned):
    events = " ".join(
        str([e.details, e.changes, e.reason]) for e in AuditOutbox.objects.filter(action__startswith="consent.")
    )
    assert "consent.record" in set(AuditOutbox.objects.values_list("action", flat=True))
    for name in ("Jane", "Schmidt", "Gustav", "Vormund"):
        assert name not in events


# --- vault rows are bound to their donor -------------------------------------------------------------------------


def swap_rows(a, b, *, with_references: bool) -> None:
    """Swap the vault rows of donors ``a`` and ``b`` in raw SQL, through a third donor without a vault row (the
    unique columns allow no direct swap)."""
    spare = make_donor(a.biobank)
    steps = [(a, spare), (b, a), (spare, b)]
    with connection.cursor() as cursor:
        for old, new in steps:
            if with_references:
                cursor.execute(
                    "UPDATE consent_identityrecord SET donor_id = %s, subject_ref = %s WHERE donor_id = %s",
                    [new.pk, new.subject_ref, old.pk],
                )
            else:
                cursor.execute("UPDATE consent_identityrecord SET donor_id = %s WHERE donor_id = %s", [new.pk, old.pk])


def test_swapping_two_vault_rows_between_donors_is_refused_by_the_database(donor_a, register, steward_a):
    paul = register(given_names="Paul", family_name="Weber", hospital_id="MRN-7", national_id="", email="").donor

    with pytest.raises(IntegrityError, match="identityrecord_bound_to_its_donor"), transaction.atomic():
        swap_rows(donor_a, paul, with_references=False)

    shown = services.identity_view(actor=steward_a, donor=paul, reason="Checking the vault after a repair")
    assert shown.values.family_name == "Weber"


def test_swapping_vault_rows_with_their_references_shows_no_identity_at_all(donor_a, register, steward_a):
    paul = register(given_names="Paul", family_name="Weber", hospital_id="MRN-7", national_id="", email="").donor

    swap_rows(donor_a, paul, with_references=True)  # the foreign key is satisfied: the ciphertexts are not

    with pytest.raises(VaultIntegrityError, match="failed authentication"):
        services.identity_view(actor=steward_a, donor=paul, reason="Checking a swap")


def test_a_row_whose_reference_differs_from_its_donors_is_never_decrypted(donor_a):
    record = IdentityRecord.objects.select_related("donor").get(donor=donor_a)
    record.subject_ref = "00000000-0000-4000-8000-000000000000"  # in memory only

    with pytest.raises(VaultIntegrityError, match="moved to another donor"):
        services.identity_of(record)


def test_consent_rows_still_count_after_the_migration_removed_the_name_columns(signed):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'consent_consent' "
            "AND column_name IN ('signer_name', 'representative_name', 'signature_png')"
        )
        assert cursor.fetchall() == []
    assert Consent.objects.get(pk=signed.pk).counts
