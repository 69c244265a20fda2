"""The data-quality panel: what is wrong or missing in a biobank's catalogue description, and how to fix it.

The checks are pure functions over already loaded objects (``check_*``): they never query, so they are cheap to
test and to run for many biobanks. ``biobank_findings`` loads what they need for a set of biobanks in a fixed number
of queries (the profiles, the collections, the distinct age ranges and material types of their facts) and runs them.

Each ``Finding`` names its severity (``error``: the public catalogue shows something wrong; ``warning``: a
description that misleads or is incomplete; ``info``: worth a look), the object, what is wrong and how to fix it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from . import vocabularies as v
from .models import BiobankProfile, Collection, CollectionFact, PublicationState
from .schema import COLLECTION_REQUIRED_TO_PUBLISH

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}
MIN_DESCRIPTION = 30  # characters: shorter is not a description a researcher can use
PLACEHOLDER_RE = re.compile(
    r"^\W*(tbd|tba|todo|to do|fixme|xxx+|n/?a|none|test(ing)?|placeholder|lorem ipsum.*|description|dummy|\?+|-+|\.+)"
    r"\W*$|\blorem ipsum\b|\b(tbd|todo|fixme)\b",
    re.IGNORECASE,
)
# Directory.AgeRanges in years (low, high); ranges without an age ("Unknown", "Undefined") are not compared.
AGE_RANGE_YEARS: dict[str, tuple[float, float]] = {
    "Newborn": (0.0, 1 / 12),
    "Infant": (2 / 12, 23 / 12),
    "Child": (2.0, 12.999),
    "Adolescent": (13.0, 17.999),
    "Young Adult": (18.0, 24.999),
    "Adult": (25.0, 44.999),
    "Middle-aged": (45.0, 64.999),
    "Aged (65-79 years)": (65.0, 79.999),
    "Aged (>80 years)": (80.0, 200.0),
}
UNIT_YEARS = {"YEAR": 1.0, "MONTH": 1 / 12, "WEEK": 7 / 365.25, "DAY": 1 / 365.25}
NO_FACT_VALUES = {v.ANY, "", "NAV", "Unknown", "Undefined"}


@dataclass(frozen=True)
class Finding:
    severity: str  # ERROR, WARNING or INFO
    kind: str  # a stable name of the check (tests, CSS)
    obj: Any  # the Collection or BiobankProfile (or the biobank when it has no profile)
    message: str  # what is wrong
    fix: str  # how to fix it
    field: str = ""  # the attribute to change, when there is one

    @property
    def is_collection(self) -> bool:
        return isinstance(self.obj, Collection)


@dataclass
class FactSummary:
    """What a collection's facts show: the age ranges and material types with samples (marginals left out)."""

    age_ranges: set[str] = field(default_factory=set)
    materials: set[str] = field(default_factory=set)
    has_facts: bool = False


def is_placeholder(text: str) -> bool:
    """Empty, shorter than ``MIN_DESCRIPTION`` characters, or placeholder words (TBD, TODO, lorem ipsum, n/a, test)."""
    text = (text or "").strip()
    return len(text) < MIN_DESCRIPTION or bool(PLACEHOLDER_RE.search(text))


def _placeholder_finding(obj: Any, text: str, what: str) -> Finding | None:
    if not is_placeholder(text):
        return None
    shown = (text or "").strip()
    message = (
        _("%(what)s has no description.") % {"what": what}
        if not shown
        else _("%(what)s has a placeholder description: “%(text)s”.") % {"what": what, "text": shown[:60]}
    )
    return Finding(
        WARNING, "placeholder_description", obj, message,
        _("Write at least %(n)d characters on what was collected, from whom and why (no TBD, TODO or test text).")
        % {"n": MIN_DESCRIPTION},
        "description",
    )  # fmt: skip


def check_profile(profile: BiobankProfile | None, biobank: Any) -> list[Finding]:
    if profile is None:
        return [
            Finding(
                ERROR, "profile_missing", biobank,
                _("%(biobank)s has no catalogue description (MIABIS biobank profile).") % {"biobank": biobank.name},
                _("Describe the biobank: its BBMRI-ERIC ID, juristic person, contact and description."),
            )
        ]  # fmt: skip
    findings: list[Finding] = []
    if profile.state != PublicationState.PUBLISHED:
        findings.append(
            Finding(
                WARNING, "profile_draft", profile,
                _("The biobank's description is a draft: the public catalogue does not show the biobank."),
                _("Publish the biobank description when it is complete."), "state",
            )
        )  # fmt: skip
    placeholder = _placeholder_finding(profile, profile.description, _("The biobank"))
    if placeholder:
        findings.append(placeholder)
    if profile.contact_id is None:
        findings.append(
            Finding(
                WARNING, "profile_without_contact", profile, _("The biobank has no contact person."),
                _("Choose a contact person in the biobank description."), "contact",
            )
        )  # fmt: skip
    return findings


def check_description(collection: Collection) -> list[Finding]:
    found = _placeholder_finding(collection, collection.description, _("Collection “%(name)s”") % {"name": collection})
    return [found] if found else []


def check_contact(collection: Collection) -> list[Finding]:
    if collection.contact_id is not None:
        return []
    return [
        Finding(
            ERROR if collection.state == PublicationState.PUBLISHED else WARNING, "no_contact", collection,
            _("Collection “%(name)s” has no contact person: nobody can be asked about its samples.")
            % {"name": collection},
            _("Choose a contact person (create one under Contact persons if needed)."), "contact",
        )
    ]  # fmt: skip


def check_published_requirements(collection: Collection) -> list[Finding]:
    if collection.state != PublicationState.PUBLISHED:
        return []
    missing = [
        str(getattr(Collection._meta.get_field(name), "verbose_name", name))
        for name in COLLECTION_REQUIRED_TO_PUBLISH
        if getattr(collection, name if name != "contact" else "contact_id") in (None, "", [])
    ]
    if not missing:
        return []
    return [
        Finding(
            ERROR, "published_incomplete", collection,
            _("Collection “%(name)s” is published without what MIABIS requires: %(missing)s.")
            % {"name": collection, "missing": ", ".join(missing)},
            _("Fill in the missing attributes, or set the collection back to draft."),
        )
    ]  # fmt: skip


def declared_age_years(collection: Collection) -> tuple[float, float] | None:
    if collection.age_low is None and collection.age_high is None:
        return None
    factor = UNIT_YEARS.get(collection.age_unit or "YEAR", 1.0)
    low = collection.age_low * factor if collection.age_low is not None else 0.0
    high = (collection.age_high + 1) * factor if collection.age_high is not None else 1000.0  # "up to 12" ⊇ 12.9
    return low, high


def check_age_range(collection: Collection, facts: FactSummary) -> list[Finding]:
    declared = declared_age_years(collection)
    if declared is None:
        return []
    low, high = declared
    outside = sorted(
        age for age in facts.age_ranges if age in AGE_RANGE_YEARS and not _overlaps(AGE_RANGE_YEARS[age], (low, high))
    )
    if not outside:
        return []
    labels = ", ".join(v.label("Directory.AgeRanges", age) for age in outside)
    return [
        Finding(
            WARNING, "age_range_inconsistent", collection,
            _("Collection “%(name)s” declares ages %(low)s to %(high)s %(unit)s, but its samples include donors "
              "aged %(ranges)s.")
            % {
                "name": collection, "low": _blank(collection.age_low), "high": _blank(collection.age_high),
                "unit": v.label("Directory.AgeUnits", collection.age_unit) if collection.age_unit else "",
                "ranges": labels,
            },
            _("Widen the declared age range, or check the donors' birth dates and the samples' collection dates."),
            "age_low",
        )
    ]  # fmt: skip


def _blank(value: int | None) -> str:
    return "…" if value is None else str(value)


def _overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def check_materials(collection: Collection, facts: FactSummary) -> list[Finding]:
    if not facts.has_facts:
        return []
    declared = set(collection.materials)
    shown = {m for m in facts.materials if m not in NO_FACT_VALUES}
    findings = []
    not_in_facts = sorted(declared - shown)
    if not_in_facts:
        findings.append(
            Finding(
                WARNING, "materials_not_in_facts", collection,
                _("Collection “%(name)s” declares sample types its samples do not show: %(materials)s.")
                % {"name": collection, "materials": _material_labels(not_in_facts)},
                _("Remove the sample types the collection does not hold, or register the samples."), "materials",
            )
        )  # fmt: skip
    not_declared = sorted(shown - declared)
    if not_declared:
        findings.append(
            Finding(
                WARNING, "materials_not_declared", collection,
                _("Collection “%(name)s” holds sample types it does not declare: %(materials)s.")
                % {"name": collection, "materials": _material_labels(not_declared)},
                _("Add these sample types to the collection's description."), "materials",
            )
        )  # fmt: skip
    return findings


def _material_labels(codes: Iterable[str]) -> str:
    return ", ".join(v.label("Directory.MaterialTypes", code) for code in codes)


def check_parent_state(collection: Collection, parent: Collection | None) -> list[Finding]:
    if parent is None or collection.state != PublicationState.PUBLISHED or parent.state == PublicationState.PUBLISHED:
        return []
    return [
        Finding(
            ERROR, "published_under_draft_parent", collection,
            _("Sub-collection “%(name)s” is published but the collection it is part of, “%(parent)s”, is a draft.")
            % {"name": collection, "parent": parent},
            _("Publish “%(parent)s” as well, or set “%(name)s” back to draft.")
            % {"name": collection, "parent": parent},
            "parent",
        )
    ]  # fmt: skip


def check_has_facts(collection: Collection, facts: FactSummary) -> list[Finding]:
    if facts.has_facts:
        return []
    return [
        Finding(
            INFO, "no_facts", collection,
            _("Collection “%(name)s” has no facts: no samples are registered in it, or they were not counted yet.")
            % {"name": collection},
            _("Register or import the collection's samples; the facts are recomputed from them."),
        )
    ]  # fmt: skip


def collection_findings(collection: Collection, facts: FactSummary, parent: Collection | None = None) -> list[Finding]:
    """Every finding of one collection (``parent``: its parent collection, if any, already loaded)."""
    return [
        *check_published_requirements(collection),
        *check_parent_state(collection, parent),
        *check_contact(collection),
        *check_description(collection),
        *check_age_range(collection, facts),
        *check_materials(collection, facts),
        *check_has_facts(collection, facts),
    ]


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])


# --- loading (the only place that queries) ---------------------------------------------------------------------


def fact_summaries(collection_ids: Iterable[int]) -> dict[int, FactSummary]:
    """One query: the distinct age ranges and material types of the collections' facts with samples."""
    summaries: dict[int, FactSummary] = defaultdict(FactSummary)
    rows = (
        CollectionFact.objects.filter(collection__in=list(collection_ids), number_of_samples__gt=0)
        .values_list("collection_id", "age_range", "material_type")
        .distinct()
    )
    for collection_id, age_range, material in rows:
        summary = summaries[collection_id]
        summary.has_facts = True
        summary.age_ranges.add(age_range)
        summary.materials.add(material)
    return summaries


@dataclass
class BiobankQuality:
    biobank: Any
    findings: list[Finding]
    by_collection: dict[int, list[Finding]]
    collections: list[Collection] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((ERROR, WARNING, INFO), 0)
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts


def biobank_findings(biobanks: Iterable[Any]) -> dict[int, BiobankQuality]:
    """The findings of each biobank in three queries, however many biobanks and collections."""
    biobanks = list(biobanks)
    ids = [b.pk for b in biobanks]
    profiles = {p.biobank_id: p for p in BiobankProfile.objects.filter(biobank__in=ids).select_related("contact")}
    collections = list(Collection.objects.filter(biobank__in=ids).select_related("contact").order_by("name"))
    by_pk = {c.pk: c for c in collections}
    facts = fact_summaries(by_pk)
    result: dict[int, BiobankQuality] = {}
    for biobank in biobanks:
        profile = profiles.get(biobank.pk)
        if profile is not None:
            profile.biobank = biobank  # for the templates, without a query
        result[biobank.pk] = BiobankQuality(biobank, check_profile(profile, biobank), {})
    for collection in collections:
        collection.biobank = result[collection.biobank_id].biobank
        summary = facts.get(collection.pk, FactSummary())
        parent = by_pk.get(collection.parent_id) if collection.parent_id else None
        found = collection_findings(collection, summary, parent)
        quality = result[collection.biobank_id]
        quality.by_collection[collection.pk] = found
        quality.collections.append(collection)
        quality.findings.extend(found)
    for quality in result.values():
        quality.findings = sort_findings(quality.findings)
    return result


def quality_tile(*, user: Any, biobank_ids: list[int]) -> dict[int, BiobankQuality]:
    """The dashboard tile's loader (``register_biobank_tile``): the panel's callers are already scoped by perms."""
    from biobank.accounts.models import Biobank

    return biobank_findings(Biobank.objects.filter(pk__in=biobank_ids))
