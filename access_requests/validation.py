"""Field rules of a request and a researcher profile, each returning the problems it found (field → messages) so a
service can report every problem at once (``InvalidFields``)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.errors import DomainError
from catalog import vocabularies
from consent.choices import Sex
from consent.diseases import disease_normalise

from .choices import PurposeKind

ORCID_RE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
DIAGNOSIS_PREFIX_RE = re.compile(r"^[A-Z](\d{1,2}(\.\d{1,2})?)?$")
MATERIAL_UNITS = ("mL", "µL", "mg", "µg", "ng", "cells", "slides", "pieces")
MATERIALS = "Directory.MaterialTypes"
DATA_CATEGORIES = "Directory.DataCategories"
DURATION_MIN, DURATION_MAX = 1, 60
AGE_MAX = 130
Problems = dict[str, list[str]]


def orcid_check_digit(base: str) -> str:
    """ISO 7064 MOD 11-2 over the first 15 digits (ORCID's own algorithm)."""
    total = 0
    for digit in base:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def orcid_problem(value: str) -> str | None:
    """Why ``value`` is no ORCID iD, or ``None`` (blank is fine: the ORCID iD is optional)."""
    text = value.strip().upper().removeprefix("HTTPS://ORCID.ORG/")
    if not text:
        return None
    if not ORCID_RE.match(text):
        return _(
            "%(value)r is not an ORCID iD: write four groups of four digits with dashes, e.g. 0000-0002-1825-0097."
        ) % {"value": value}
    digits = text.replace("-", "")
    if orcid_check_digit(digits[:15]) != digits[15]:
        return _(
            "%(value)r has a wrong check digit (the last character): ORCID iDs end in the ISO 7064 MOD 11-2 check "
            "digit of the first 15 digits; please copy it from your ORCID record."
        ) % {"value": value}
    return None


def orcid_normalise(value: str) -> str:
    return value.strip().upper().removeprefix("HTTPS://ORCID.ORG/")


def _add(problems: Problems, field: str, message: str) -> None:
    problems.setdefault(field, []).append(str(message))


def _codes(problems: Problems, vocabulary: str, codes: Any, field: str) -> list[str]:
    if not isinstance(codes, list | tuple):
        _add(problems, field, _("Give a list of codes."))
        return []
    try:
        return vocabularies.validate_codes(vocabulary, [str(c) for c in codes], field=field)
    except ValidationError as error:
        for message in error.message_dict[field]:
            _add(problems, field, message)
        return []


def _positive(problems: Problems, field: str, value: Any, label: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        _add(
            problems,
            field,
            _("%(label)s must be a whole number of at least 1 (got %(value)r).") % {"label": label, "value": value},
        )
        return None
    return number


def material_rows_clean(rows: Any, problems: Problems) -> list[dict[str, Any]]:
    """``[{"material_type", "amount", "unit", "samples"}]``, each row checked; problems name the row."""
    if not isinstance(rows, list):
        _add(problems, "material", _("Give the material as a list of rows."))
        return []
    known = vocabularies.terms(MATERIALS)
    cleaned = []
    for number, row in enumerate(rows, start=1):
        row = row if isinstance(row, dict) else {}
        where = _("Material row %(n)d") % {"n": number}
        kind = str(row.get("material_type", "")).strip()
        if kind not in known:
            _add(
                problems,
                "material",
                _(
                    "%(where)s: %(value)r is not a material type; choose one of the catalogue's "
                    "(e.g. PLASMA, SERUM, DNA)."
                )
                % {"where": where, "value": kind},
            )
        try:
            amount = Decimal(str(row.get("amount", "")).replace(",", "."))
            if not amount.is_finite() or amount <= 0:
                raise InvalidOperation
        except InvalidOperation:
            _add(
                problems,
                "material",
                _("%(where)s: the amount must be a number above 0 (got %(value)r).")
                % {"where": where, "value": row.get("amount")},
            )
            amount = Decimal(0)
        unit = str(row.get("unit", "")).strip()
        if unit not in MATERIAL_UNITS:
            _add(
                problems,
                "material",
                _("%(where)s: the unit %(value)r is not one of %(allowed)s.")
                % {"where": where, "value": unit, "allowed": ", ".join(MATERIAL_UNITS)},
            )
        samples = _positive(problems, "material", row.get("samples"), where + " " + _("number of samples"))
        cleaned.append({"material_type": kind, "amount": str(amount.normalize()), "unit": unit, "samples": samples})
    return cleaned


def criteria_clean(criteria: Any, problems: Problems) -> dict[str, Any]:
    """The structured inclusion criteria feasibility counts with; unknown keys are refused."""
    if not isinstance(criteria, dict):
        _add(problems, "criteria", _("Give the criteria as an object."))
        return {}
    allowed = {"material_types", "sexes", "age_min", "age_max", "diagnoses"}
    unknown = sorted(set(criteria) - allowed)
    if unknown:
        _add(
            problems,
            "criteria",
            _("Unknown criteria %(keys)s; allowed: %(allowed)s.")
            % {"keys": ", ".join(unknown), "allowed": ", ".join(sorted(allowed))},
        )
    out: dict[str, Any] = {}
    if criteria.get("material_types"):
        out["material_types"] = _codes(problems, MATERIALS, criteria["material_types"], "criteria")
    sexes = [str(s) for s in criteria.get("sexes") or []]
    if bad := [s for s in sexes if s not in Sex.values]:
        _add(
            problems,
            "criteria",
            _("Unknown sex %(bad)s; allowed: %(allowed)s.") % {"bad": ", ".join(bad), "allowed": ", ".join(Sex.values)},
        )
    elif sexes:
        out["sexes"] = sexes
    ages = {}
    for key in ("age_min", "age_max"):
        value = criteria.get(key)
        if value in (None, ""):
            continue
        try:
            ages[key] = int(value)
            if not 0 <= ages[key] <= AGE_MAX:
                raise ValueError
        except (TypeError, ValueError):
            _add(
                problems,
                "criteria",
                _("%(key)s must be an age in years from 0 to %(max)d (got %(value)r).")
                % {"key": key, "max": AGE_MAX, "value": value},
            )
            ages.pop(key, None)
    if "age_min" in ages and "age_max" in ages and ages["age_min"] > ages["age_max"]:
        _add(
            problems,
            "criteria",
            _("The lowest age (%(low)d) is above the highest (%(high)d).")
            % {"low": ages["age_min"], "high": ages["age_max"]},
        )
    out.update(ages)
    diagnoses = [re.sub(r"\s+", "", str(d)).upper() for d in criteria.get("diagnoses") or []]
    if bad := [d for d in diagnoses if not DIAGNOSIS_PREFIX_RE.match(d)]:
        _add(
            problems,
            "criteria",
            _(
                "%(bad)s: an ICD-10 prefix is a letter, optionally with up to two digits and a subcategory "
                "(C, C5, C50, C50.9)."
            )
            % {"bad": ", ".join(bad)},
        )
    elif diagnoses:
        out["diagnoses"] = list(dict.fromkeys(diagnoses))
    return out


def request_values_clean(fields: dict[str, Any], *, purpose_kind: str) -> tuple[dict[str, Any], Problems]:
    """The given request fields checked and normalised, and every problem found (field → messages)."""
    problems: Problems = {}
    values: dict[str, Any] = {}
    for name in (
        "title",
        "lay_summary",
        "abstract",
        "inclusion_criteria",
        "funding",
        "ethics_reference",
        "search_description",
    ):
        if name in fields:
            values[name] = str(fields[name] or "").strip()
    if "title" in values:
        if not values["title"]:
            _add(problems, "title", _("Give the project a title."))
        elif len(values["title"]) > 300:
            _add(
                problems,
                "title",
                _("The title has %(n)d characters; at most 300 are allowed.") % {"n": len(values["title"])},
            )
    if "ethics_reference" in values and len(values["ethics_reference"]) > 100:
        _add(problems, "ethics_reference", _("The ethics reference may have at most 100 characters."))
    if "purpose_kind" in fields:
        if fields["purpose_kind"] not in PurposeKind.values:
            _add(
                problems,
                "purpose_kind",
                _("Choose a research purpose: %(allowed)s.") % {"allowed": ", ".join(PurposeKind.values)},
            )
        else:
            values["purpose_kind"] = fields["purpose_kind"]
    for flag in ("methods_development", "commercial"):
        if flag in fields:
            values[flag] = bool(fields[flag])
    if "disease" in fields:
        text = str(fields["disease"] or "").strip()
        if text:
            try:
                values["disease"] = disease_normalise(text, field="disease")
            except DomainError as error:
                _add(problems, "disease", error.message)
        elif values.get("purpose_kind", purpose_kind) == PurposeKind.DISEASE:
            _add(
                problems, "disease", _("A disease-specific purpose (DS) needs the disease as an ICD-10 code, e.g. E11.")
            )
        else:
            values["disease"] = ""
    if "material" in fields:
        values["material"] = material_rows_clean(fields["material"], problems)
    for name, label in (
        ("donors_requested", _("The number of donors")),
        ("samples_requested", _("The number of samples")),
    ):
        if name in fields:
            values[name] = _positive(problems, name, fields[name], str(label))
    if "criteria" in fields:
        values["criteria"] = criteria_clean(fields["criteria"] or {}, problems)
    if "data_categories" in fields:
        values["data_categories"] = _codes(
            problems, DATA_CATEGORIES, fields["data_categories"] or [], "data_categories"
        )
    if "ethics_expiry" in fields:
        expiry = fields["ethics_expiry"]
        if isinstance(expiry, str) and expiry:
            try:
                expiry = dt.date.fromisoformat(expiry)
            except ValueError:
                _add(
                    problems, "ethics_expiry", _("%(value)r is not a date; write it as YYYY-MM-DD.") % {"value": expiry}
                )
                expiry = None
        if isinstance(expiry, dt.date) and expiry <= timezone.localdate():
            _add(
                problems,
                "ethics_expiry",
                _("The ethics approval expired on %(date)s; give an approval valid after today.")
                % {"date": expiry.isoformat()},
            )
        values["ethics_expiry"] = expiry or None
    if "duration_months" in fields:
        value = fields["duration_months"]
        if value in (None, ""):
            values["duration_months"] = None
        else:
            try:
                months = int(value)
            except (TypeError, ValueError):
                months = 0
            if not DURATION_MIN <= months <= DURATION_MAX:
                _add(
                    problems, "duration_months", _("The duration is %(value)s; give 1 to 60 months.") % {"value": value}
                )
            else:
                values["duration_months"] = months
    return values, problems
