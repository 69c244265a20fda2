"""Reading and checking a Directory staging workbook (XLSX or ZIP of CSVs) before anything is written.

Every problem is collected (sheet, row, column, value, message naming what is allowed). Rules: all five sheets
must be there (other sheets are ignored, with a warning); every staging column must be there and no other column
(published-schema extras such as ``national_node`` or ``pid`` are refused: an upload must not carry them); required
cells, ID patterns, vocabulary codes, booleans ``true``/``false``, integers, ISO dates, e-mail addresses and URLs;
references between sheets (or to records already in the installation); age low ≤ high; no sub-collection cycle.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _

from .. import identifiers
from .. import vocabularies as v
from ..models import BiobankProfile, Collection, Network, Person
from .staging import FALSE, NOT_STORED, SEPARATOR, SHEETS, TABLE_TO_SHEET, TRUE, VOCABULARY_OF_REF, staging

MODELS_BY_SHEET: dict[str, Any] = {
    "persons": Person, "networks": Network, "biobanks": BiobankProfile, "collections": Collection,
}  # fmt: skip


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int  # the spreadsheet's row number (the header is row 1); 0 for the workbook itself
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (row number, {column: text})


class UnreadableWorkbook(Exception):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return TRUE if value else FALSE
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _table(raw_rows: list[list[Any]]) -> Table:
    if not raw_rows:
        return Table(header=[])
    header = [_text(c) for c in raw_rows[0]]
    while header and not header[-1]:
        header.pop()
    table = Table(header=header)
    for number, raw in enumerate(raw_rows[1:], start=2):
        cells = [_text(c) for c in raw]
        if not any(cells):
            continue
        table.rows.append((number, {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}))
    return table


def read_workbook(data: bytes, file_name: str) -> dict[str, Table]:
    """``{sheet: Table}`` of an XLSX workbook or a ZIP of ``<sheet>.csv`` files."""
    try:
        if file_name.lower().endswith(".zip"):
            tables = {}
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for name in archive.namelist():
                    if name.lower().endswith(".csv"):
                        text = archive.read(name).decode("utf-8-sig")
                        sheet = name.rsplit("/", 1)[-1][:-4]
                        tables[sheet] = _table([list(r) for r in csv.reader(io.StringIO(text))])
            return tables
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        return {ws.title: _table([list(r) for r in ws.iter_rows(values_only=True)]) for ws in workbook.worksheets}
    except (zipfile.BadZipFile, UnicodeDecodeError, KeyError, ValueError, OSError) as error:
        raise UnreadableWorkbook(
            _("%(file)s is neither an XLSX workbook nor a ZIP of CSV files (%(error)s).")
            % {"file": file_name, "error": error}
        ) from None


def split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(SEPARATOR) if part.strip()]


def _allowed(vocabulary: str) -> str:
    codes = list(v.terms(vocabulary))
    return ", ".join(codes[:40]) + (" …" if len(codes) > 40 else "")


class Checker:
    def __init__(self, tables: dict[str, Table]) -> None:
        self.tables = tables
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.ids: dict[str, set[str]] = {}

    def add(self, sheet: str, row: int, column: str, value: str, message: str) -> None:
        self.problems.append(Problem(sheet, row, column, value, message))

    def check_structure(self) -> bool:
        for sheet in self.tables:
            if sheet not in SHEETS:
                self.warnings.append(Problem(sheet, 0, "", "", _("Not a sheet of the Directory upload: ignored.")))
        for sheet in SHEETS:
            if sheet not in self.tables:
                self.add(
                    sheet,
                    0,
                    "",
                    "",
                    _("The sheet %(sheet)r is missing; a Directory workbook has the sheets %(sheets)s.")
                    % {"sheet": sheet, "sheets": ", ".join(SHEETS)},
                )
                continue
            expected = staging()[sheet].column_names
            header = self.tables[sheet].header
            for column in expected:
                if column not in header:
                    self.add(
                        sheet,
                        1,
                        column,
                        "",
                        _("The column %(column)r is missing; the sheet %(sheet)r needs the columns %(columns)s.")
                        % {"column": column, "sheet": sheet, "columns": ", ".join(expected)},
                    )
            for column in header:
                if column not in expected:
                    self.add(
                        sheet,
                        1,
                        column,
                        column,
                        _(
                            "%(column)r is not a column of the Directory's staging sheet "
                            "%(sheet)r (published-schema columns such as national_node or pid must not be uploaded); "
                            "allowed: %(columns)s."
                        )
                        % {"column": column, "sheet": sheet, "columns": ", ".join(expected)},
                    )
        return not self.problems

    def check(self) -> None:
        if not self.check_structure():
            return
        for sheet in SHEETS:
            self.ids[sheet] = set()
            for number, row in self.tables[sheet].rows:
                if row.get("id"):
                    if row["id"] in self.ids[sheet]:
                        self.add(sheet, number, "id", row["id"], _("This ID appears twice in the sheet."))
                    self.ids[sheet].add(row["id"])
        for sheet in SHEETS:
            for number, row in self.tables[sheet].rows:
                self.check_row(sheet, number, row)
        self.check_cycles()

    def check_row(self, sheet: str, number: int, row: dict[str, str]) -> None:
        definition = staging()[sheet]
        for column in definition.columns:
            value = row.get(column.name, "")
            if not value:
                if column.required:
                    self.add(sheet, number, column.name, "", _("A value is required here."))
                continue
            if column.name in NOT_STORED.get(sheet, ()):
                self.warnings.append(
                    Problem(
                        sheet,
                        number,
                        column.name,
                        value,
                        _("This installation does not store this column: the value is ignored."),
                    )
                )
                continue
            if column.name == "id":
                self.check_id(sheet, number, row)
            elif column.type == "bool":
                if value.lower() not in (TRUE, FALSE):
                    self.add(sheet, number, column.name, value, _("Write true or false."))
            elif column.type == "int":
                try:
                    if int(value) < 0:
                        raise ValueError
                except ValueError:
                    self.add(sheet, number, column.name, value, _("Write a whole number of 0 or more."))
            elif column.type == "date":
                try:
                    dt.date.fromisoformat(value)
                except ValueError:
                    self.add(sheet, number, column.name, value, _("Write an ISO date, YYYY-MM-DD."))
            elif column.type == "email":
                self._validate(EmailValidator(), sheet, number, column.name, value)
            elif column.type == "hyperlink":
                self._validate(URLValidator(), sheet, number, column.name, value)
            elif column.ref == "DiseaseTypes":
                self.check_diseases(sheet, number, column.name, split(value) if column.multi else [value])
            elif column.ref in VOCABULARY_OF_REF:
                self.check_codes(sheet, number, column.name, column.ref, split(value) if column.multi else [value])
            elif column.ref_table:
                self.check_refs(sheet, number, column.name, column.ref_table, split(value) if column.multi else [value])
        if sheet == "collections":
            self.check_age(number, row)
        if sheet == "facts":
            self.check_fact_counts(number, row)

    def _validate(self, validator: Any, sheet: str, number: int, column: str, value: str) -> None:
        try:
            validator(value)
        except ValidationError as error:
            self.add(sheet, number, column, value, " ".join(error.messages))

    def check_id(self, sheet: str, number: int, row: dict[str, str]) -> None:
        definition = staging()[sheet]
        value = row["id"]
        kinds = {"persons": identifiers.PERSON, "networks": identifiers.NETWORK, "biobanks": identifiers.BIOBANK,
                 "facts": identifiers.FACT}  # fmt: skip
        if not definition.id_regex.match(value):
            self.add(sheet, number, "id", value, definition.id_message + f" ({definition.id_regex.pattern})")
            return
        try:
            if sheet == "collections":
                identifiers.validate_collection_id(value, biobank_id=row.get("biobank") or None)
            else:
                identifiers.validate_id(kinds[sheet], value)
        except ValidationError as error:
            self.add(sheet, number, "id", value, " ".join(error.messages))

    def check_codes(self, sheet: str, number: int, column: str, ref: str, codes: list[str]) -> None:
        vocabulary = VOCABULARY_OF_REF[ref]
        known = v.terms(vocabulary)
        star = sheet == "facts"  # the facts' marginal marker
        for code in codes:
            if code not in known and not (star and code == v.ANY):
                allowed = _allowed(vocabulary) + (", *" if star else "")
                self.add(
                    sheet,
                    number,
                    column,
                    code,
                    _("Unknown %(ref)s code; allowed: %(allowed)s.") % {"ref": ref, "allowed": allowed},
                )

    def check_diseases(self, sheet: str, number: int, column: str, codes: list[str]) -> None:
        for code in codes:
            ours = v.disease_from_directory(code)
            if (sheet == "facts" and code == v.ANY) or (
                v.is_disease(ours) and (ours.startswith("ORPHA:") or code.startswith(v.DIRECTORY_ICD_PREFIX))
            ):
                continue
            self.add(
                sheet,
                number,
                column,
                code,
                _(
                    "Unknown disease: write urn:miriam:icd:<ICD-10 code of the WHO "
                    "2019 edition> (e.g. urn:miriam:icd:C18.0) or ORPHA:<digits>%(star)s."
                )
                % {"star": _(", or * in the facts") if sheet == "facts" else ""},
            )

    def check_refs(self, sheet: str, number: int, column: str, table: str, ids: list[str]) -> None:
        target = TABLE_TO_SHEET.get(table)
        if target is None:
            return
        model = MODELS_BY_SHEET[target]
        for ref in ids:
            if ref in self.ids.get(target, set()) or model.objects.filter(bbmri_id=ref).exists():
                continue
            self.add(
                sheet,
                number,
                column,
                ref,
                _("No %(target)s with this ID in the sheet %(target)r or in the catalogue.") % {"target": target},
            )

    def check_age(self, number: int, row: dict[str, str]) -> None:
        low, high = row.get("age_low", ""), row.get("age_high", "")
        if low.lstrip("-").isdigit() and high.lstrip("-").isdigit() and int(low) > int(high):
            self.add(
                "collections",
                number,
                "age_low",
                low,
                _("The age range is %(low)s to %(high)s: the lower age must not be above the upper one.")
                % {"low": low, "high": high},
            )
        if (low or high) and not row.get("age_unit"):
            self.add(
                "collections",
                number,
                "age_unit",
                "",
                _("Give the unit of the age range (allowed: %(allowed)s).")
                % {"allowed": _allowed("Directory.AgeUnits")},
            )

    def check_fact_counts(self, number: int, row: dict[str, str]) -> None:
        samples, donors = row.get("number_of_samples", ""), row.get("number_of_donors", "")
        if samples.isdigit() and donors.isdigit() and int(donors) > int(samples):
            self.add(
                "facts",
                number,
                "number_of_donors",
                donors,
                _("More donors than samples (%(samples)s).") % {"samples": samples},
            )

    def check_cycles(self) -> None:
        parent_of = {row["id"]: (n, row.get("parent_collection", "")) for n, row in self.tables["collections"].rows}
        reported: set[str] = set()
        for start in parent_of:
            seen = [start]
            node = parent_of[start][1]
            while node and node in parent_of:
                if node in seen:
                    if start not in reported:
                        number = parent_of[start][0]
                        self.add(
                            "collections",
                            number,
                            "parent_collection",
                            parent_of[start][1],
                            _("Sub-collection cycle: %(path)s.") % {"path": " → ".join([*seen, node])},
                        )
                        reported.update(seen)
                    break
                seen.append(node)
                node = parent_of[node][1]
