"""Export the published catalogue as the BBMRI-ERIC Directory staging workbook, a ZIP of CSVs, or MIABIS JSON.

What goes out (docs/catalog.md "API and Directory exchange"):

- only published records: biobanks with a published profile, their published collections that have a BBMRI-ERIC
  ID; the networks these are members of; the persons these name as contact or head;
- exactly the staging model's columns of each sheet, in order (``staging.py``); columns we do not store are empty;
- a sub-collection whose parent is not exported is written without ``parent_collection`` (a dangling reference
  would make the workbook unloadable);
- facts: only the k-anonymous rows (``publishable``), with EXACT counts: the Directory's facts are uploaded by the
  biobank itself, as the Directory asks, and the Directory applies its own display rules. Fact IDs are deterministic
  (``bbmri-eric:factID:<CC>_<biobank>:collection:<collection>:<digest of the dimensions>``);
- ``size``/``number_of_donors`` of a collection come from its facts' all-``*`` row (without facts: ``size`` empty and
  ``number_of_donors`` the described number of subjects; a total row under k = 10 counts as no facts);
  ``order_of_magnitude`` is the SampleSizes class of the size (without facts: of the number of donors, a lower
  bound of the samples; ``0`` when nothing is known).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import zipfile
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q

from biobank.accounts.models import Biobank
from biobank.audit.services import audit_record

from .. import identifiers
from .. import vocabularies as v
from ..choices import CatalogAuditAction
from ..facts.privacy import publishable
from ..models import BiobankProfile, Collection, CollectionFact, Network, Person, PublicationState
from .staging import FALSE, SEPARATOR, SHEETS, TRUE, staging

Cell = str | int | None
Rows = dict[str, list[dict[str, Cell]]]
ISO_TO_DIRECTORY_COUNTRY = {"GB": "UK"}
DIRECTORY_TO_ISO_COUNTRY = {value: key for key, value in ISO_TO_DIRECTORY_COUNTRY.items()}


def directory_country(code: str) -> str:
    return ISO_TO_DIRECTORY_COUNTRY.get(code, code)


def _bool(value: bool | None) -> str | None:
    return None if value is None else (TRUE if value else FALSE)


def _multi(values: Iterable[str]) -> str | None:
    joined = SEPARATOR.join(values)
    return joined or None


def _text(value: str | None) -> str | None:
    return value or None


def order_of_magnitude(count: int | None) -> str:
    """The Directory's SampleSizes class: 0 for < 10, 1 for 10-99, … (``n`` for 10^n to 10^(n+1) - 1)."""
    if not count or count < 10:
        return "0"
    return str(min(8, int(math.log10(count))))


def fact_id(collection_id: str, fact: CollectionFact) -> str:
    match = identifiers.COLLECTION_RE.match(collection_id)
    assert match is not None
    node = match["node"]
    local = collection_id.removeprefix(f"bbmri-eric:ID:{node}_")
    dims = "|".join((fact.sex, fact.age_range, fact.material_type, fact.disease))
    digest = hashlib.sha256(dims.encode()).hexdigest()[:12]
    return f"bbmri-eric:factID:{node}_{local}:{digest}"


def _person_row(person: Person) -> dict[str, Cell]:
    return {
        "id": person.bbmri_id, "title_before_name": _text(person.title_before_name),
        "first_name": _text(person.first_name), "last_name": _text(person.last_name),
        "title_after_name": _text(person.title_after_name), "email": person.email, "phone": _text(person.phone),
        "address": _text(person.address), "zip": _text(person.zip), "city": _text(person.city),
        "country": directory_country(person.country), "role": _text(person.role),
    }  # fmt: skip


def _network_row(network: Network) -> dict[str, Cell]:
    return {
        "id": network.bbmri_id, "name": network.name, "acronym": _text(network.acronym),
        "description": network.description, "location": _text(network.location),
        "latitude": _text(network.latitude), "longitude": _text(network.longitude), "also_known": None,
        "url": _text(network.url), "juridical_person": _text(network.juristic_person),
        "contact": network.contact.bbmri_id, "common_network_elements": _multi(network.common_network_elements),
        "withdrawn": _bool(network.withdrawn),
    }  # fmt: skip


def _biobank_row(profile: BiobankProfile, networks: list[str]) -> dict[str, Cell]:
    return {
        "id": profile.bbmri_id, "name": profile.biobank.name, "acronym": _text(profile.acronym),
        "description": profile.description, "url": _text(profile.url), "location": _text(profile.location),
        "country": directory_country(profile.biobank.country), "latitude": _text(profile.latitude),
        "longitude": _text(profile.longitude), "head": profile.head.bbmri_id if profile.head else None,
        "contact": profile.contact.bbmri_id if profile.contact else None,
        "juridical_person": profile.juristic_person, "network": _multi(sorted(networks)), "also_known": None,
        "collaboration_commercial": _bool(profile.collaboration_commercial),
        "collaboration_non_for_profit": _bool(profile.collaboration_non_for_profit),
        "withdrawn": _bool(profile.withdrawn),
    }  # fmt: skip


def _collection_row(c: Collection, total: CollectionFact | None, exported: set[str]) -> dict[str, Cell]:
    size = total.number_of_samples if total else None
    donors = total.number_of_donors if total else c.number_of_subjects
    parent = c.parent.bbmri_id if c.parent and c.parent.bbmri_id in exported else None
    return {
        "id": c.bbmri_id, "name": c.name, "acronym": _text(c.acronym), "description": c.description,
        "url": _text(c.url), "location": None, "country": c.country or directory_country(c.biobank.country),
        "latitude": None, "longitude": None, "head": c.head.bbmri_id if c.head else None,
        "contact": c.contact.bbmri_id if c.contact else None, "withdrawn": _bool(c.withdrawn),
        "parent_collection": parent, "biobank": c.biobank.profile.bbmri_id,
        "network": _multi(sorted(n.bbmri_id for n in c.networks.all())), "also_known": None, "studies": None,
        "type": _multi(c.collection_types), "data_categories": _multi(c.data_categories),
        "order_of_magnitude": order_of_magnitude(size if size is not None else donors), "size": size,
        "timestamp": None, "number_of_donors": donors,
        "order_of_magnitude_donors": order_of_magnitude(donors) if donors is not None else None,
        "sex": _multi(c.sex), "diagnosis_available": _multi(v.directory_disease(d) for d in c.diseases),
        "age_low": c.age_low, "age_high": c.age_high, "age_unit": _text(c.age_unit),
        "materials": _multi(c.materials), "storage_temperatures": _multi(c.storage_temperatures),
        "body_part_examined": None, "imaging_modality": None, "image_dataset_type": None,
        "collaboration_commercial": _bool(c.collaboration_commercial),
        "collaboration_non_for_profit": _bool(c.collaboration_non_for_profit),
        "data_use": _multi(v.duo_to_directory(d) for d in c.data_use), "duc_profile": None,
        "access_fee": _multi(c.access_fee), "access_joint_project": _multi(c.access_joint_project),
        "access_description": _text(c.access_description), "access_uri": _text(c.access_uri),
        "sop": _multi(c.sops),
    }  # fmt: skip


def _fact_row(collection_id: str, fact: CollectionFact) -> dict[str, Cell]:
    return {
        "id": fact_id(collection_id, fact), "collection": collection_id, "sex": fact.sex,
        "age_range": fact.age_range, "sample_type": fact.material_type,
        "disease": v.directory_disease(fact.disease) if fact.disease else None,
        "number_of_samples": fact.number_of_samples, "number_of_donors": fact.number_of_donors,
        "last_update": fact.computed_at.date().isoformat(),
    }  # fmt: skip


def directory_rows(*, biobank: Biobank | None = None) -> Rows:
    """The five sheets as lists of ``{column: cell}`` in the staging model's column order, sorted by ID."""
    profiles = BiobankProfile.objects.filter(state=PublicationState.PUBLISHED).select_related(
        "biobank", "contact", "head"
    )
    if biobank is not None:
        profiles = profiles.filter(biobank=biobank)
    profiles_list = sorted(profiles, key=lambda p: p.bbmri_id)
    biobank_ids = [p.biobank_id for p in profiles_list]
    collections = sorted(
        Collection.objects.filter(state=PublicationState.PUBLISHED, biobank__in=biobank_ids, bbmri_id__isnull=False)
        .select_related("biobank__profile", "parent", "contact", "head")
        .prefetch_related("networks"),
        key=lambda c: c.bbmri_id or "",
    )
    exported_ids = {c.bbmri_id for c in collections if c.bbmri_id}
    facts_by_collection: dict[int, list[CollectionFact]] = {}
    for fact in CollectionFact.objects.filter(collection__in=[c.pk for c in collections]):
        facts_by_collection.setdefault(fact.collection_id, []).append(fact)
    memberships: dict[int, list[str]] = {}
    for network_id, member in Network.member_biobanks.through.objects.filter(biobank__in=biobank_ids).values_list(
        "network__bbmri_id", "biobank_id"
    ):
        memberships.setdefault(member, []).append(network_id)
    networks = (
        Network.objects.select_related("contact")
        .filter(Q(member_biobanks__in=biobank_ids) | Q(collections__in=[c.pk for c in collections]))
        .distinct()
    )
    networks_list = sorted(networks, key=lambda n: n.bbmri_id)

    rows: Rows = {sheet: [] for sheet in SHEETS}
    rows["networks"] = [_network_row(n) for n in networks_list]
    rows["biobanks"] = [_biobank_row(p, memberships.get(p.biobank_id, [])) for p in profiles_list]
    for collection in collections:
        facts = facts_by_collection.get(collection.pk, [])
        total = next((f for f in facts if f.sex == f.age_range == f.material_type == f.disease == v.ANY), None)
        if total is not None and not publishable(total.number_of_donors):
            total = None
        rows["collections"].append(_collection_row(collection, total, exported_ids))
        assert collection.bbmri_id is not None
        shown = [f for f in facts if publishable(f.number_of_donors)]
        rows["facts"] += sorted((_fact_row(collection.bbmri_id, f) for f in shown), key=lambda r: str(r["id"]))
    rows["facts"].sort(key=lambda r: str(r["id"]))
    person_ids = {
        str(row[column]) for sheet in ("networks", "biobanks", "collections") for row in rows[sheet]
        for column in ("contact", "head") if row.get(column)
    }  # fmt: skip
    rows["persons"] = [_person_row(p) for p in Person.objects.filter(bbmri_id__in=person_ids).order_by("bbmri_id")]
    definitions = staging()
    return {
        sheet: [{column: row.get(column) for column in definitions[sheet].column_names} for row in sheet_rows]
        for sheet, sheet_rows in rows.items()
    }


def to_xlsx(rows: Rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in SHEETS:
        worksheet = workbook.create_sheet(sheet)
        columns = staging()[sheet].column_names
        worksheet.append(columns)
        for row in rows[sheet]:
            worksheet.append([row[column] for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv_zip(rows: Rows) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet in SHEETS:
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            columns = staging()[sheet].column_names
            writer.writerow(columns)
            for row in rows[sheet]:
                writer.writerow(["" if row[column] is None else row[column] for column in columns])
            info = zipfile.ZipInfo(f"{sheet}.csv", date_time=(2020, 1, 1, 0, 0, 0))  # reproducible archive
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.getvalue())
    return buffer.getvalue()


def directory_export(*, actor: Any, fmt: str, biobank: Biobank | None = None) -> bytes:
    """The export, audited (who took which part of the catalogue out, in which format)."""
    with transaction.atomic():
        data = export_bytes(fmt, biobank=biobank)
        audit_record(
            actor=actor, action=CatalogAuditAction.DIRECTORY_EXPORT, object_type="directory_workbook",
            object_id=fmt, biobank=biobank, details={"format": fmt, "bytes": len(data)},
        )  # fmt: skip
    return data


def export_bytes(fmt: str, *, biobank: Biobank | None = None) -> bytes:
    """``fmt``: ``xlsx``, ``zip`` (CSVs) or ``json`` (MIABIS JSON)."""
    if fmt == "json":
        from .miabis import miabis_document

        return json.dumps(miabis_document(biobank=biobank), indent=1, ensure_ascii=False).encode()
    rows = directory_rows(biobank=biobank)
    return to_xlsx(rows) if fmt == "xlsx" else to_csv_zip(rows)


FORMATS: dict[str, tuple[str, str]] = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "directory.xlsx"),
    "zip": ("application/zip", "directory-csv.zip"),
    "json": ("application/json", "miabis.json"),
}


def format_of(path: str) -> str | None:
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    return suffix if suffix in FORMATS else None


def cell_text(value: Any) -> str:
    return "" if value is None else str(value)
