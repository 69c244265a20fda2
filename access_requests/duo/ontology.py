"""Disease ancestry for DUO matching: is a research purpose's disease the dataset's disease or below it?

DUOS asks an ontology service for the parents of each purpose disease (``DataUseUtil.getParentTermIds``); the portal
has no such service, so:

- ICD-10 (WHO 2019) is built in, from ``catalog/data/icd10-who-2019.json`` through ``catalog.vocabularies``:
  chapter → block (blocks nest: ``C00-C97`` → ``C00-C75`` → ``C15-C26``) → category ``E11`` → subcategory ``E11.9``.
- Any other ontology (ORPHA, DOID, MONDO, …) is placed by the caller's ``ancestors`` map, ``{CURIE: [ancestor
  CURIEs]}``, followed transitively (a map of direct parents is enough). Its values may be ICD-10 codes (ORPHA:558
  under Q87.4), but an entry whose *key* is an ICD-10 code is ignored: ICD-10 ancestry is built in, and DUOS takes
  ancestry from its ontology alone, so a caller cannot make diabetes (E11) a kind of colon cancer (C18).

A disease is *placed* when it is a known ICD-10 code or appears anywhere in the map (as a key, or as an ancestor:
then it is a root of the map); a disease found nowhere cannot be placed, and the matcher abstains on it (unless the
dataset names it exactly). Pure Python: no database.

CURIEs are written one way (:func:`curie_normalise`): ``ICD10:E11.9`` for ICD-10 (from ``ICD-10:E11.9``,
``icd10:e119``, ``urn:miriam:icd:E11.9`` or a bare ``E11.9``), ``ORPHA:558`` (from ``Orphanet:558`` or the ORDO
IRI), ``DOID:162`` (from the OBO PURL ``http://purl.obolibrary.org/obo/DOID_162``, as DUOS writes them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache

from django.utils.translation import gettext as _

from catalog import vocabularies as v

ICD10_PREFIX = "ICD10"
_ICD_PREFIXES = {"ICD10", "ICD-10", "ICD10WHO", "ICD"}
_ORPHA_PREFIXES = {"ORPHA", "ORPHANET", "ORDO"}
_MIRIAM_ICD = "urn:miriam:icd:"
_OBO_PURL = re.compile(r"^https?://purl\.obolibrary\.org/obo/([A-Za-z][A-Za-z0-9]*)_([A-Za-z0-9]+)$")
_ORDO_IRI = re.compile(r"^https?://www\.orpha\.net/ORDO/Orphanet_([0-9]+)$")
_CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9._-]*):([A-Za-z0-9][A-Za-z0-9._:-]*)$")
_ICD_CODE = re.compile(r"^([A-Z][0-9]{2})(?:\.?([0-9]{1,2}))?$")
_ICD_BLOCK = re.compile(r"^[A-Z][0-9]{2}-[A-Z][0-9]{2}$")
_ICD_CHAPTER = re.compile(r"^CHAPTER:([IVXL]+)$")
MAX_CURIE_LENGTH = 200


class CurieError(ValueError):
    """A value that is no disease CURIE; the message says what is allowed."""


def _icd_local(local: str, original: str) -> str:
    text = local.strip().upper()
    if match := _ICD_CODE.match(text):
        category, detail = match.groups()
        return f"{category}.{detail}" if detail else category
    if _ICD_BLOCK.match(text):
        return text
    if match := _ICD_CHAPTER.match(text):
        return f"chapter:{match.group(1)}"
    raise CurieError(
        _(
            "%(value)r is not an ICD-10 code: write a letter and two digits, optionally a dot and one or two digits "
            "(ICD10:E11 or ICD10:E11.9), a block (ICD10:E10-E14) or a chapter (ICD10:chapter:IV)."
        )
        % {"value": original}
    )


def curie_normalise(value: str) -> str:
    """``value`` in its one written form (``ICD10:E11.9``, ``ORPHA:558``, ``DOID:162``) or a :class:`CurieError`."""
    text = (value or "").strip()
    if not text:
        raise CurieError(_("A disease is required: write a CURIE such as ICD10:E11.9, ORPHA:558 or DOID:162."))
    if len(text) > MAX_CURIE_LENGTH:
        raise CurieError(_("A disease CURIE has at most %(max)d characters.") % {"max": MAX_CURIE_LENGTH})
    if text.lower().startswith(_MIRIAM_ICD):
        return f"{ICD10_PREFIX}:{_icd_local(text[len(_MIRIAM_ICD) :], value)}"
    if match := _ORDO_IRI.match(text):
        return f"ORPHA:{int(match.group(1))}"
    if match := _OBO_PURL.match(text):
        text = f"{match.group(1)}:{match.group(2)}"
    if _ICD_CODE.match(text.upper()) or _ICD_BLOCK.match(text.upper()):
        return f"{ICD10_PREFIX}:{_icd_local(text, value)}"
    match = _CURIE.match(text)
    if match is None:
        raise CurieError(
            _(
                "%(value)r is not a disease CURIE: write PREFIX:ID, e.g. ICD10:E11.9 (or a bare ICD-10 code E11.9), "
                "ORPHA:558, DOID:162 or MONDO:0005148."
            )
            % {"value": value}
        )
    prefix, local = match.groups()
    upper = prefix.upper()
    if upper in _ICD_PREFIXES:
        return f"{ICD10_PREFIX}:{_icd_local(local, value)}"
    if upper in _ORPHA_PREFIXES:
        if not local.isdigit():
            raise CurieError(
                _("%(value)r is not an Orphanet code: write ORPHA: and digits (ORPHA:558).") % {"value": value}
            )
        return f"ORPHA:{int(local)}"
    return f"{upper}:{local}"


@cache
def _icd_parents() -> dict[str, str]:
    """``{code: parent code}`` of the WHO ICD-10 tree (``""`` for a chapter)."""
    return {code: term.parent for code, term in v.terms(v.ICD10).items()}


def icd10_code(curie: str) -> str | None:
    """The ICD-10 code of a normalised CURIE (``ICD10:E11.9`` → ``E11.9``), or None for another ontology."""
    prefix, _sep, local = curie.partition(":")
    return local if prefix == ICD10_PREFIX else None


def icd10_known(curie: str) -> bool:
    code = icd10_code(curie)
    return code is not None and code in _icd_parents()


def icd10_ancestors(curie: str) -> list[str]:
    """The ICD-10 ancestors of a known code, nearest first, as CURIEs (``E11.9`` → E11, E10-E14, chapter:IV)."""
    code = icd10_code(curie)
    parents = _icd_parents()
    found: list[str] = []
    while code and code in parents and parents[code]:
        code = parents[code]
        found.append(f"{ICD10_PREFIX}:{code}")
    return found


class Ancestry:
    """Where diseases sit: built-in ICD-10 plus the caller's map (its keys and values normalised CURIEs), without
    the map's entries for ICD-10 keys (listed in :attr:`ignored`)."""

    def __init__(self, extra: Mapping[str, Iterable[str]] | None = None) -> None:
        self._extra: dict[str, frozenset[str]] = {}
        ignored: list[str] = []
        for key, parents in (extra or {}).items():
            curie = curie_normalise(key)
            normalised = frozenset(curie_normalise(parent) for parent in parents)
            if icd10_code(curie) is not None:  # ICD-10 ancestry is built in: the caller cannot re-parent a code
                ignored.append(curie)
                continue
            self._extra[curie] = self._extra.get(curie, frozenset()) | normalised
        self.ignored: tuple[str, ...] = tuple(dict.fromkeys(ignored))
        self._mentioned: frozenset[str] = frozenset(self._extra).union(*self._extra.values())

    def placed(self, curie: str) -> bool:
        """Whether the matcher knows where ``curie`` sits: a known ICD-10 code, or anywhere in the caller's map (a
        key, or an ancestor: a disease the map names only as an ancestor is a root, placed above its descendants)."""
        return icd10_known(curie) or curie in self._mentioned

    def _parents(self, curie: str) -> set[str]:
        parents = set(self._extra.get(curie, ()))
        icd = icd10_ancestors(curie)
        if icd:
            parents.add(icd[0])
        return parents

    def ancestors(self, curie: str) -> frozenset[str]:
        """Every ancestor of ``curie`` (not itself), both sources, transitively; cycles in the map are harmless."""
        seen: set[str] = set()
        todo = list(self._parents(curie))
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            todo.extend(self._parents(node) - seen)
        seen.discard(curie)
        return frozenset(seen)

    def within(self, disease: str, dataset_disease: str) -> bool:
        """Whether ``disease`` is ``dataset_disease`` or one of its descendants."""
        return disease == dataset_disease or dataset_disease in self.ancestors(disease)
