"""Building one data release, set-based: select the resource's matching specimens in one query, re-check every
donor's consent at build time with one call of the gate (``permitted_many``), mint the release's pseudonyms in two
statements (``pseudonyms_for_many``), and stream the rows to CSV and XLSX (SpreadsheetML, ``XlsxRows``) beside a
data dictionary. Nothing here decides who may build: ``services/releases.py`` does, and calls :func:`build_files`.

Pseudonyms: every release has its own domain, so its pseudonyms are unlinkable to the biobank's PIDs and to any other
release. The subject of a donor is the ``subject_ref`` of the person's current donor record (the end of the merge
chain), so the two records of a merged person are one pseudonym; a specimen's subject is ``specimen:<id>`` in the
same domain, so the barcode never leaves.
"""

from __future__ import annotations

import csv
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import F, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone

from catalog.models import Collection
from consent import gate
from consent.choices import Sex
from consent.models import Donor
from specimens.choices import SpecimenStatus
from specimens.models import Specimen

from .choices import RELEASE_ATTRIBUTES
from .models import AccessRequest, RequestResource

# Specimens still in the biobank and not blocked: what a release may describe. Consent-blocked ones are asked about
# too, so a donor who withdrew is counted among the excluded (never written).
RELEASABLE = (SpecimenStatus.AVAILABLE, SpecimenStatus.RESERVED)
CONSIDERED = (*RELEASABLE, SpecimenStatus.CONSENT_BLOCKED)
FIXED_COLUMNS = ("donor_pseudonym", "specimen_pseudonym")
# Per attribute: (type, allowed values or unit, source standard) for the data dictionary.
DICTIONARY: dict[str, tuple[str, str, str]] = {
    "donor_pseudonym": ("string", "12 characters with a check character; unique in this release", "ENISA"),
    "specimen_pseudonym": ("string", "12 characters with a check character; unique in this release", "ENISA"),
    "sex": ("code", ", ".join(Sex.values), "MIABIS 3 Sample donor: Sex"),
    "birth_year": ("integer", "year (YYYY)", "MIABIS 3 Sample donor"),
    "age_at_collection": ("integer", "years", "MIABIS 3 Event: age at event"),
    "material_type": ("code", "MIABIS material type labels", "MIABIS 3 Sample: Material type"),
    "sample_type": ("code", "SPREC v3.0 type of sample (3 letters)", "ISBER SPREC v3.0 position 1"),
    "sprec_code": ("string", "seven hyphen-joined SPREC elements", "ISBER SPREC v3.0"),
    "diagnosis": ("code", "ICD-10 (WHO 2019) or ORPHA code", "ICD-10 / Orphanet"),
    "collected_on": ("date", "ISO 8601 (YYYY-MM-DD)", "MIABIS 3 Sample: Collection date"),
    "storage_temperature_c": ("decimal", "°C", "MIABIS 3 Sample: Storage temperature"),
    "quantity": ("string", "amount and unit (mL, µL, mg, µg, …)", "FHIR R4 Specimen.container.specimenQuantity"),
    "collection": ("string", "collection code of the biobank", "MIABIS 3 Collection: ID"),
}
DESCRIPTION = {
    "donor_pseudonym": "Pseudonym of the donor in this release only",
    "specimen_pseudonym": "Pseudonym of the specimen in this release only",
}


@dataclass
class Built:
    """What a build produced: the file paths (in a temporary directory) and the counts for the release row."""

    directory: Path
    csv_path: Path
    xlsx_path: Path
    dictionary_path: Path
    specimen_count: int = 0
    donor_specimens: dict[int, int] = field(default_factory=dict)  # current donor id → specimens released
    excluded_donors: int = 0


def specimens_for(
    resource: RequestResource, request: AccessRequest, statuses: tuple[str, ...] = RELEASABLE
) -> QuerySet[Specimen]:
    """The resource's specimens matching the request's structured criteria, in ``statuses``."""
    collections = list(resource.collections.values_list("pk", flat=True))
    rows = Specimen.objects.filter(biobank_id=resource.biobank_id, status__in=statuses)
    if collections:
        rows = rows.filter(collection_id__in=collections)
    criteria = request.criteria or {}
    if criteria.get("material_types"):
        rows = rows.filter(material_type__in=list(criteria["material_types"]))
    if criteria.get("sexes"):
        rows = rows.filter(donor__sex__in=list(criteria["sexes"]))
    if criteria.get("age_min") is not None or criteria.get("age_max") is not None:
        rows = rows.annotate(age=ExtractYear("collected_at") - F("donor__birth_year"))
        if criteria.get("age_min") is not None:
            rows = rows.filter(age__gte=int(criteria["age_min"]))
        if criteria.get("age_max") is not None:
            rows = rows.filter(age__lte=int(criteria["age_max"]))
    prefixes = [str(p).strip().upper() for p in criteria.get("diagnoses") or [] if str(p).strip()]
    if prefixes:
        match = Q()
        for prefix in prefixes:
            match |= Q(diagnosis__istartswith=prefix)
        rows = rows.filter(match)
    return rows


_FIELDS = (
    "status",
    "pk",
    "donor_id",
    "donor__sex",
    "donor__birth_year",
    "donor__birth_month",
    "material_type",
    "sample_type",
    "sprec_code",
    "diagnosis",
    "collected_at",
    "storage_temperature_c",
    "quantity",
    "unit",
    "collection_id",
)


def _age(collected: Any, year: int | None, month: int | None) -> int | None:
    if collected is None or year is None:
        return None
    local = timezone.localtime(collected)
    return local.year - year - (1 if month and local.month < month else 0)


def _value(name: str, row: tuple, collection_codes: dict[int, str]) -> Any:
    (_status, _pk, _donor, sex, year, month, material, sample, sprec, diagnosis, collected, temp, qty, unit, col) = row
    if name == "sex":
        return sex
    if name == "birth_year":
        return year
    if name == "age_at_collection":
        return _age(collected, year, month)
    if name == "material_type":
        return material
    if name == "sample_type":
        return sample
    if name == "sprec_code":
        return sprec
    if name == "diagnosis":
        return diagnosis
    if name == "collected_on":
        return timezone.localtime(collected).date().isoformat() if collected else None
    if name == "storage_temperature_c":
        return float(temp) if temp is not None else None
    if name == "quantity":
        return f"{qty.normalize():f} {unit}" if qty is not None else None
    if name == "collection":
        return collection_codes.get(col, "")
    raise KeyError(name)


def ordered_attributes(attributes: list[str]) -> list[str]:
    """The approved attributes a release may write, in ``RELEASE_ATTRIBUTES`` order (unknown names dropped)."""
    wanted = set(attributes)
    return [name for name in RELEASE_ATTRIBUTES if name in wanted]


# --- XLSX, streamed: the smallest valid SpreadsheetML package (one sheet, inline strings) -------------------------
# openpyxl's write-only mode serialises each cell through a pure-Python XML writer when lxml is absent (as here):
# 70 % of a 100,000-specimen build went there. The rows are plain values, so they are written straight into the
# sheet's XML, streamed into the zip; openpyxl and spreadsheet programs read the file as any other.
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_XLSX_PARTS = {
    "[Content_Types].xml": f'<Types xmlns="{_PKG}/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": f'<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
    f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
    '<sheet name="release" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
    f'Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _cell(value: Any) -> str:
    if value is None or value == "":
        return "<c/>"
    if isinstance(value, bool):
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f"<c><v>{value}</v></c>"
    return f'<c t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


class XlsxRows:
    """Append rows to one sheet, streamed into ``path``; ``close()`` finishes the package."""

    def __init__(self, path: Path) -> None:
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)
        for name, xml in _XLSX_PARTS.items():
            self._zip.writestr(name, _XML_HEAD + xml)
        self._sheet = self._zip.open("xl/worksheets/sheet1.xml", "w")
        self._sheet.write(f'{_XML_HEAD}<worksheet xmlns="{_MAIN}"><sheetData>'.encode())
        self._pending: list[str] = []

    def append(self, values: list[Any]) -> None:
        self._pending.append("<row>" + "".join(_cell(v) for v in values) + "</row>")
        if len(self._pending) >= 2000:
            self._flush()

    def _flush(self) -> None:
        self._sheet.write("".join(self._pending).encode())
        self._pending = []

    def close(self) -> None:
        self._flush()
        self._sheet.write(b"</sheetData></worksheet>")
        self._sheet.close()
        self._zip.close()


def build_files(
    *, resource: RequestResource, request: AccessRequest, attributes: list[str], domain: Any, at: date
) -> Built:
    """Select, consent-check, pseudonymise and write. Returns the temporary files and counts."""
    from biobank.pseudonyms.services import pseudonyms_for_many

    from .services.fulfilment_common import gate_question

    rows = list(specimens_for(resource, request, CONSIDERED).order_by("pk").values_list(*_FIELDS))
    donor_ids = sorted({row[2] for row in rows})
    answers = gate.permitted_many(donors=donor_ids, at=at, data_class="data", action="use", **gate_question(request))
    person_of = {d: answers[d].current_donor_id for d in donor_ids}
    permitted_people = {person_of[d] for d in donor_ids if answers[d].allowed}
    excluded_people = {person_of[d] for d in donor_ids} - permitted_people
    rows = [row for row in rows if person_of[row[2]] in permitted_people and row[0] in RELEASABLE]
    permitted_people = {person_of[row[2]] for row in rows}
    subject_of = {
        pk: str(ref) for pk, ref in Donor.objects.filter(pk__in=permitted_people).values_list("pk", "subject_ref")
    }
    donor_pseudonyms = pseudonyms_for_many(domain=domain, subjects=subject_of.values())
    specimen_pseudonyms = pseudonyms_for_many(domain=domain, subjects=[f"specimen:{row[1]}" for row in rows])
    collection_codes = dict(Collection.objects.filter(pk__in={row[-1] for row in rows}).values_list("pk", "code"))
    columns = list(FIXED_COLUMNS) + ordered_attributes(attributes)
    directory = Path(tempfile.mkdtemp(prefix="release-"))
    built = Built(directory, directory / "release.csv", directory / "release.xlsx", directory / "dictionary.csv")
    counts: Counter[int] = Counter()
    sheet = XlsxRows(built.xlsx_path)
    sheet.append(columns)
    with built.csv_path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            person = person_of[row[2]]
            counts[person] += 1
            values = [donor_pseudonyms[subject_of[person]], specimen_pseudonyms[f"specimen:{row[1]}"]]
            values += [_value(name, row, collection_codes) for name in columns[2:]]
            writer.writerow(["" if v is None else v for v in values])
            sheet.append(values)
    sheet.close()
    with built.dictionary_path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["column", "description", "type", "allowed values / unit", "source standard"])
        for name in columns:
            kind, allowed, source = DICTIONARY[name]
            writer.writerow([name, str(DESCRIPTION.get(name) or RELEASE_ATTRIBUTES[name]), kind, allowed, source])
    built.specimen_count = len(rows)
    built.donor_specimens = dict(counts)
    built.excluded_donors = len(excluded_people)
    return built
