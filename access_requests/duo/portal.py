"""The portal's checks beside DUOS V4's: restrictions V4 does not read at all.

V4 never looks at a dataset's NMDS, NPOA, its modifiers (GS, MOR, PUB, COL, IRB, US, PS, IS, RTN, TS, GSO, RS) or
its free-text restrictions. Issue 14 and docs/standards.md want them heard: NMDS and NPOA decide as standards.md says
(they are prohibitions a machine can apply), the others need a person, so they ABSTAIN and become the conditions the
committee is proposed. Those two checks (``modifiers``, ``other``) are conditions only: ``matcher.decide`` lets them
turn an APPROVE into ABSTAIN, never a DENY. Every check here is tagged ``source: "portal"`` in the rationale.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from . import terms as t
from .matcher import PORTAL, Check, Condition, Dataset, Purpose, Result


def check_no_methods(dataset: Dataset, purpose: Purpose, disease: Result) -> Check:
    """NMDS (docs/standards.md): methods development only as disease-specific research within a matching disease."""
    label = _("No general methods research (NMDS)")
    if t.NMDS not in dataset.terms:
        return Check(
            "no_methods", label, Result.NOT_APPLICABLE, _("The dataset does not prohibit methods research."), PORTAL
        )
    if not purpose.methods:
        return Check("no_methods", label, Result.NOT_APPLICABLE, _("The purpose is not methods development."), PORTAL)
    if purpose.diseases and disease == Result.APPROVE:
        reason = _("Methods development within the purpose's disease, which the dataset allows.")
        return Check("no_methods", label, Result.APPROVE, reason, PORTAL)
    if purpose.diseases and disease == Result.ABSTAIN:
        reason = _("Methods development is allowed only within a matching disease, and the disease check abstained.")
        return Check("no_methods", label, Result.ABSTAIN, reason, PORTAL)
    reason = _("The dataset prohibits methods development outside a matching disease-specific purpose.")
    return Check("no_methods", label, Result.DENY, reason, PORTAL)


def check_no_population_origins(dataset: Dataset, purpose: Purpose) -> Check:
    """NPOA: population origins or ancestry research is prohibited."""
    label = _("Population origins or ancestry research prohibited (NPOA)")
    if t.NPOA not in dataset.terms or not purpose.population_origins:
        return Check("no_population_origins", label, Result.NOT_APPLICABLE, _("No NPOA limit on this purpose."), PORTAL)
    reason = _("The dataset prohibits population origins or ancestry research.")
    return Check("no_population_origins", label, Result.DENY, reason, PORTAL)


def judgement_conditions(dataset: Dataset) -> list[Condition]:
    """The dataset's modifiers that need a person, in DUO's order, then its free-text restrictions."""
    found = [
        Condition(t.term(duo_id).shorthand, duo_id, t.term(duo_id).label)
        for duo_id in t.JUDGEMENT_MODIFIERS
        if duo_id in dataset.terms
    ]
    if dataset.other:
        found.append(Condition("OTHER", None, _("other data use limitation (free text)"), dataset.other))
    if dataset.secondary_other:
        found.append(Condition("OTHER", None, _("other secondary limitation (free text)"), dataset.secondary_other))
    return found


def check_modifiers(conditions: list[Condition]) -> Check:
    label = _("Modifiers that need a person")
    modifiers = [c.code for c in conditions if c.duo_id]
    if not modifiers:
        return Check("modifiers", label, Result.NOT_APPLICABLE, _("The dataset carries no such modifier."), PORTAL)
    reason = _("%(codes)s: only a committee can say whether the project meets them; proposed as conditions.") % {
        "codes": ", ".join(modifiers)
    }
    return Check("modifiers", label, Result.ABSTAIN, reason, PORTAL)


def check_other(dataset: Dataset, purpose: Purpose) -> Check:
    """Free text: V4 reads neither side's. The dataset's is a limitation a person must read (ABSTAIN); the
    purpose's is shown to the committee and changes nothing here."""
    label = _("Other restrictions (free text)")
    if dataset.other or dataset.secondary_other:
        reason = _("The dataset states a limitation in free text, which no algorithm reads; proposed as a condition.")
        return Check("other", label, Result.ABSTAIN, reason, PORTAL)
    if purpose.other:
        reason = _("The purpose's free text is for the committee to read; it does not change the match.")
        return Check("other", label, Result.NOT_APPLICABLE, reason, PORTAL)
    return Check("other", label, Result.NOT_APPLICABLE, _("Neither side states anything in free text."), PORTAL)
