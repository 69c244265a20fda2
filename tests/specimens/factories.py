"""Builders of the specimens tests, through the real services: collections, consented donors, specimens."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from biobank.accounts.choices import Role
from biobank.accounts.models import Biobank, User
from catalog.models import Collection
from catalog.services import collection_create
from consent import services as consent_services
from consent.models import Donor, Template
from specimens.models import Specimen, StorageUnit
from specimens.services import specimen_register
from tests.accounts.factories import make_biobank, make_member
from tests.consent.factories import make_donor, record, texts

_numbers = itertools.count(1)

PLASMA_FACTS: dict[str, Any] = {
    "primary_container": "PED",
    "pre_centrifugation_delay_min": 60,
    "pre_centrifugation_temperature_c": Decimal(21),
    "centrifugation": "done",
    "centrifugation_temperature_c": Decimal(20),
    "centrifugation_duration_min": 10,
    "centrifugation_g_force": 2000,
    "centrifugation_braking": True,
    "second_centrifugation": "none",
    "post_centrifugation_delay_min": 30,
    "post_centrifugation_temperature_c": Decimal(4),
    "storage_container": "cryotube-1-2ml",
    "storage_method": "programmable-freezing",
    "storage_temperature_c": Decimal(-150),
}


def make_collection(biobank: Biobank, code: str | None = None) -> Collection:
    number = next(_numbers)
    return collection_create(actor=None, biobank=biobank, code=code or f"col-{number}", name=f"Collection {number}")


def material_catalogue(biobank: Biobank) -> Template:
    """Template ``material`` v1: using biomaterial (GRU), sending it to other institutions (GRU), recontact."""
    existing = Template.objects.filter(biobank=biobank, code="material").first()
    if existing:
        return existing
    modules = []
    for code, action in (("use", "use"), ("transfer", "transfer"), ("recontact", "contact")):
        policy = consent_services.policy_create(
            actor=None,
            biobank=biobank,
            code=f"biomat-{code}",
            name=f"Biomaterial {code}",
            action=action,
            data_class="contact" if action == "contact" else "biomaterial",
            duo_terms=[] if action == "contact" else ["GRU"],
        )
        modules.append(
            consent_services.module_create(
                actor=None, biobank=biobank, code=code, texts=texts(code, f"Biomaterial {code}."), policies=[policy]
            )
        )
    template = consent_services.template_create(
        actor=None,
        biobank=biobank,
        code="material",
        version_label="v1",
        texts={"en": {"title": "Material", "text": "Your samples."}, "de": {"title": "Material", "text": "Proben."}},
        modules=modules,
        consent_validity="P30Y",
    )
    return consent_services.template_activate(actor=None, template=template)


def consent_officer(biobank: Biobank) -> User:
    """The biobank's consent officer (who informs donors and records their consent)."""
    email = f"officer-{biobank.code}@example.org"
    return User.objects.filter(email=email).first() or make_member(biobank, Role.CONSENT_OFFICER, email=email)


def consented_donor(biobank: Biobank, **choices: str) -> Donor:
    """A donor who signed the ``material`` template: use and transfer accepted unless ``choices`` say otherwise."""
    template = material_catalogue(biobank)
    donor = make_donor(biobank)
    record(
        consent_officer(biobank),
        donor,
        template,
        choices={"use": "accepted", "transfer": "accepted", "recontact": "accepted", **choices},
    )
    return donor


def make_specimen(
    biobank: Biobank | None = None,
    *,
    collection: Collection | None = None,
    donor: Donor | None = None,
    actor: Any = None,
    sample_type: str = "SER",
    quantity: Any = "2",
    unit: str = "mL",
    **kwargs: Any,
) -> Specimen:
    biobank = biobank or (collection.biobank if collection else None) or make_biobank()
    return specimen_register(
        actor=actor,
        collection=collection or make_collection(biobank),
        donor=donor or make_donor(biobank),
        sample_type=sample_type,
        quantity=quantity,
        unit=unit,
        **kwargs,
    )


def make_box(biobank: Biobank, *, rows: int = 9, columns: int = 9, code: str | None = None) -> StorageUnit:
    """A freezer with one box, straight through the model (tests of specimens, not of storage)."""
    number = next(_numbers)
    freezer = StorageUnit.objects.create(
        biobank=biobank, kind="freezer", name=f"Freezer {number}", code=f"F{number}", path=""
    )
    freezer.path = f"/{freezer.pk}/"
    freezer.save(update_fields=["path"])
    box = StorageUnit.objects.create(
        biobank=biobank,
        parent=freezer,
        kind="box",
        name=f"Box {number}",
        code=code or f"B{number}",
        rows=rows,
        columns=columns,
        path="",
    )
    box.path = f"{freezer.path}{box.pk}/"
    box.save(update_fields=["path"])
    return box


# --- storage (tests of specimens/services/storage, selectors/storage, views/storage, api/storage_views) ---------


def make_freezer(biobank: Biobank, tag: str = "") -> StorageUnit:
    """Site → room → freezer (-80 °C), through the storage services."""
    from specimens.services import storage_unit_create

    site = storage_unit_create(actor=None, biobank=biobank, parent=None, kind="site", name="Campus", code=f"SITE{tag}")
    room = storage_unit_create(actor=None, biobank=biobank, parent=site, kind="room", name="Room 1", code=f"ROOM{tag}")
    return storage_unit_create(
        actor=None,
        biobank=biobank,
        parent=room,
        kind="freezer",
        name="Freezer -80",
        code=f"FRZ{tag}",
        temperature_c=-80,
    )


def make_storage_box(
    biobank: Biobank,
    *,
    rows: int = 9,
    columns: int = 9,
    code: str | None = None,
    parent: StorageUnit | None = None,
) -> StorageUnit:
    """A box in a rack (a new site → room → freezer → rack unless ``parent`` is given), through the services."""
    from specimens.services import storage_unit_create

    number = next(_numbers)
    if parent is None:
        freezer = make_freezer(biobank, tag=f"-{number}")
        parent = storage_unit_create(
            actor=None, biobank=biobank, parent=freezer, kind="rack", name="Rack", code=f"RACK-{number}"
        )
    return storage_unit_create(
        actor=None,
        biobank=biobank,
        parent=parent,
        kind="box",
        name=f"Box {number}",
        code=code or f"BOX-{number}",
        rows=rows,
        columns=columns,
    )


def stock_specimen(
    biobank: Biobank, *, barcode: str = "", status: str = "available", sample_type: str = "SER"
) -> Specimen:
    """A registered specimen in no box; ``status`` is set directly (tests of storage, not of the lifecycle)."""
    specimen = make_specimen(biobank, barcode=barcode, sample_type=sample_type)
    if status != specimen.status:
        Specimen.objects.filter(pk=specimen.pk).update(status=status)
        specimen.status = status
    return specimen
