"""The GA4GH Data Use Ontology as the portal uses it: the shipped term list and purpose matching.

Terms come from ``consent/data/duo.json`` (a copy with its provenance, never read from outside the project).
Matching follows the DUOS rules summarised in docs/standards: a research purpose against the DUO terms of a policy
answers APPROVE, DENY or ABSTAIN.

- Purpose GRU is approved on GRU (or NRES); purpose HMB on GRU or HMB; purpose POA on GRU or POA; purpose DS on
  GRU, HMB or DS. Disease ancestry is not modelled yet: DS data match a DS purpose only for the same disease term
  (or when the policy names no disease).
- A for-profit purpose is denied on NPU, NCU or NPUNCU; a POA purpose is denied on NPOA.
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

from biobank.errors import DomainError

DATA_FILE = Path(__file__).resolve().parent / "data" / "duo.json"

GRU, HMB, DS, POA, NRES = "DUO:0000042", "DUO:0000006", "DUO:0000007", "DUO:0000011", "DUO:0000004"
NPUNCU, NPU, NCU, NPOA = "DUO:0000018", "DUO:0000045", "DUO:0000046", "DUO:0000044"
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
    DS: frozenset({GRU, HMB, DS, NRES}),
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
    raise DomainError(f"{value!r} is not a known DUO term; known terms: {known}.", field="duo_terms", code="duo")


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
            f"A policy carries at most one DUO permission term (got {names}); add modifiers as further terms.",
            field="duo_terms",
            code="duo_permissions",
        )
    return ids


def duo_purpose_resolve(value: str) -> DuoTerm:
    """A research purpose must be a DUO permission term (GRU, HMB, DS, POA or NRES)."""
    term = duo_term_resolve(value)
    if term.kind != "permission":
        raise DomainError(
            f"{term.id} ({term.shorthand}) is a DUO modifier; a purpose is a permission term: "
            "GRU, HMB, DS, POA or NRES.",
            field="purpose",
            code="duo_purpose",
        )
    return term


def duo_match(
    *, purpose: str, terms: list[str], for_profit: bool = False, disease: str = "", policy_disease: str = ""
) -> tuple[Match, list[str]]:
    """Match a purpose (DUO permission id) against one policy's terms: (answer, the abstaining modifiers)."""
    held = set(terms)
    permissions = {t for t in held if t in APPROVED_ON or t == DS}
    if not permissions or not permissions & APPROVED_ON.get(purpose, frozenset()):
        return Match.DENY, []
    ds_only = purpose == DS and DS in permissions and not permissions - {DS}
    if ds_only and policy_disease and disease and policy_disease != disease:
        return Match.DENY, []
    if for_profit and held & {NPUNCU, NPU, NCU}:
        return Match.DENY, []
    if purpose == POA and NPOA in held:
        return Match.DENY, []
    conditions = sorted(held & ABSTAINING_MODIFIERS)
    if conditions:
        return Match.ABSTAIN, conditions
    return Match.APPROVE, []
