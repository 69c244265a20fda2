"""The receipt prints the exact text: wording the receipt font (DejaVu Sans) cannot print is refused when it is saved,
and nothing typed at signing is dropped silently from the PDF."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from biobank.errors import DomainError
from consent import services
from consent.models import Template
from tests.consent.factories import make_catalogue, media_root, record, texts  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(biobank_a, consent_officer_a):
    return make_catalogue(biobank_a, actor=consent_officer_a)


def test_a_new_template_whose_text_the_receipt_cannot_print_is_refused_naming_the_character(
    biobank_a, consent_officer_a, template
):
    before = Template.objects.count()

    with pytest.raises(DomainError, match=r"text of the template \(en\).*“中” \(U\+4E2D CJK UNIFIED IDEOGRAPH-4E2D\)"):
        services.template_create(
            actor=consent_officer_a,
            biobank=biobank_a,
            code="other",
            version_label="v1",
            texts={"en": {"title": "Consent", "text": "I agree (中文 version on request)."}},
            modules=list(template.modules.all()),
        )
    assert Template.objects.count() == before


def test_a_new_version_with_an_unprintable_title_is_refused(consent_officer_a, template):
    with pytest.raises(DomainError, match=r"title of the template \(de\).*U\+10348") as error:
        services.template_new_version(
            actor=consent_officer_a,
            previous=template,
            version_label="v2",
            texts={"en": {"title": "Consent", "text": "Text."}, "de": {"title": "Einwilligung 𐍈", "text": "Text."}},
        )
    assert error.value.field == "texts"
    assert not Template.objects.filter(version_label="v2").exists()


def test_module_wording_is_checked_as_well(biobank_a, consent_officer_a, template):
    policies = list(template.modules.get(code="data").policies.all())

    with pytest.raises(DomainError, match=r"module genome.*U\+0E01"):
        services.module_create(
            actor=consent_officer_a,
            biobank=biobank_a,
            code="genome",
            texts=texts("Genome", "Thai: ก"),
            policies=policies,
        )


def test_umlauts_and_typographic_quotes_are_printable(biobank_a, consent_officer_a, template):
    created = services.template_create(
        actor=consent_officer_a,
        biobank=biobank_a,
        code="plain",
        version_label="v1",
        texts={
            "de": {"title": "Einwilligung \u2013 Übersicht", "text": "„Ich willige ein“ … Straße, Größe, Œuvre, ł."}
        },
        modules=list(template.modules.all()),
    )
    assert created.pk


def test_a_name_the_font_cannot_print_shows_as_its_code_point_on_the_receipt(
    consent_officer_a, donor_a, template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        consent = record(consent_officer_a, donor_a, template, signer_name="Li 李")
    consent.refresh_from_db()

    pdf = services.consent_receipt_read(actor=consent_officer_a, consent=consent)

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Li [U+674E]" in text
