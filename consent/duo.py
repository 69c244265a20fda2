"""The GA4GH Data Use Ontology as the portal uses it: the shipped term list and purpose matching.

Terms come from ``consent/data/duo.json`` (a copy with its provenance, never read from outside the project).
Matching follows the DUOS rules summarised in docs/standards: a research purpose against the DUO terms of a policy
answers APPROVE, DENY or ABSTAIN (docs/consent.md has the table of cases).

- Purpose GRU is approved on GRU (or NRES); HMB on GRU or HMB; POA on GRU or POA; DS (a disease-specific purpose,
  which names its disease) on GRU, HMB, or DS of the same disease or of an ancestor of it (ICD-10 hierarchy by
  code: a policy for ``E11`` covers ``E11.9``; ORPHA codes match exactly). A DS purpose that names no disease, or
  a DS policy that names none, ABSTAINs: a committee must check the disease.
- A for-profit organisation or a commercial use is denied on NPU, NCU or NPUNCU (as DUOS does: the two flags are
  one "commercial use" restriction there, and a biobank cannot tell one from the other reliably); POA on NPOA;
  methods development on NMDS, except disease-specific methods research within the policy's own DS disease.
- The modifiers that turn into conditions (GS, MOR, GSO, PUB, COL, IRB, US, PS, IS, RTN, TS, and RS) make the
  answer ABSTAIN: the data may be usable, but only a data access committee can say so. The consent gate therefore
  never answers "permitted" on an ABSTAIN (see ``consent.gate``).
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

from biobank.errors import DomainError

from .diseases import disease_normalise

DATA_FILE = Path(__file__).resolve().parent / "data" / "duo.json"

GRU, HMB, DS, POA, NRES = "DUO:0000042", "DUO:0000006", "DUO:0000007", "DUO:0000011", "DUO:0000004"
NPUNCU, NPU, NCU, NPOA, NMDS = "DUO:0000018", "DUO:0000045", "DUO:0000046", "DUO:0000044", "DUO:0000015"
ABSTAINING_MODIFIERS = frozenset(
    {
        "DUO:0000012",  # RS research specific restrictions
        "DUO:0000016",  # GSO genetic studies only
        "DUO:0000019",  # PUB publication required
        "DUO:0000020",  # COL collaboration required
        "DUO:0000021",  # IRB ethics approval required
        "DUO:0000022",  # GS geographical restriction
        "DUO:0000024",  # MOR publication moratorium
        "DUO:0000025",  # TS time limit on use
        "DUO:0000026",  # US user specific restriction
        "DUO:0000027",  # PS project specific restriction
        "DUO:0000028",  # IS institution specific restriction
        "DUO:0000029",  # RTN return to database or resource
    }
)
# Which dataset permissions approve which purpose (the purpose is itself a DUO permission term).
APPROVED_ON: dict[str, frozenset[str]] = {
    GRU: frozenset({GRU, NRES}),
    HMB: frozenset({GRU, HMB, NRES}),
    DS: frozenset({GRU, HMB, DS, NRES}),  # DS policies only for the same disease (or an ancestor): duo_covers
    POA: frozenset({GRU, POA, NRES}),
    NRES: frozenset({NRES}),
}


@dataclass(frozen=True)
class DuoTerm:
    id: str
    shorthand: str
    label: str
    kind: str  # "permission" or "modifier"


class Match(enum.StrEnum):
    APPROVE = "approve"
    DENY = "deny"
    ABSTAIN = "abstain"


@cache
def duo_terms() -> dict[str, DuoTerm]:
    """Every shipped DUO term by id (``DUO:0000042``)."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {t["id"]: DuoTerm(t["id"], t["shorthand"], t["label"], t["kind"]) for t in data["terms"]}


def duo_term_resolve(value: str) -> DuoTerm:
    """A term by id or shorthand (``DUO:0000042`` or ``GRU``), or a ``DomainError`` listing what is known."""
    terms = duo_terms()
    text = (value or "").strip()
    if text in terms:
        return terms[text]
    by_short = {t.shorthand: t for t in terms.values()}
    if text.upper() in by_short:
        return by_short[text.upper()]
    known = ", ".join(f"{t.id} ({t.shorthand})" for t in terms.values())
    raise DomainError(
        _("%(value)s is not a known DUO term; known terms: %(known)s.") % {"value": repr(value), "known": known},
        field="duo_terms",
        code="duo",
    )


def duo_terms_validate(values: list[str]) -> list[str]:
    """Canonical ids for a policy's terms: each known, no repeats, at most one permission term."""
    ids = []
    for value in values:
        term = duo_term_resolve(value)
        if term.id not in ids:
            ids.append(term.id)
    permissions = [i for i in ids if duo_terms()[i].kind == "permission"]
    if len(permissions) > 1:
        names = ", ".join(duo_terms()[i].shorthand for i in permissions)
        raise DomainError(
            _("A policy carries at most one DUO permission term (got %(names)s); add modifiers as further terms.")
            % {"names": names},
            field="duo_terms",
            code="duo_permissions",
        )
    return ids


def duo_purpose_resolve(value: str) -> DuoTerm:
    """A research purpose must be a DUO permission term (GRU, HMB, DS, POA or NRES)."""
    term = duo_term_resolve(value)
    if term.kind != "permission":
        raise DomainError(
            _("%(id)s (%(shorthand)s) is a DUO modifier; a purpose is a permission term: GRU, HMB, DS, POA or NRES.")
            % {"id": term.id, "shorthand": term.shorthand},
            field="purpose",
            code="duo_purpose",
        )
    return term


def disease_key(value: str) -> str:
    """A disease code compared as text, in its one written form (``consent.diseases``: ``ICD10-GM:e119`` →
    ``E11.9``); a value that is no ICD-10 or ORPHA code (legacy data) is compared upper-cased as it is."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        return disease_normalise(text, field="disease")
    except DomainError:
        return text.upper().replace(" ", "")


def disease_within(disease: str, policy_disease: str) -> bool:
    """Whether ``disease`` is the policy's disease or below it (ICD-10: ``E11.9`` is within ``E11``)."""
    asked, allowed = disease_key(disease), disease_key(policy_disease)
    if not asked or not allowed:
        return False
    if asked == allowed:
        return True
    is_icd = not allowed.startswith(("ORPHA:", "MONDO:"))
    return is_icd and asked.startswith(allowed) and (asked[len(allowed) :][:1] in (".", "") or "." in allowed)


def duo_covers(
    *, purpose: str, terms: list[str] | tuple[str, ...], disease: str = "", policy_disease: str = ""
) -> Match:
    """The permission-level match only: does the policy's permission term cover this kind of research at all?

    APPROVE (covered), DENY (another kind of research) or ABSTAIN (disease-specific, and the disease cannot be
    checked because the purpose or the policy does not name it).
    """
    held = set(terms)
    permissions = held & (set(APPROVED_ON) | {DS})
    if NRES in permissions or permissions & APPROVED_ON.get(purpose, frozenset()) - {DS}:
        return Match.APPROVE
    if purpose == DS and DS in permissions:
        if not disease or not policy_disease:
            return Match.ABSTAIN
        return Match.APPROVE if disease_within(disease, policy_disease) else Match.DENY
    return Match.DENY


def duo_match(
    *,
    purpose: str,
    terms: list[str] | tuple[str, ...],
    disease: str = "",
    policy_disease: str = "",
    for_profit_organisation: bool = False,
    commercial_use: bool = False,
    methods_development: bool = False,
) -> tuple[Match, list[str]]:
    """Match a purpose (DUO permission id and its flags) against one policy's terms: (answer, conditions).

    The conditions are the abstaining modifiers (and DS itself when the disease could not be checked).
    """
    held = set(terms)
    covered = duo_covers(purpose=purpose, terms=terms, disease=disease, policy_disease=policy_disease)
    if covered == Match.DENY:
        return Match.DENY, []
    if (for_profit_organisation or commercial_use) and held & {NPUNCU, NPU, NCU}:
        return Match.DENY, []  # DUOS treats both as one restriction: a for-profit or commercial purpose is denied
    if purpose == POA and NPOA in held:
        return Match.DENY, []
    if methods_development and NMDS in held:
        own_disease = purpose == DS and DS in held and disease_within(disease, policy_disease)
        if not own_disease:
            return Match.DENY, []
    conditions = sorted(held & ABSTAINING_MODIFIERS)
    if covered == Match.ABSTAIN:
        conditions = sorted({*conditions, DS})
    if conditions:
        return Match.ABSTAIN, conditions
    return Match.APPROVE, []
