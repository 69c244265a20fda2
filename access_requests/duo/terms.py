"""DUO terms as the matcher reads a dataset: ids or shorthands in, canonical ids out, and which term does what.

The term list is the one the consent app ships (``consent/data/duo.json``, 23 terms, ``consent.duo.duo_terms``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from consent.duo import DuoTerm, duo_terms

GRU, HMB, DS, POA, NRES = "DUO:0000042", "DUO:0000006", "DUO:0000007", "DUO:0000011", "DUO:0000004"
NMDS, NPOA = "DUO:0000015", "DUO:0000044"
NPUNCU, NPU, NCU = "DUO:0000018", "DUO:0000045", "DUO:0000046"
NON_PROFIT_TERMS = frozenset({NPUNCU, NPU, NCU})  # V4 reads all three as one "nonProfitUse" flag
PERMISSIONS = frozenset({GRU, HMB, DS, POA, NRES})
# Modifiers that need a person's judgement: V4 does not read them; they abstain and become proposed conditions.
JUDGEMENT_MODIFIERS = (
    "DUO:0000022",  # GS geographical restriction
    "DUO:0000024",  # MOR publication moratorium
    "DUO:0000019",  # PUB publication required
    "DUO:0000020",  # COL collaboration required
    "DUO:0000021",  # IRB ethics approval required
    "DUO:0000026",  # US user specific restriction
    "DUO:0000027",  # PS project specific restriction
    "DUO:0000028",  # IS institution specific restriction
    "DUO:0000029",  # RTN return to database or resource
    "DUO:0000025",  # TS time limit on use
    "DUO:0000016",  # GSO genetic studies only
    "DUO:0000012",  # RS research specific restrictions
)


class TermError(ValueError):
    """A value that is no DUO term; the message lists the known ones."""


def allowed_terms_text() -> str:
    return ", ".join(f"{t.id} ({t.shorthand})" for t in duo_terms().values())


def term_resolve(value: str) -> DuoTerm:
    """A DUO term by id (``DUO:0000007``) or shorthand (``DS``, any case), or a :class:`TermError`."""
    terms = duo_terms()
    text = (value or "").strip()
    if text.upper().startswith("DUO:") and text.upper() in terms:
        return terms[text.upper()]
    for term in terms.values():
        if term.shorthand == text.upper():
            return term
    raise TermError(
        _("%(value)r is not a DUO term; allowed: %(allowed)s.") % {"value": value, "allowed": allowed_terms_text()}
    )


def term(duo_id: str) -> DuoTerm:
    return duo_terms()[duo_id]
