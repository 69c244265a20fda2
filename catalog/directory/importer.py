"""Import a Directory staging workbook: checked completely first, then written all-or-nothing in one transaction.

Decisions (docs/catalog.md, "API and Directory exchange"):

- records are matched by their BBMRI-ERIC ID; a biobank whose ID no profile carries gets a new core ``Biobank``
  (code from the ID's local part) — only when the caller may create biobanks (the command's system actor, or a
  superuser on the upload page); data managers may import only into biobanks where they hold ``manage_catalog``;
- every write goes through the catalogue's services (the same validation as the editing pages, each record audited)
  plus one ``directory.import`` event; any service refusal becomes a row problem and nothing is kept;
- imported biobank profiles and collections are published (they are published in the Directory), also when
  MIABIS-only attributes the workbook cannot carry (dataset types) are missing: the data-quality panel lists those;
- facts are imported as ``CollectionFact`` rows for collections created by the import or without any facts; a
  collection with facts (computed from its live inventory) keeps them and the workbook's are skipped with a warning;
  fact IDs are not stored (the export derives them from the dimensions);
- a core biobank's name and country are taken from the workbook only when the import creates it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from biobank.accounts.models import Biobank
from biobank.accounts.services import biobank_create
from biobank.audit.services import audit_record
from biobank.errors import DomainError, InvalidFields

from .. import services
from .. import vocabularies as v
from ..choices import CatalogAuditAction
from ..models import BiobankProfile, Collection, CollectionFact, Network, Person, PublicationState
from .export import DIRECTORY_TO_ISO_COUNTRY
from .staging import TRUE
from .validation import Checker, Problem, Table, UnreadableWorkbook, read_workbook, split

COLLECTION_COLUMNS = {  # column -> Collection field (values converted by _collection_data)
    "name": "name", "acronym": "acronym", "description": "description", "url": "url", "country": "country",
    "head": "head", "contact": "contact", "withdrawn": "withdrawn", "type": "collection_types",
    "data_categories": "data_categories", "number_of_donors": "number_of_subjects", "sex": "sex",
    "diagnosis_available": "diseases", "age_low": "age_low", "age_high": "age_high", "age_unit": "age_unit",
    "materials": "materials", "storage_temperatures": "storage_temperatures",
    "collaboration_commercial": "collaboration_commercial",
    "collaboration_non_for_profit": "collaboration_non_for_profit", "data_use": "data_use",
    "access_fee": "access_fee", "access_joint_project": "access_joint_project",
    "access_description": "access_description", "access_uri": "access_uri", "sop": "sops",
    "parent_collection": "parent",
}  # fmt: skip
FIELD_TO_COLUMN = {value: key for key, value in COLLECTION_COLUMNS.items()} | {"juristic_person": "juridical_person"}


@dataclass
class ImportReport:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


class _Rollback(Exception):
    pass


def _bool(value: str) -> bool | None:
    return None if value == "" else value.lower() == TRUE


def _int(value: str) -> int | None:
    return None if value == "" else int(value)


def _code_from(local: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9-]+", "-", local.lower()).strip("-")[:36] or "imported"
    base = base if len(base) >= 3 else f"{base}-bb"
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base[:36]}-{n}"
    taken.add(code)
    return code


class _Writer:
    def __init__(self, tables: dict[str, Table], actor: Any, report: ImportReport,
                 allowed_biobanks: set[int] | None, may_create_biobanks: bool) -> None:  # fmt: skip
        self.tables, self.actor, self.report = tables, actor, report
        self.allowed, self.may_create = allowed_biobanks, may_create_biobanks
        self.persons: dict[str, Person] = {p.bbmri_id: p for p in Person.objects.all()}
        self.networks: dict[str, Network] = {n.bbmri_id: n for n in Network.objects.all()}
        self.biobanks: dict[str, Biobank] = {
            p.bbmri_id: p.biobank for p in BiobankProfile.objects.select_related("biobank")
        }
        self.collections: dict[str, Collection] = {
            c.bbmri_id: c for c in Collection.objects.filter(bbmri_id__isnull=False) if c.bbmri_id
        }
        self.created_collections: set[str] = set()

    def problem(self, sheet: str, row: int, column: str, value: Any, message: str) -> None:
        self.report.problems.append(Problem(sheet, row, column, "" if value is None else str(value), message))

    def refused(self, sheet: str, row: int, data: dict[str, str], error: DomainError) -> None:
        errors = error.errors if isinstance(error, InvalidFields) else {error.field or "id": [str(error)]}
        for name, messages in errors.items():
            column = FIELD_TO_COLUMN.get(name, name)
            for message in messages:
                self.problem(sheet, row, column, data.get(column, ""), message)

    def count(self, sheet: str) -> None:
        self.report.counts[sheet] = self.report.counts.get(sheet, 0) + 1

    def persons_sheet(self) -> None:
        for number, row in self.tables["persons"].rows:
            data = {name: row[name] for name in (
                "title_before_name", "first_name", "last_name", "title_after_name", "email", "phone", "address",
                "zip", "city", "country", "role")}  # fmt: skip
            try:
                self.persons[row["id"]] = services.person_save(
                    actor=self.actor, person=self.persons.get(row["id"]), bbmri_id=row["id"], **data
                )
                self.count("persons")
            except DomainError as error:
                self.refused("persons", number, row, error)

    def networks_sheet(self) -> None:
        for number, row in self.tables["networks"].rows:
            data: dict[str, Any] = {
                "bbmri_id": row["id"], "name": row["name"], "acronym": row["acronym"],
                "description": row["description"], "location": row["location"], "latitude": row["latitude"],
                "longitude": row["longitude"], "url": row["url"], "juristic_person": row["juridical_person"],
                "contact": self.persons.get(row["contact"]),
                "common_network_elements": split(row["common_network_elements"]),
                "withdrawn": _bool(row["withdrawn"]) or False,
            }  # fmt: skip
            try:
                self.networks[row["id"]] = services.network_save(
                    actor=self.actor, network=self.networks.get(row["id"]), **data
                )
                self.count("networks")
            except DomainError as error:
                self.refused("networks", number, row, error)

    def _biobank(self, number: int, row: dict[str, str], taken: set[str]) -> Biobank | None:
        biobank = self.biobanks.get(row["id"])
        if biobank is not None:
            if self.allowed is not None and biobank.pk not in self.allowed:
                self.problem("biobanks", number, "id", row["id"], _("You may not manage the catalogue of %(name)s.")
                             % {"name": biobank.name})  # fmt: skip
                return None
            return biobank
        if not self.may_create:
            self.problem("biobanks", number, "id", row["id"], _(
                "No biobank of this installation has this ID; only an administrator (or manage.py import_directory) "
                "may create biobanks from a Directory workbook."))  # fmt: skip
            return None
        local = row["id"].split("_", 1)[1]
        country = DIRECTORY_TO_ISO_COUNTRY.get(row["country"], row["country"])
        return biobank_create(actor=self.actor, code=_code_from(local, taken), name=row["name"], country=country)

    def biobanks_sheet(self) -> None:
        taken = set(Biobank.objects.values_list("code", flat=True))
        members: dict[str, set[Biobank]] = {}
        for number, row in self.tables["biobanks"].rows:
            try:
                biobank = self._biobank(number, row, taken)
                if biobank is None:
                    continue
                services.profile_save(
                    actor=self.actor, biobank=biobank, bbmri_id=row["id"], acronym=row["acronym"],
                    description=row["description"], url=row["url"], location=row["location"],
                    latitude=row["latitude"], longitude=row["longitude"], juristic_person=row["juridical_person"],
                    head=self.persons.get(row["head"]), contact=self.persons.get(row["contact"]),
                    collaboration_commercial=_bool(row["collaboration_commercial"]),
                    collaboration_non_for_profit=_bool(row["collaboration_non_for_profit"]),
                    withdrawn=_bool(row["withdrawn"]) or False, state=PublicationState.PUBLISHED,
                )  # fmt: skip
                self.biobanks[row["id"]] = biobank
                for network_ref in split(row["network"]):
                    members.setdefault(network_ref, set()).add(biobank)
                self.count("biobanks")
            except DomainError as error:
                self.refused("biobanks", number, row, error)
        in_workbook = {self.biobanks[r["id"]].pk for _n, r in self.tables["biobanks"].rows if r["id"] in self.biobanks}
        for network_id, network in self.networks.items():
            listed = members.get(network_id, set())
            current = list(network.member_biobanks.all())
            wanted = [b for b in current if b.pk not in in_workbook] + sorted(listed, key=lambda b: b.pk)
            if {b.pk for b in wanted} != {b.pk for b in current}:
                services.network_save(actor=self.actor, network=network, member_biobanks=wanted)

    def _collection_data(self, row: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for column, name in COLLECTION_COLUMNS.items():
            value = row[column]
            if column in ("head", "contact"):
                data[name] = self.persons.get(value)
            elif column in ("withdrawn",):
                data[name] = _bool(value) or False
            elif column.startswith("collaboration_"):
                data[name] = _bool(value)
            elif column in ("age_low", "age_high", "number_of_donors"):
                data[name] = _int(value)
            elif column == "diagnosis_available":
                data[name] = [v.disease_from_directory(c) for c in split(value)]
            elif column == "data_use":
                data[name] = [v.duo_from_directory(c) for c in split(value)]
            elif column == "parent_collection":
                continue
            elif name in ("sex", "collection_types", "data_categories", "materials", "storage_temperatures",
                          "access_fee", "access_joint_project", "sops"):  # fmt: skip
                data[name] = split(value)
            else:
                data[name] = value
        return data

    def collections_sheet(self) -> None:
        rows = self.tables["collections"].rows
        for number, row in rows:
            biobank = self.biobanks.get(row["biobank"])
            if biobank is None:
                continue  # its biobank was refused: already reported
            try:
                collection = self.collections.get(row["id"])
                if collection is None:
                    local = row["id"].split(":collection:", 1)[1]
                    taken = set(Collection.objects.filter(biobank=biobank).values_list("code", flat=True))
                    collection = services.collection_create(
                        actor=self.actor, biobank=biobank, code=_code_from(local, taken), name=row["name"]
                    )
                    self.created_collections.add(row["id"])
                elif collection.biobank_id != biobank.pk:
                    self.problem("collections", number, "biobank", row["biobank"],
                                 _("This collection belongs to another biobank in the catalogue."))  # fmt: skip
                    continue
                collection = services.collection_describe(
                    actor=self.actor, collection=collection, bbmri_id=row["id"], **self._collection_data(row)
                )
                self.collections[row["id"]] = collection
                self.count("collections")
            except DomainError as error:
                self.refused("collections", number, row, error)
        for number, row in rows:
            collection = self.collections.get(row["id"])
            if collection is None:
                continue
            try:
                parent = self.collections.get(row["parent_collection"]) if row["parent_collection"] else None
                if collection.parent_id != (parent.pk if parent else None):
                    services.collection_describe(actor=self.actor, collection=collection, parent=parent)
                self._networks_and_state(collection, split(row["network"]))
            except DomainError as error:
                self.refused("collections", number, row, error)

    def _networks_and_state(self, collection: Collection, network_ids: list[str]) -> None:
        old = sorted(collection.networks.values_list("bbmri_id", flat=True))
        if old != sorted(network_ids):
            collection.networks.set([self.networks[n] for n in network_ids])
            audit_record(
                actor=self.actor, action=CatalogAuditAction.COLLECTION_DESCRIBE, obj=collection,
                changes={"networks": [old, sorted(network_ids)]},
            )  # fmt: skip
        if collection.state != PublicationState.PUBLISHED:
            collection.state = PublicationState.PUBLISHED
            collection.save(update_fields=["state", "updated_at"])
            audit_record(
                actor=self.actor, action=CatalogAuditAction.COLLECTION_PUBLISH, obj=collection,
                changes={"state": [PublicationState.DRAFT, PublicationState.PUBLISHED]},
            )  # fmt: skip

    def facts_sheet(self) -> None:
        by_collection: dict[str, list[tuple[int, dict[str, str]]]] = {}
        for number, row in self.tables["facts"].rows:
            by_collection.setdefault(row["collection"], []).append((number, row))
        for collection_id, rows in by_collection.items():
            collection = self.collections.get(collection_id)
            if collection is None:
                continue
            has_facts = CollectionFact.objects.filter(collection=collection).exists()
            if collection_id not in self.created_collections and has_facts:
                self.report.warnings.append(
                    Problem(
                        "facts",
                        rows[0][0],
                        "collection",
                        collection_id,
                        _("This collection's facts are computed from its live inventory: the workbook's are skipped."),
                    )
                )
                continue
            seen: set[tuple[str, ...]] = set()
            facts = []
            for number, row in rows:
                dims = (row["sex"] or v.ANY, row["age_range"] or v.ANY, row["sample_type"] or v.ANY,
                        v.disease_from_directory(row["disease"]))  # fmt: skip
                if dims in seen:
                    self.problem("facts", number, "id", row["id"], _("Another fact of this collection has the same "
                                 "sex, age range, sample type and disease."))  # fmt: skip
                    continue
                seen.add(dims)
                day = dt.date.fromisoformat(row["last_update"])
                facts.append(CollectionFact(
                    collection=collection, sex=dims[0], age_range=dims[1], material_type=dims[2], disease=dims[3],
                    number_of_samples=_int(row["number_of_samples"]) or 0,
                    number_of_donors=_int(row["number_of_donors"]) or 0,
                    computed_at=dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC),
                ))  # fmt: skip
            CollectionFact.objects.bulk_create(facts)
            self.report.counts["facts"] = self.report.counts.get("facts", 0) + len(facts)


def import_directory(
    *, actor: Any, data: bytes, file_name: str, dry_run: bool = False,
    allowed_biobanks: set[int] | None = None, may_create_biobanks: bool = False,
) -> ImportReport:  # fmt: skip
    """Check and (unless ``dry_run`` or on any problem) write the workbook; the report says what happened."""
    report = ImportReport(dry_run=dry_run)
    try:
        tables = read_workbook(data, file_name)
    except UnreadableWorkbook as error:
        report.problems.append(Problem("", 0, "", file_name, str(error)))
        return report
    checker = Checker(tables)
    checker.check()
    report.problems, report.warnings = checker.problems, checker.warnings
    if report.problems:
        return report
    try:
        with transaction.atomic():
            writer = _Writer(tables, actor, report, allowed_biobanks, may_create_biobanks)
            writer.persons_sheet()
            writer.networks_sheet()
            writer.biobanks_sheet()
            writer.collections_sheet()
            writer.facts_sheet()
            if not report.problems:
                audit_record(
                    actor=actor, action=CatalogAuditAction.DIRECTORY_IMPORT, object_type="directory_workbook",
                    object_id=file_name[:100], details={"counts": report.counts, "dry_run": dry_run},
                )  # fmt: skip
            if report.problems or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    if report.problems:
        report.counts = {}
    return report
