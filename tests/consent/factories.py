"""Builders of the consent tests: a small broad-consent catalogue, donors and signed consents, through the services."""

from __future__ import annotations

import io
import secrets
from datetime import date

import pytest
from PIL import Image

from biobank.pseudonyms.checkchar import ALPHABET, check_char
from consent import services
from consent.models import Donor, Module, Template

LANGUAGES_TEXT = {
    "en": ("Broad consent", "I agree that my data and biomaterial may be used for medical research."),
    "de": (
        "Breite Einwilligung",
        "Ich willige ein, dass meine Daten und Biomaterialien für die Forschung genutzt werden.",
    ),
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def new_pid() -> str:
    data = "".join(secrets.choice(ALPHABET) for _ in range(10))
    return data + check_char(data)


def make_donor(biobank, pid: str | None = None) -> Donor:
    return Donor.objects.create(biobank=biobank, pid=pid or new_pid())


def texts(title: str, text: str) -> dict:
    return {"en": {"title": title, "text": text}, "de": {"title": f"{title} (de)", "text": f"{text} (de)"}}


def make_catalogue(biobank, *, actor=None, validity: str = "P30Y", activate: bool = True) -> Template:
    """Template ``broad`` v1 with modules: data (mandatory), biomaterial, recontact (optional), research (GRU + PUB)."""
    data = services.policy_create(
        actor=actor,
        biobank=biobank,
        code="mdat-store",
        name="Store patient data",
        action="store",
        data_class="medical_data",
        duo_terms=["HMB"],
    )
    bio_use = services.policy_create(
        actor=actor,
        biobank=biobank,
        code="biomat-use",
        name="Use biomaterial",
        action="use",
        data_class="biomaterial",
        duo_terms=["GRU"],
        validity="P5Y",
    )
    recontact = services.policy_create(
        actor=actor,
        biobank=biobank,
        code="recontact",
        name="Recontact",
        action="contact",
        data_class="contact",
    )
    commercial = services.policy_create(
        actor=actor,
        biobank=biobank,
        code="mdat-use-pub",
        name="Use data with publication",
        action="use",
        data_class="medical_data",
        duo_terms=["GRU", "PUB"],
    )
    modules = [
        services.module_create(
            actor=actor,
            biobank=biobank,
            code="data",
            texts=texts("Patient data", "Your data."),
            policies=[data],
            mandatory=True,
        ),
        services.module_create(
            actor=actor,
            biobank=biobank,
            code="biomaterial",
            texts=texts("Biomaterial", "Your samples."),
            policies=[bio_use],
        ),
        services.module_create(
            actor=actor,
            biobank=biobank,
            code="recontact",
            texts=texts("Recontact", "We may contact you."),
            policies=[recontact],
            validity="P2Y",
        ),
        services.module_create(
            actor=actor,
            biobank=biobank,
            code="research",
            texts=texts("Research with publication", "Results are published."),
            policies=[commercial],
        ),
    ]
    template = services.template_create(
        actor=actor,
        biobank=biobank,
        code="broad",
        version_label="v1",
        texts={k: {"title": t, "text": x} for k, (t, x) in LANGUAGES_TEXT.items()},
        modules=modules,
        consent_validity=validity,
    )
    if activate:
        template = services.template_activate(actor=actor, template=template)
    return template


ALL_ACCEPTED = {"data": "accepted", "biomaterial": "accepted", "recontact": "accepted", "research": "accepted"}


def signature_png() -> bytes:
    image = Image.new("RGB", (120, 40), "white")
    for x in range(10, 110):
        image.putpixel((x, 20 + (x % 7)), (0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def record(actor, donor, template, *, choices=None, language="en", **kwargs):
    return services.consent_record(
        actor=actor,
        donor=donor,
        template=template,
        language=language,
        choices=choices or ALL_ACCEPTED,
        signer_name=kwargs.pop("signer_name", "Erika Mustermann"),
        countersigned=kwargs.pop("countersigned", True),
        signature_png=kwargs.pop("signature_png", signature_png()),
        informed_by=kwargs.pop("informed_by", actor),
        informed_place=kwargs.pop("informed_place", "Outpatient clinic, room 2"),
        **kwargs,
    )


def module(template: Template, code: str) -> Module:
    return template.modules.get(code=code)


def days(n: int) -> date:
    from datetime import timedelta

    from django.utils import timezone

    return timezone.localdate() + timedelta(days=n)
