"""Staff pages: templates (list, version, activation, diff), capture, consent detail and receipt, scans and QC."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from biobank.accounts.choices import Role
from biobank.audit.models import AuditOutbox
from biobank.errors import ConflictError
from consent import services
from consent.choices import TEMPLATE_ALLOWED_TRANSITIONS, ConsentStatus, TemplateStatus
from consent.models import Consent, Template
from consent.selectors.consents import consents_of_donor
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
def signed_in(client, officer):
    client.force_login(officer)
    return client


def test_a_signed_version_cannot_be_edited_by_the_service_nor_in_the_database(officer, template, biobank_a):
    record(officer, make_donor(biobank_a), template)

    with pytest.raises(ConflictError, match="a signed version is immutable"):
        services.template_texts_update(actor=officer, template=template, texts={"en": {"title": "X", "text": "Y"}})
    for sql in (
        "UPDATE consent_templatetext SET text = 'changed'",
        "DELETE FROM consent_templatemodule",
        "UPDATE consent_template SET version_label = 'v1b'",
        "UPDATE consent_module SET mandatory = NOT mandatory",
        "UPDATE consent_policy SET duo_terms = '{}'",
    ):
        with pytest.raises(IntegrityError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert template.texts.get(language="en").text.startswith("I agree")


def test_an_unsigned_draft_can_still_be_edited(officer, biobank_a):
    draft = make_catalogue(biobank_a, actor=officer, activate=False)

    services.template_texts_update(actor=officer, template=draft, texts={"en": {"title": "Broad", "text": "New."}})

    assert draft.texts.get(language="en").text == "New."


def _template_in(status: str, biobank, officer) -> Template:
    template = make_catalogue(biobank, actor=officer, activate=False)
    number = Template.objects.filter(biobank=biobank).count()
    Template.objects.filter(pk=template.pk).update(code=f"broad-{number}")
    template.refresh_from_db()
    if status != TemplateStatus.DRAFT:
        services.template_activate(actor=officer, template=template)
    if status == TemplateStatus.RETIRED:
        services.template_retire(actor=officer, template=template)
    template.refresh_from_db()
    return template


@pytest.mark.parametrize("source", TemplateStatus.values)
@pytest.mark.parametrize("target", [TemplateStatus.ACTIVE, TemplateStatus.RETIRED])
def test_every_template_transition_in_the_table_works_and_every_other_is_refused(source, target, officer, biobank_a):
    template = _template_in(source, biobank_a, officer)
    action = services.template_activate if target == TemplateStatus.ACTIVE else services.template_retire

    if target in TEMPLATE_ALLOWED_TRANSITIONS[source]:
        assert action(actor=officer, template=template).status == target
    else:
        with pytest.raises(ConflictError, match="cannot become"):
            action(actor=officer, template=template)


def test_the_template_pages_show_versions_and_the_diff_per_language_and_module(signed_in, template, officer):
    response = signed_in.post(
        f"/consent/biobank-a/templates/{template.pk}/new-version/",
        {
            "version_label": "v2",
            "title_en": "Broad consent",
            "text_en": "I agree that my data may be used for medical research.",
            "title_de": "Breite Einwilligung",
            "text_de": "Ich willige ein.",
            "m_biomaterial_en": "Your samples, stored for 5 years.",
        },
    )
    v2 = Template.objects.get(version_label="v2")
    assert response.status_code == 302 and v2.status == TemplateStatus.DRAFT
    assert v2.modules.get(code="biomaterial").version == 2

    listing = signed_in.get("/consent/biobank-a/templates/")
    diff = signed_in.get(f"/consent/biobank-a/templates/{v2.pk}/diff/")

    assert "v2" in listing.content.decode()
    html = diff.content.decode()
    assert "Text [en]" in html and "Module biomaterial [en]" in html
    assert "<del>" in html and "Your samples, stored for 5 years." in html

    activated = signed_in.post(f"/consent/biobank-a/templates/{v2.pk}/activate/")
    assert activated.status_code == 302
    template.refresh_from_db()
    assert template.status == TemplateStatus.RETIRED


def test_the_capture_screen_records_a_consent_and_the_receipt_download_is_audited(
    signed_in, template, biobank_a, officer, django_capture_on_commit_callbacks
):
    donor = make_donor(biobank_a)
    start = {"pid": donor.pid, "template": template.pk, "language": "en"}
    page = signed_in.get("/consent/biobank-a/record/", start)
    assert "I agree that my data and biomaterial" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            "/consent/biobank-a/record/",
            {
                **start,
                "module_data": "accepted",
                "module_biomaterial": "declined",
                "signer_name": "Erika M",
                "informed_by": officer.pk,
                "informed_place": "Ward 3",
                "witness": officer.pk,
                "countersigned": "on",
            },
        )
    consent = Consent.objects.get()
    assert response.status_code == 302
    detail = signed_in.get(f"/consent/biobank-a/consents/{consent.pk}/").content.decode()
    assert consent.receipt_sha256 in detail and "Erika M" not in detail

    receipt = signed_in.get(f"/consent/biobank-a/consents/{consent.pk}/receipt.pdf")
    assert hashlib.sha256(receipt.content).hexdigest() == consent.receipt_sha256
    assert AuditOutbox.objects.filter(action="consent.receipt_read", object_id=str(consent.pk)).exists()


def test_the_capture_screen_names_a_missing_mandatory_module(signed_in, template, biobank_a):
    donor = make_donor(biobank_a)

    response = signed_in.post(
        "/consent/biobank-a/record/",
        {"pid": donor.pid, "template": template.pk, "language": "en", "signer_name": "E", "countersigned": "on"},
    )

    assert response.status_code == 200
    assert "Patient data: This module is mandatory" in response.content.decode()
    assert not Consent.objects.exists()


def test_a_wrong_check_character_on_the_capture_screen_says_so(signed_in, template, biobank_a):
    donor = make_donor(biobank_a)
    wrong = donor.pid[:-1] + ("0" if donor.pid[-1] != "0" else "1")

    response = signed_in.get("/consent/biobank-a/record/", {"pid": wrong, "template": template.pk, "language": "en"})

    assert "check character" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"GIF89a not a scan", "form.pdf", "is not a PDF, PNG or JPEG"),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), "big.pdf", "at most 10 MB"),
    ],
)
def test_a_scan_that_is_not_a_pdf_or_image_or_too_large_is_refused_and_nothing_is_written(
    signed_in,
    template,
    biobank_a,
    officer,
    media_root,  # noqa: F811
    content,
    name,
    message,
):
    donor = make_donor(biobank_a)

    response = signed_in.post(
        "/consent/biobank-a/scans/new/",
        {
            "pid": donor.pid,
            "template": template.pk,
            "language": "en",
            "signed_on": "2020-01-01",
            "accepted": "data",
            "scan": SimpleUploadedFile(name, content),
            "informed_by": officer.pk,
            "informed_place": "Ward 3",
        },
    )

    assert message in response.content.decode()
    assert not Consent.objects.exists()
    assert not any(media_root.rglob("*.*")) if media_root.exists() else True


def test_the_uploader_cannot_approve_their_own_scan_but_a_colleague_can(signed_in, template, biobank_a, officer):
    donor = make_donor(biobank_a)
    signed_in.post(
        "/consent/biobank-a/scans/new/",
        {
            "pid": donor.pid,
            "template": template.pk,
            "language": "en",
            "signed_on": timezone.localdate().isoformat(),
            "accepted": "data, biomaterial",
            "scan": SimpleUploadedFile("form.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100),
            "informed_by": officer.pk,
            "informed_place": "Ward 3",
        },
    )
    consent = Consent.objects.get()
    assert consent.status == ConsentStatus.PENDING_QC

    own = signed_in.post(f"/consent/biobank-a/scans/qc/{consent.pk}/", {"decision": "approve"})
    assert "a second person must check it" in own.content.decode()

    colleague = make_member(biobank_a, Role.CONSENT_OFFICER, email="colleague@example.org")
    signed_in.force_login(colleague)
    assert str(donor.pid) in signed_in.get("/consent/biobank-a/scans/qc/").content.decode()
    signed_in.post(f"/consent/biobank-a/scans/qc/{consent.pk}/", {"decision": "approve"})
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.VALID and consent.qc_by == colleague


def test_the_donor_page_partial_lists_the_donors_consents(officer, template, biobank_a):
    donor = make_donor(biobank_a)
    consent = record(officer, donor, template)

    consents = consents_of_donor(user=officer, donor=donor)
    html = render_to_string("consent/donors/_consents.html", {"donor": donor, "consents": consents})

    assert f"/consent/biobank-a/consents/{consent.pk}/" in html


def test_a_technician_gets_a_403_on_the_capture_screen_and_an_outsider_a_404(client, biobank_a, outsider):
    client.force_login(make_member(biobank_a, Role.TECHNICIAN))
    assert client.get("/consent/biobank-a/record/").status_code == 403
    client.force_login(outsider)
    assert client.get("/consent/biobank-a/record/").status_code == 404
