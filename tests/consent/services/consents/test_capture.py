"""Electronic capture: a consent signed on screen, its per-policy states, the receipt and what is refused."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.db import IntegrityError, connection, transaction

from biobank.accounts.choices import Role
from biobank.audit.models import AuditOutbox
from biobank.errors import DomainError
from consent import services
from consent.choices import ConsentStatus, PolicyStateValue
from consent.documents import signature_values
from consent.models import Consent, PolicyState
from tests.accounts.factories import make_member
from tests.consent.factories import make_catalogue, make_donor, media_root, record  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(biobank_a):
    return make_member(biobank_a, Role.CONSENT_OFFICER, email="officer@example.org")


@pytest.fixture
def template(biobank_a, officer):
    return make_catalogue(biobank_a, actor=officer)


@pytest.fixture
def donor(biobank_a):
    return make_donor(biobank_a)


def test_a_signed_consent_expands_into_one_state_row_per_module_and_policy(officer, template, donor):
    consent = record(officer, donor, template, choices={"data": "accepted", "biomaterial": "declined"})

    states = {(s.module.code, s.policy.code): s.state for s in PolicyState.objects.filter(consent=consent)}
    assert states == {
        ("data", "mdat-store"): PolicyStateValue.ACCEPTED,
        ("biomaterial", "biomat-use"): PolicyStateValue.DECLINED,
        ("recontact", "recontact"): PolicyStateValue.UNKNOWN,
        ("research", "mdat-use-pub"): PolicyStateValue.UNKNOWN,
    }
    assert consent.status == ConsentStatus.VALID
    assert consent.countersigned_by == officer
    assert AuditOutbox.objects.filter(action="consent.record", object_id=str(consent.pk)).exists()


def test_expiry_is_the_shortest_of_template_module_and_policy_validity(officer, template, donor):
    consent = record(officer, donor, template)

    ends = {s.policy.code: s.valid_to for s in PolicyState.objects.filter(consent=consent)}
    signed = consent.signed_on
    assert ends["mdat-store"] == signed.replace(year=signed.year + 30) - __import__("datetime").timedelta(days=1)
    assert ends["biomat-use"] == signed.replace(year=signed.year + 5) - __import__("datetime").timedelta(days=1)
    assert ends["recontact"] == signed.replace(year=signed.year + 2) - __import__("datetime").timedelta(days=1)


def test_the_receipt_is_a_pdf_whose_sha256_is_the_stored_hash(
    officer, template, donor, django_capture_on_commit_callbacks
):
    from pypdf import PdfReader

    with django_capture_on_commit_callbacks(execute=True):
        consent = record(officer, donor, template, language="de")

    consent.refresh_from_db()
    data = services.consent_receipt_read(actor=officer, consent=consent)
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == consent.receipt_sha256
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert donor.pid in text
    assert "Ich willige ein" in text
    assert "Erika Mustermann" in text
    assert "Zugestimmt" in text


def test_the_receipt_is_made_once_even_if_the_task_runs_twice(
    officer, template, donor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        consent = record(officer, donor, template)
    first = Consent.objects.get(pk=consent.pk).receipt_sha256

    again = services.consent_receipt_generate(consent_id=consent.pk)

    assert again.receipt_sha256 == first


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ({"biomaterial": "accepted"}, "The mandatory module “Patient data” (data) is missing"),
        ({"data": "declined"}, "The mandatory module “Patient data” (data) was declined"),
        ({"data": "accepted", "genome": "accepted"}, "The template has no module genome"),
    ],
)
def test_bad_choices_are_refused_with_a_message_naming_the_module_and_nothing_is_written(
    officer, template, donor, choices, message
):
    with pytest.raises(DomainError, match=re.escape(message)):
        record(officer, donor, template, choices=choices)

    assert not Consent.objects.exists()
    assert not PolicyState.objects.exists()


def test_signing_an_outdated_version_is_refused_and_names_the_current_one(officer, template, donor):
    v2 = services.template_new_version(actor=officer, previous=template, version_label="v2")
    services.template_activate(actor=officer, template=v2)
    template.refresh_from_db()

    with pytest.raises(DomainError, match=r"Version v1 of broad is retired.*Sign the current version v2"):
        record(officer, donor, template)
    assert not Consent.objects.exists()


def test_a_draft_cannot_be_signed(officer, biobank_a, donor):
    draft = make_catalogue(biobank_a, actor=officer, activate=False)

    with pytest.raises(DomainError, match="is draft"):
        record(officer, donor, draft)


def test_signature_representative_and_countersignature_are_required_as_documented(officer, template, donor):
    with pytest.raises(DomainError, match="Type the name"):
        record(officer, donor, template, signer_name="  ")
    with pytest.raises(DomainError, match="witnessed"):
        record(officer, donor, template, countersigned=False)
    with pytest.raises(DomainError, match="both the name and the relation"):
        record(officer, donor, template, representative_name="Max Mustermann")
    with pytest.raises(DomainError, match="must be a PNG"):
        record(officer, donor, template, signature_png=b"GIF89a....")
    assert not Consent.objects.exists()


def test_a_guardian_may_sign_for_the_donor_and_the_names_go_into_the_vault(officer, template, donor):
    consent = record(
        officer,
        donor,
        template,
        representative_name="Max Mustermann",
        representative_relation="father",
        representative_legal_basis="parent",
    )

    signature = signature_values(consent)
    assert (signature.representative_name, consent.representative_relation) == ("Max Mustermann", "father")
    assert consent.representative_legal_basis == "parent"
    assert signature.signer_name == "Erika Mustermann" and signature.signature_png.startswith(b"\x89PNG")
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(c)::text FROM consent_consent c")
        consent_rows = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT row_to_json(s)::text FROM consent_consentsignature s")
        signature_rows = " ".join(row[0] for row in cursor.fetchall())
    assert "Mustermann" not in consent_rows and "Mustermann" not in signature_rows
    assert "v1:" in signature_rows


def test_a_technician_cannot_record_consent(biobank_a, template, donor):
    technician = make_member(biobank_a, Role.TECHNICIAN)

    with pytest.raises(DomainError, match="may not manage consent"):
        record(technician, donor, template)


def test_the_state_history_is_append_only_in_the_database(officer, template, donor):
    record(officer, donor, template)

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE consent_policystate SET state = 'declined'")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM consent_policystate")
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE consent_consent SET representative_relation = 'Someone else'")
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE consent_consentsignature SET signer_name = NULL")
    with pytest.raises(IntegrityError, match="never deleted"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM consent_consentsignature")


def test_a_drawn_signature_that_did_not_arrive_is_refused_never_recorded_as_typed(officer, template, donor):
    """Issue 16, item 2: the person chose to draw; without the drawing nothing is recorded."""
    with pytest.raises(DomainError, match="No drawing arrived") as refused:
        record(officer, donor, template, signature_png=None, signature_drawn=True)

    assert refused.value.field == "signature"
    assert not Consent.objects.exists()
