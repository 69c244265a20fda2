"""The catalogue's vocabularies: MIABIS 3.0, the BBMRI-ERIC Directory's lists, DUO and ICD-10 (WHO 2019).

The data files in ``catalog/data/`` are the source (each carries its provenance); validation reads them directly, so
a code is checked the same way with or without a database. ``manage.py load_vocabularies`` copies them into
``VocabularyTerm`` rows for the searchable pickers and the public API (run by ``migrate`` too, through
``post_migrate``, when the files changed).

Disease codes are ICD-10 (``C18``, ``C18.0``, blocks such as ``C15-C26``) or ORPHA (``ORPHA:<digits>``). The
Directory writes ICD-10 as ``urn:miriam:icd:<code>``; ``directory_disease`` and ``disease_from_directory`` convert.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DATA = Path(__file__).resolve().parent / "data"
VOCABULARIES_FILE = DATA / "vocabularies.json"
ICD10_FILE = DATA / "icd10-who-2019.json"
CROSSWALKS_FILE = DATA / "crosswalks.json"
ICD10 = "ICD-10"
ORPHA_RE = re.compile(r"^ORPHA:[1-9][0-9]{0,6}$")
DIRECTORY_ICD_PREFIX = "urn:miriam:icd:"
ANY = "*"  # the facts' marginal marker; never a term of a list


@dataclass(frozen=True)
class Term:
    code: str
    label: str
    parent: str = ""
    definition: str = ""
    kind: str = ""


@cache
def _lists() -> dict[str, dict[str, Term]]:
    raw = json.loads(VOCABULARIES_FILE.read_text(encoding="utf-8"))["vocabularies"]
    return {
        name: {
            t["code"]: Term(t["code"], t["label"], t.get("parent", ""), t.get("definition", ""), t.get("kind", ""))
            for t in body["terms"]
        }
        for name, body in raw.items()
    }


@cache
def _icd10() -> dict[str, Term]:
    rows = json.loads(ICD10_FILE.read_text(encoding="utf-8"))["rows"]
    return {code: Term(code, label, parent, "", kind) for code, label, parent, kind in rows}


@cache
def crosswalks() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CROSSWALKS_FILE.read_text(encoding="utf-8"))
    return data


def vocabulary_names() -> list[str]:
    return [*_lists(), ICD10]


def terms(vocabulary: str) -> dict[str, Term]:
    """``{code: Term}`` of one vocabulary, in the file's order."""
    if vocabulary == ICD10:
        return _icd10()
    try:
        return _lists()[vocabulary]
    except KeyError:
        raise ValueError(f"unknown vocabulary {vocabulary!r}") from None


def label(vocabulary: str, code: str) -> str:
    if code == ANY:
        return _("Any")
    if vocabulary == ICD10:
        return disease_label(code)
    term = terms(vocabulary).get(code)
    return term.label if term else code


def choices(vocabulary: str) -> list[tuple[str, str]]:
    return [(t.code, t.label) for t in terms(vocabulary).values()]


def _allowed_text(vocabulary: str) -> str:
    codes = list(terms(vocabulary))
    shown = ", ".join(codes[:30])
    return shown + (_(" … (%(count)d codes in all)") % {"count": len(codes)} if len(codes) > 30 else "")


def validate_codes(vocabulary: str, codes: Iterable[str], *, field: str) -> list[str]:
    """Return ``codes`` without duplicates, or raise naming the field, the unknown codes and the allowed ones."""
    known = terms(vocabulary)
    values = list(dict.fromkeys(codes))
    unknown = [code for code in values if code not in known]
    if unknown:
        raise ValidationError(
            {
                field: _("Unknown %(vocabulary)s code(s) %(unknown)s; allowed: %(allowed)s.")
                % {
                    "vocabulary": vocabulary,
                    "unknown": ", ".join(repr(c) for c in unknown),
                    "allowed": _allowed_text(vocabulary),
                }
            },
            code="unknown_code",
        )
    return values


def validate_code(vocabulary: str, code: str, *, field: str) -> str:
    return validate_codes(vocabulary, [code], field=field)[0]


def is_disease(code: str) -> bool:
    return bool(ORPHA_RE.fullmatch(code)) or (code in _icd10() and not code.startswith("chapter:"))


def validate_diseases(codes: Iterable[str], *, field: str) -> list[str]:
    values = list(dict.fromkeys(c.strip() for c in codes if c.strip()))  # strip first, then drop duplicates
    unknown = [c for c in values if not is_disease(c)]
    if unknown:
        raise ValidationError(
            {
                field: _(
                    "Unknown disease code(s) %(unknown)s: write an ICD-10 code of the WHO 2019 edition (e.g. C18, "
                    "C18.0 or the block C15-C26) or an Orphanet code ORPHA:<digits>."
                )
                % {"unknown": ", ".join(repr(c) for c in unknown)}
            },
            code="unknown_code",
        )
    return values


def disease_label(code: str) -> str:
    if code == ANY:
        return _("Any")
    term = _icd10().get(code)
    if term is not None:
        return f"{code} {term.label}"
    return code


def icd10_chapter(code: str) -> str:
    """The ``chapter:<roman>`` an ICD-10 code belongs to (``""`` for ORPHA and unknown codes)."""
    table = _icd10()
    term = table.get(code)
    while term is not None and term.kind != "chapter":
        term = table.get(term.parent)
    return term.code if term is not None else ""


def icd10_chapters() -> list[Term]:
    return [t for t in _icd10().values() if t.kind == "chapter"]


def directory_disease(code: str) -> str:
    """Our disease code as the Directory writes it (``urn:miriam:icd:C18.0``; ORPHA codes unchanged)."""
    return code if code.startswith("ORPHA:") or code == ANY else DIRECTORY_ICD_PREFIX + code


def disease_from_directory(value: str) -> str:
    return value[len(DIRECTORY_ICD_PREFIX) :] if value.startswith(DIRECTORY_ICD_PREFIX) else value


def duo_to_directory(code: str) -> str:
    """``DUO:0000042`` → ``DUO_0000042`` (the Directory's DataUseOntologies code)."""
    return code.replace(":", "_", 1)


def duo_from_directory(code: str) -> str:
    return code.replace("_", ":", 1) if code.startswith("DUO_") else code


def data_version() -> str:
    """A fingerprint of the data files: ``load_vocabularies`` reloads only when it changed."""
    import hashlib

    digest = hashlib.sha256()
    for path in (VOCABULARIES_FILE, ICD10_FILE):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
