"""Counts per facet value, the standard faceted way, in ONE query.

Each facet's counts are taken with every OTHER facet applied (so selecting ``Plasma`` does not make ``Serum`` count
zero in the material facet, but does narrow the country facet). The candidates (published collections matching the
text) are computed once in a CTE, carrying a boolean per active facet; each facet is then an ``unnest`` (or a join) +
``GROUP BY`` over the candidates whose other flags hold, and the parts are joined with ``UNION ALL``. A facet counts
collections (``count(DISTINCT id)``): a parent and its sub-collection are two collections, each counted once.
"""

# The SQL below is assembled from constants only (table names, facet keys, flag names); every value is a parameter.
# ruff: noqa: S608, S611

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.db.models.fields import FloatField

from .models import Collection, Network, QualityStandard
from .search import (
    FACETS,
    TABLE,
    YEARS,
    SearchParams,
    as_flag,
    candidates,
    facet_filters,
)
from .search_icd import chapter_ranges, child_blocks, icd_range

# The age bands offered as shortcuts beside the age inputs, in years (both ends inclusive).
AGE_BANDS: tuple[tuple[int, int], ...] = ((0, 17), (18, 64), (65, 150))
TOTAL = "_total"


@dataclass(frozen=True)
class FacetCounts:
    """``counts[facet key][value] = number of collections``; ``total``: collections matching the whole search."""

    counts: dict[str, dict[str, int]]
    total: int

    def of(self, key: str) -> dict[str, int]:
        return self.counts.get(key, {})


def _case(ranges: Iterable[tuple[str, str, str]], column: str) -> tuple[str, list[Any]]:
    """``CASE`` giving the code whose 3-character range holds ``column`` (ORPHA and unknown codes: themselves)."""
    sql, params = "CASE", []
    for code, low, high in ranges:
        sql += f" WHEN {column} ~ '^[A-Z][0-9]' AND left({column}, 3) BETWEEN %s AND %s THEN %s"
        params += [low, high, code]
    return sql + f" WHEN {column} LIKE 'ORPHA:%%' THEN {column} END", params


def _sub_blocks(selected: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """The blocks right under each selected chapter or block (the next level of the tree to count)."""
    found = []
    for code in selected:
        for block in child_blocks().get(code, []):
            span = icd_range(block)
            if span is not None:
                found.append((block, span.low, span.high))
    return found


def facet_counts(params: SearchParams) -> FacetCounts:
    filters = facet_filters(params)
    columns: dict[str, Any] = {
        "f_id": F("pk"),
        "f_biobank": F("biobank_id"),
        "f_bcode": F("biobank__code"),
        "f_low": RawSQL(f"{TABLE}.age_low * {YEARS}", [], FloatField()),
        "f_high": RawSQL(f"({TABLE}.age_high + 1) * {YEARS}", [], FloatField()),
    }
    columns |= {f"f_{facet.key}": F(facet.column) for facet in FACETS if facet.column}
    flags = {f"m_{key}": as_flag(condition) for key, condition in filters.items()}
    qs = candidates(params).annotate(**columns, **flags).values("f_country", *columns, *flags)
    cand_sql, cand_params = qs.query.sql_with_params()

    def others(key: str) -> str:
        return " AND ".join(f"cand.m_{k}" for k in filters if k != key) or "TRUE"

    parts: list[str] = []
    params_out: list[Any] = []
    count = "count(DISTINCT cand.f_id)"
    for facet in FACETS:
        where = others(facet.key)
        if facet.key == "diagnosis":
            levels = [[(code, r.low, r.high) for code, r in chapter_ranges().items()]]
            if params.diagnosis:
                levels.append(_sub_blocks(params.diagnosis))
            for ranges in levels:
                if not ranges:
                    continue
                case, case_params = _case(ranges, "x")
                parts.append(
                    f"SELECT 'diagnosis', ({case}) AS value, {count} FROM cand, unnest(cand.f_diagnosis) x "
                    f"WHERE {where} GROUP BY 2"
                )
                params_out += case_params
        elif facet.column:
            parts.append(
                f"SELECT '{facet.key}', x, {count} FROM cand, unnest(cand.f_{facet.key}) x WHERE {where} GROUP BY 2"
            )
        elif facet.key == "country":
            parts.append(f"SELECT 'country', cand.f_country, {count} FROM cand WHERE {where} GROUP BY 2")
        elif facet.key == "biobank":
            parts.append(f"SELECT 'biobank', cand.f_bcode, {count} FROM cand WHERE {where} GROUP BY 2")
        elif facet.key == "network":
            links = Collection.networks.through._meta.db_table
            members = Network.member_biobanks.through._meta.db_table
            parts.append(
                f"SELECT 'network', n.bbmri_id, {count} FROM cand JOIN {Network._meta.db_table} n "
                f"ON NOT n.withdrawn AND (EXISTS (SELECT 1 FROM {links} l WHERE l.collection_id = cand.f_id "
                f"AND l.network_id = n.id) OR EXISTS (SELECT 1 FROM {members} mb WHERE mb.biobank_id = "
                f"cand.f_biobank AND mb.network_id = n.id)) WHERE {where} GROUP BY 2"
            )
        elif facet.key == "quality":
            parts.append(
                f"SELECT 'quality', q.standard, {count} FROM cand JOIN {QualityStandard._meta.db_table} q "
                f"ON q.biobank_id = cand.f_biobank WHERE {where} GROUP BY 2"
            )
    bands = ", ".join("(%s, %s, %s)" for _ in AGE_BANDS)
    parts.append(
        f"SELECT 'age', b.band, {count} FROM cand CROSS JOIN (VALUES {bands}) AS b(band, low, high) "
        f"WHERE {others('age')} AND (cand.f_low IS NOT NULL OR cand.f_high IS NOT NULL) "
        "AND COALESCE(cand.f_low, 0) < b.high + 1 AND COALESCE(cand.f_high, 1000) > b.low GROUP BY 2"
    )
    for low, high in AGE_BANDS:
        params_out += [f"{low}-{high}", low, high]
    every = " AND ".join(f"cand.m_{k}" for k in filters) or "TRUE"
    parts.append(f"SELECT '{TOTAL}', '', {count} FROM cand WHERE {every}")
    sql = f"WITH cand AS ({cand_sql}) " + " UNION ALL ".join(parts)
    counts: dict[str, dict[str, int]] = {}
    total = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, [*cand_params, *params_out])
        for key, value, number in cursor.fetchall():
            if key == TOTAL:
                total = number
            elif value is not None:
                counts.setdefault(key, {})[value] = number
    return FacetCounts(counts=counts, total=total)
