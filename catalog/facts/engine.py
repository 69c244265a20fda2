"""Recompute collection facts in SQL: the Directory's star model from the registered sources of samples.

For each collection recomputed, in one transaction: its rows are deleted and the new ones inserted, so a reader sees
the old facts or the new ones, never a mix.

- The samples of a collection include those of its sub-collections (the Directory counts a parent's size with its
  sub-collections; a donor in both is one donor). Recomputing a collection therefore recomputes its ancestors too.
- In five statements over temporary tables: the samples of the recomputed collections (``facts_samples``, the
  sources joined to the collection tree); their distinct dimension values coded as integers (``facts_dims``); one row
  per collection, donor, sex and cell (age range, material type, disease packed into one bigint) with its samples
  (``facts_cells``); then donor **signatures**: donors of a collection and sex with the same set of cells count
  alike in every grouping set, so each distinct set is kept once with its number of donors (``facts_signatures``,
  6,132 rows for 100,000 donors in the 1M benchmark). Distinct donors per cell are then ``GROUP BY sig, CUBE(age range,
  material type, disease)`` over the signatures' cells (each signature's donors once per cell it reaches), summed
  per cell — no ``count(DISTINCT)`` and no per-donor grouping sets. Samples are the ``CUBE`` of the per-cell sums.
  Sex is the donor's, so a donor is in one sex only and "any sex" (``*``) is the sum over the sexes of the per-sex
  counts. A rolled-up dimension is ``*`` (code 0 before decoding).
- Every recomputed collection gets exactly one all-``*`` row, ``0``/``0`` when it has no samples.
- ``recompute_dirty`` works off the ``FactsRecompute`` marks (set by triggers in the transaction of a change) under
  an advisory lock, so two runs never do the same work twice; it deletes only the marks it saw (a mark renewed
  meanwhile stays for the next run).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import connection, transaction

from biobank.pg import planner_settings

from ..models import Collection, FactsRecompute
from .sources import facts_sources

logger = logging.getLogger(__name__)

ANY = "*"
LOCK_KEY = 0x0FAC75  # pg advisory lock: one facts recompute at a time

_EMPTY_SOURCE = (
    "SELECT NULL::bigint AS collection_id, NULL::bigint AS donor_id, ''::text AS sex, ''::text AS age_range, "
    "''::text AS material_type, ''::text AS disease WHERE false"
)

# The recompute runs as five statements over temporary tables (dropped at the end of the recompute; ANALYZEd so the
# planner sees their real sizes). Dimensions are coded as integers once (``facts_dims``) so every later grouping
# hashes integers, not text; a cell (age range, material type, disease) is one bigint.
CREATE_SAMPLES = """
CREATE TEMP TABLE facts_samples ON COMMIT DROP AS
WITH tree(ancestor, descendant) AS (
    SELECT * FROM unnest(%(ancestors)s::bigint[], %(descendants)s::bigint[])
),
samples(collection_id, donor_id, sex, age_range, material_type, disease) AS (
    {sources}
)
SELECT t.ancestor AS collection_id, s.donor_id, s.sex::text AS sex, s.age_range::text AS age_range,
       s.material_type::text AS material_type, s.disease::text AS disease
FROM samples s JOIN tree t ON t.descendant = s.collection_id
"""

CREATE_DIMS = """
CREATE TEMP TABLE facts_dims ON COMMIT DROP AS
SELECT sex, age_range, material_type, disease,
       dense_rank() OVER (ORDER BY sex) AS sx, dense_rank() OVER (ORDER BY age_range) AS ag,
       dense_rank() OVER (ORDER BY material_type) AS mt, dense_rank() OVER (ORDER BY disease) AS ds
FROM (SELECT DISTINCT sex, age_range, material_type, disease FROM facts_samples) d
"""

# one row per donor and cell with its samples; a cell is (age << 40 | material << 24 | disease), 0 = rolled up
CREATE_CELLS = """
CREATE TEMP TABLE facts_cells ON COMMIT DROP AS
SELECT s.collection_id AS c, s.donor_id AS dn, d.sx, (d.ag << 40) | (d.mt << 24) | d.ds AS cell, count(*) AS n
FROM facts_samples s
JOIN facts_dims d ON (d.sex, d.age_range, d.material_type, d.disease)
    = (s.sex, s.age_range, s.material_type, s.disease)
GROUP BY 1, 2, 3, 4
"""

# donors of a collection and sex with the same set of cells count the same in every grouping set: one row per
# distinct set (a "signature") with the number of donors having it
CREATE_SIGNATURES = """
CREATE TEMP TABLE facts_signatures ON COMMIT DROP AS
SELECT row_number() OVER () AS sig, c, sx, cells, donors
FROM (
    SELECT c, sx, cells, count(*) AS donors
    FROM (SELECT c, sx, array_agg(cell ORDER BY cell) AS cells FROM facts_cells GROUP BY c, dn, sx) per_donor
    GROUP BY c, sx, cells
) g
"""

INSERT_FACTS = """
WITH expanded AS (
    SELECT sig, c, sx, donors, cell >> 40 AS ag, (cell >> 24) & 65535 AS mt, cell & 16777215 AS ds
    FROM facts_signatures, unnest(cells) AS cell
),
per_signature AS (
    SELECT c, sx, coalesce(ag, 0) AS ag, coalesce(mt, 0) AS mt, coalesce(ds, 0) AS ds, donors
    FROM expanded
    GROUP BY sig, c, sx, donors, CUBE(ag, mt, ds)
),
donor_counts AS (
    SELECT c, sx, ag, mt, ds, sum(donors) AS donors FROM per_signature GROUP BY c, sx, ag, mt, ds
),
per_cell AS (
    SELECT c, sx, cell >> 40 AS ag, (cell >> 24) & 65535 AS mt, cell & 16777215 AS ds, sum(n) AS samples
    FROM facts_cells GROUP BY c, sx, cell
),
sample_counts AS (
    SELECT c, sx, coalesce(ag, 0) AS ag, coalesce(mt, 0) AS mt, coalesce(ds, 0) AS ds, sum(samples) AS samples
    FROM per_cell
    GROUP BY c, sx, CUBE(ag, mt, ds)
),
per_sex AS MATERIALIZED (
    SELECT c, sx, ag, mt, ds, samples, donors FROM sample_counts JOIN donor_counts USING (c, sx, ag, mt, ds)
),
counted AS (
    SELECT * FROM per_sex
    UNION ALL
    SELECT c, 0, ag, mt, ds, sum(samples), sum(donors) FROM per_sex GROUP BY c, ag, mt, ds
)
INSERT INTO catalog_collectionfact
    (collection_id, sex, age_range, material_type, disease, number_of_samples, number_of_donors, computed_at)
SELECT k.c, coalesce(sx.sex, '*'), coalesce(ag.age_range, '*'), coalesce(mt.material_type, '*'),
       coalesce(ds.disease, '*'), k.samples, k.donors, now()
FROM counted k
LEFT JOIN (SELECT DISTINCT sx, sex FROM facts_dims) sx ON sx.sx = k.sx
LEFT JOIN (SELECT DISTINCT ag, age_range FROM facts_dims) ag ON ag.ag = k.ag
LEFT JOIN (SELECT DISTINCT mt, material_type FROM facts_dims) mt ON mt.mt = k.mt
LEFT JOIN (SELECT DISTINCT ds, disease FROM facts_dims) ds ON ds.ds = k.ds
UNION ALL
SELECT t.target, '*', '*', '*', '*', 0, 0, now()
FROM unnest(%(targets)s::bigint[]) AS t(target)
WHERE NOT EXISTS (SELECT 1 FROM facts_cells f WHERE f.c = t.target)
"""

TEMP_TABLES = ("facts_samples", "facts_dims", "facts_cells", "facts_signatures")


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
    # The groupings are hash tables of up to a million rows at 1M specimens: in memory, not spilled (these statements
    # only; one recompute runs at a time under the advisory lock). JIT compiling these statements costs seconds and
    # gains nothing on a few hundred thousand rows.
    with transaction.atomic(), connection.cursor() as cursor, planner_settings(cursor, work_mem="1GB", jit="off"):
        if full:
            cursor.execute("DELETE FROM catalog_collectionfact")
        else:
            cursor.execute("DELETE FROM catalog_collectionfact WHERE collection_id = ANY(%s::bigint[])", [targets])
        cursor.execute(CREATE_SAMPLES.format(sources=sources_sql()), params)
        cursor.execute(CREATE_DIMS)
        cursor.execute(CREATE_CELLS)
        cursor.execute("ANALYZE facts_cells")
        cursor.execute(CREATE_SIGNATURES)
        cursor.execute("ANALYZE facts_signatures")
        cursor.execute(INSERT_FACTS, params)
        written = cursor.rowcount
        cursor.execute(f"DROP TABLE {', '.join(TEMP_TABLES)}")
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
