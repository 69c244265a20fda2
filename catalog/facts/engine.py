"""Recompute collection facts in SQL: the Directory's star model from the registered sources of samples.

For each collection recomputed, in one transaction: its rows are deleted and the new ones inserted, so a reader sees
the old facts or the new ones, never a mix.

- The samples of a collection include those of its sub-collections (the Directory counts a parent's size with its
  sub-collections; a donor in both is one donor). Recomputing a collection therefore recomputes its ancestors too.
- ``GROUP BY collection, donor, sex, CUBE(age_range, material_type, disease)`` first (samples per donor in every
  cell and marginal), then per cell ``sum`` of samples and ``count(*)`` of donors, with ``GROUPING SETS ((sex),
  ())``: distinct donors without a ``count(DISTINCT)`` over sixteen grouping sets. Sex is the donor's, so a donor is
  in one sex only and the donors of "any sex" are the sum over the sexes (``count(*)`` of the per-donor rows): the
  per-donor step needs eight grouping sets, not sixteen. A rolled-up dimension is ``*``.
- Every recomputed collection gets exactly one all-``*`` row, ``0``/``0`` when it has no samples.
- ``recompute_dirty`` works off the ``FactsRecompute`` marks (set by triggers in the transaction of a change) under
  an advisory lock, so two runs never do the same work twice; it deletes only the marks it saw (a mark renewed
  meanwhile stays for the next run).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import connection, transaction

from ..models import Collection, FactsRecompute
from .sources import facts_sources

logger = logging.getLogger(__name__)

ANY = "*"
LOCK_KEY = 0x0FAC75  # pg advisory lock: one facts recompute at a time

_EMPTY_SOURCE = (
    "SELECT NULL::bigint AS collection_id, NULL::bigint AS donor_id, ''::text AS sex, ''::text AS age_range, "
    "''::text AS material_type, ''::text AS disease WHERE false"
)

INSERT_FACTS = """
WITH tree(ancestor, descendant) AS (
    SELECT * FROM unnest(%(ancestors)s::bigint[], %(descendants)s::bigint[])
),
samples(collection_id, donor_id, sex, age_range, material_type, disease) AS (
    {sources}
),
cells AS (
    SELECT t.ancestor AS collection_id, s.donor_id, s.sex::text AS sex, s.age_range::text AS age_range,
           s.material_type::text AS material_type, s.disease::text AS disease, count(*) AS samples
    FROM samples s JOIN tree t ON t.descendant = s.collection_id
    GROUP BY 1, 2, 3, 4, 5, 6
),
per_donor AS (
    SELECT collection_id, donor_id, sex,
           CASE WHEN GROUPING(age_range) = 1 THEN '*' ELSE age_range END AS age_range,
           CASE WHEN GROUPING(material_type) = 1 THEN '*' ELSE material_type END AS material_type,
           CASE WHEN GROUPING(disease) = 1 THEN '*' ELSE disease END AS disease,
           sum(samples) AS samples
    FROM cells
    GROUP BY collection_id, donor_id, sex, CUBE(age_range, material_type, disease)
),
counted AS (
    SELECT collection_id, CASE WHEN GROUPING(sex) = 1 THEN '*' ELSE sex END AS sex,
           age_range, material_type, disease, sum(samples) AS samples, count(*) AS donors
    FROM per_donor
    GROUP BY collection_id, age_range, material_type, disease, GROUPING SETS ((sex), ())
)
INSERT INTO catalog_collectionfact
    (collection_id, sex, age_range, material_type, disease, number_of_samples, number_of_donors, computed_at)
SELECT collection_id, sex, age_range, material_type, disease, samples, donors, now() FROM counted
UNION ALL
SELECT c, '*', '*', '*', '*', 0, 0, now()
FROM unnest(%(targets)s::bigint[]) AS c
WHERE NOT EXISTS (SELECT 1 FROM counted WHERE counted.collection_id = c)
"""


def _tree() -> tuple[dict[int, int | None], dict[int, list[int]]]:
    parents: dict[int, int | None] = dict(Collection.objects.values_list("pk", "parent_id"))
    children: dict[int, list[int]] = {}
    for pk, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    return parents, children


def _with_ancestors(ids: Iterable[int], parents: dict[int, int | None]) -> set[int]:
    found: set[int] = set()
    for pk in ids:
        current: int | None = pk
        while current is not None and current in parents and current not in found:
            found.add(current)
            current = parents[current]
    return found


def _pairs(targets: Iterable[int], children: dict[int, list[int]]) -> tuple[list[int], list[int]]:
    ancestors: list[int] = []
    descendants: list[int] = []
    for target in targets:
        stack, seen = [target], set()
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            ancestors.append(target)
            descendants.append(node)
            stack.extend(children.get(node, ()))
    return ancestors, descendants


def sources_sql() -> str:
    parts = [f"({source()})" for _, source in facts_sources()]
    return "\nUNION ALL\n".join(parts) if parts else _EMPTY_SOURCE


def recompute(collection_ids: Iterable[int] | None = None) -> int:
    """Recompute the facts of these collections and their ancestors (all collections with ``None``).

    Returns the number of fact rows written. Runs in (or as) one transaction.
    """
    parents, children = _tree()
    full = collection_ids is None
    targets = sorted(parents) if full else sorted(_with_ancestors(collection_ids or (), parents))
    if not targets:
        return 0
    ancestors, descendants = _pairs(targets, children)
    params = {
        "ancestors": ancestors,
        "descendants": descendants,
        "targets": targets,
        "collections": None if full else sorted(set(descendants)),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        # the per-donor grouping sets are hash tables of a few million rows at 1M specimens: in memory, not spilled
        # (this transaction only; one recompute runs at a time under the advisory lock)
        cursor.execute("SET LOCAL work_mem = '1GB'")
        if full:
            cursor.execute("DELETE FROM catalog_collectionfact")
        else:
            cursor.execute("DELETE FROM catalog_collectionfact WHERE collection_id = ANY(%s::bigint[])", [targets])
        cursor.execute(INSERT_FACTS.format(sources=sources_sql()), params)
        written = cursor.rowcount
    logger.info("Facts recomputed for %d collection(s): %d rows.", len(targets), written)
    return written


def recompute_all() -> int:
    """The nightly full recompute, under the same lock as the incremental one (waits for a running one)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        written = recompute(None)
        FactsRecompute.objects.all().delete()
    return written


def recompute_dirty() -> list[int] | None:
    """Recompute the collections marked stale and clear the marks seen; ``None`` if another run holds the lock."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
            if not cursor.fetchone()[0]:
                return None
        marks = list(FactsRecompute.objects.values_list("collection_id", "requested_at"))
        if not marks:
            return []
        recompute(pk for pk, _ in marks)
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM catalog_factsrecompute f USING unnest(%s::bigint[], %s::timestamptz[]) m(c, at) "
                "WHERE f.collection_id = m.c AND f.requested_at = m.at",
                [[pk for pk, _ in marks], [at for _, at in marks]],
            )
    return sorted(pk for pk, _ in marks)


def mark_stale(collection_ids: Iterable[int]) -> None:
    """Mark collections whose facts must be recomputed (what the database triggers do for specimen changes)."""
    ids = sorted(set(collection_ids))
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalog_factsrecompute (collection_id, requested_at) "
            "SELECT c, clock_timestamp() FROM unnest(%s::bigint[]) c "
            "ON CONFLICT (collection_id) DO UPDATE SET requested_at = EXCLUDED.requested_at",
            [ids],
        )
