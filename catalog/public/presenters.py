"""What the public pages show, prepared for the templates: facet options, readable attributes, the facts table and
its bar chart. Reads only; every count passes the privacy rules (``catalog.facts.privacy``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from biobank.accounts.models import Biobank

from .. import vocabularies as v
from ..facts.privacy import publishable, shown_count
from ..models import Collection, CollectionFact, Network
from ..schema import COLLECTION_CODES
from ..search import FACETS, Facet, SearchParams, visible_biobank_codes
from ..search_describe import value_label
from ..search_facets import AGE_BANDS, FacetCounts
from ..search_icd import chapter_ranges, child_blocks


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool
    level: int = 0  # 1: a block under a selected chapter (the ICD-10 tree)
    page: str = ""  # the value's own page (a biobank's, a network's)


@dataclass
class FacetView:
    facet: Facet
    options: list[Option]
    match: str
    selected: tuple[str, ...]
    names: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.facet.key


def biobank_and_network_names() -> dict[str, str]:
    """Names of the public biobanks and networks (two queries)."""
    names = dict(Biobank.objects.filter(code__in=visible_biobank_codes()).values_list("code", "name"))
    names |= dict(Network.objects.filter(withdrawn=False).values_list("bbmri_id", "name"))
    return names


def facet_views(params: SearchParams, counts: FacetCounts, names: dict[str, str]) -> list[FacetView]:
    views = []
    for facet in FACETS:
        found = counts.of(facet.key)
        selected = params.selected(facet.key)
        if facet.key == "diagnosis":
            options = _diagnosis_options(found, selected)
        else:
            codes = set(found) | set(selected)
            options = [Option(c, value_label(facet, c, names), found.get(c, 0), c in selected) for c in codes]
            options.sort(key=lambda o: (-o.count, o.label.lower()))
        views.append(FacetView(facet, options, params.match(facet.key), selected, names))
    return views


def _diagnosis_options(found: dict[str, int], selected: tuple[str, ...]) -> list[Option]:
    """Chapters in ICD-10 order, each followed by its blocks once it is selected, then other selected codes."""
    facet = FACETS[[f.key for f in FACETS].index("diagnosis")]
    options = []
    shown: set[str] = set()
    for chapter in chapter_ranges():
        if found.get(chapter) or chapter in selected:
            options.append(Option(chapter, value_label(facet, chapter), found.get(chapter, 0), chapter in selected))
            shown.add(chapter)
        for block in child_blocks().get(chapter, []):
            if (block in found or block in selected) and (chapter in selected or block in selected):
                options.append(Option(block, v.disease_label(block), found.get(block, 0), block in selected, 1))
                shown.add(block)
    for code in selected:
        if code not in shown:
            options.append(Option(code, value_label(facet, code), found.get(code, 0), True))
    for code, count in sorted(found.items()):
        if code.startswith("ORPHA:") and code not in shown and code not in selected:
            options.append(Option(code, code, count, False))
    return options


def age_bands(counts: FacetCounts) -> list[Option]:
    found = counts.of("age")
    return [
        Option(
            f"{low}-{high}",
            _("%(low)d to %(high)d years") % {"low": low, "high": high},
            found.get(f"{low}-{high}", 0),
            False,
        )
        for low, high in AGE_BANDS
    ]


# --- a collection's attributes ----------------------------------------------------------------------------------

ATTRIBUTES: tuple[tuple[str, Any], ...] = (
    ("bbmri_id", gettext_lazy("BBMRI-ERIC ID")),
    ("acronym", gettext_lazy("Acronym")),
    ("materials", gettext_lazy("Material types")),
    ("storage_temperatures", gettext_lazy("Storage temperatures")),
    ("sex", gettext_lazy("Sex")),
    ("diseases", gettext_lazy("Diagnoses")),
    ("sample_source", gettext_lazy("Sample source")),
    ("dataset_types", gettext_lazy("Dataset types")),
    ("collection_types", gettext_lazy("Collection types")),
    ("data_categories", gettext_lazy("Data categories")),
    ("collection_settings", gettext_lazy("Sample collection settings")),
    ("collection_designs", gettext_lazy("Collection designs")),
    ("inclusion_criteria", gettext_lazy("Inclusion criteria")),
    ("use_access_conditions", gettext_lazy("Use and access conditions")),
    ("data_use", gettext_lazy("Data use terms (DUO)")),
    ("access_fee", gettext_lazy("Access fee for")),
    ("access_joint_project", gettext_lazy("Joint project required for")),
    ("sops", gettext_lazy("SOPs")),
    ("status", gettext_lazy("Status")),
    ("number_of_subjects", gettext_lazy("Number of subjects")),
    ("publications", gettext_lazy("Publications")),
    ("access_description", gettext_lazy("Access")),
    ("access_uri", gettext_lazy("Access URL")),
    ("url", gettext_lazy("Web site")),
)


def _readable(name: str, value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    if name == "diseases":
        return [v.disease_label(code) for code in values]
    vocabulary = COLLECTION_CODES.get(name)
    return [v.label(vocabulary, str(code)) if vocabulary else str(code) for code in values]


def attributes(collection: Collection) -> list[tuple[str, list[str]]]:
    """Every MIABIS attribute the collection has, as (label, readable values); empty ones left out."""
    rows: list[tuple[str, list[str]]] = []
    for name, title in ATTRIBUTES:
        value = getattr(collection, name)
        if value in (None, "", []):
            continue
        rows.append((str(title), _readable(name, value)))
    if collection.age_low is not None or collection.age_high is not None:
        rows.insert(5, (_("Age range"), [age_range_text(collection.age_low, collection.age_high, collection.age_unit)]))
    country = collection.country or collection.biobank.country
    rows.append((_("Country"), [v.label("Directory.Countries", country)]))
    for name, title in (
        ("collaboration_commercial", _("Open to commercial collaboration")),
        ("collaboration_non_for_profit", _("Open to non-profit collaboration")),
    ):
        flag = getattr(collection, name)
        if flag is not None:
            rows.append((title, [_("yes") if flag else _("no")]))
    return rows


# --- the facts table and chart ------------------------------------------------------------------------------------

DIMENSIONS: dict[str, tuple[str, Any]] = {
    "sex": ("sex", gettext_lazy("Sex")),
    "age": ("age_range", gettext_lazy("Age range")),
    "material": ("material_type", gettext_lazy("Material type")),
    "disease": ("disease", gettext_lazy("Diagnosis")),
}
FACT_DIMENSIONS = ("sex", "age_range", "material_type", "disease")


@dataclass
class FactRow:
    label: str
    samples: int
    donors: int
    width: float = 0.0  # the bar's length, 0-100
    y: int = 0


@dataclass
class FactsTable:
    by: str
    title: str
    rows: list[FactRow]
    exact: bool
    hidden: int  # rows left out (fewer than k donors)
    total: FactRow | None

    @property
    def chart_height(self) -> int:
        return 28 * len(self.rows) + 8


def _dimension_label(column: str, code: str) -> str:
    if column == "sex":
        return v.label("Directory.SexTypes", code)
    if column == "material_type":
        return v.label("Directory.MaterialTypes", code)
    if column == "disease":
        return v.disease_label(code) if code else _("No diagnosis recorded")
    return v.label("Directory.AgeRanges", code)


def facts_table(collection: Collection, by: str, *, exact: bool) -> FactsTable:
    """The collection's facts split by one dimension (the marginal rows: that dimension set, the others ``*``)."""
    column, title = DIMENSIONS[by]
    others = {name: v.ANY for name in FACT_DIMENSIONS if name != column}
    facts = CollectionFact.objects.filter(collection=collection).filter(
        **{name: value for name, value in {**others}.items()}
    )
    rows: list[FactRow] = []
    total: FactRow | None = None
    hidden = 0
    for fact in facts.order_by("-number_of_samples", column):
        code = getattr(fact, column)
        if not exact and not publishable(fact.number_of_donors):
            hidden += code != v.ANY
            continue
        row = FactRow(
            label=_dimension_label(column, code),
            samples=shown_count(fact.number_of_samples, exact=exact),
            donors=shown_count(fact.number_of_donors, exact=exact),
        )
        if code == v.ANY:
            total = row
        else:
            rows.append(row)
    top = max((row.samples for row in rows), default=0)
    for index, row in enumerate(rows):
        row.width = round(100.0 * row.samples / top, 1) if top else 0.0
        row.y = 28 * index + 4
    return FactsTable(by=by, title=str(title), rows=rows, exact=exact, hidden=hidden, total=total)


AGE_UNITS_PLURAL = {
    "YEAR": gettext_lazy("years"),
    "MONTH": gettext_lazy("months"),
    "WEEK": gettext_lazy("weeks"),
    "DAY": gettext_lazy("days"),
}


def age_range_text(low: int | None, high: int | None, unit: str) -> str:
    """ "20-90 years", "from 18 years", "up to 16 years" (the unit in the plural, as people write it)."""
    unit_text = str(AGE_UNITS_PLURAL.get(unit, unit.lower()))
    if low is not None and high is not None:
        return f"{low}-{high} {unit_text}".strip()
    if low is not None:
        return (_("from %(low)s %(unit)s") % {"low": low, "unit": unit_text}).strip()
    return (_("up to %(high)s %(unit)s") % {"high": high, "unit": unit_text}).strip()
