"""Where the counted samples come from: a hook the apps above the catalogue register into.

The catalogue may not import the inventory (layering: specimens > consent > catalog), so the specimens app
registers a *facts source* from its ``AppConfig.ready()``. A source is a callable returning the text of one
``SELECT`` that yields **one row per counted sample** with the columns, in this order::

    collection_id bigint, donor_id bigint, sex text, age_range text, material_type text, disease text

``sex`` a Directory.SexTypes code, ``age_range`` a Directory.AgeRanges code, ``material_type`` a
Directory.MaterialTypes code, ``disease`` an ICD-10/ORPHA code or ``''``. The text may use the one parameter
``%(collections)s``: a ``bigint[]`` of the collections to read, or NULL for all of them. The engine
(``catalog.facts.engine``) does the grouping, the ``*`` marginals and the roll-up of sub-collections.
"""

from __future__ import annotations

from collections.abc import Callable

FactsSource = Callable[[], str]
COLUMNS = ("collection_id", "donor_id", "sex", "age_range", "material_type", "disease")

_SOURCES: dict[str, FactsSource] = {}


def register_facts_source(name: str, source: FactsSource) -> None:
    """Register (or replace, by ``name``) a source of counted samples."""
    _SOURCES[name] = source


def facts_sources() -> list[tuple[str, FactsSource]]:
    return sorted(_SOURCES.items())


def unregister_facts_source(name: str) -> None:
    _SOURCES.pop(name, None)
