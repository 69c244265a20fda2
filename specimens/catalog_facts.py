"""The inventory as a source of the catalogue's collection facts (``catalog.facts.sources``), in SQL.

One row per counted **sample**: one donor, one sample type (the MIABIS type in ``Specimen.material_type``) and one
collection time, however many aliquots it was split into. What counts:

- specimens ``available`` or ``reserved``: material the biobank holds and may offer. Distributed, consumed and
  destroyed material is gone; ``consent_blocked`` material (a withdrawal) is not counted, so a withdrawn donor's
  specimens leave the facts with the recompute that follows the block;
- aliquots, derivatives and pools count like any specimen (a pool is of one donor, docs/specimens.md): an aliquot
  or pool carries its parent's collection time and type, so it is the same sample; a derivative of another type
  (plasma, DNA from blood) is another sample; donors merged into another are not counted (their specimens moved);
- a specimen without a collection time is its own sample (its aliquots with it: the key is then the parent).

Dimensions: ``sex`` from the donor (Directory.SexTypes); ``age_range`` at collection from the donor's birth year and
month and the specimen's collection time (UTC): months = 12 x (years between) + (months between), a missing birth
month taken as July (mid-year); 0-1 month Newborn, 2-23 months Infant, 2-12 years Child, 13-17 Adolescent, 18-24
Young Adult, 25-44 Adult, 45-64 Middle-aged, 65-79 "Aged (65-79 years)", 80 and older "Aged (>80 years)";
``Unknown`` without a birth year or collection time (or a collection time before birth). ``material_type``: the
MIABIS sample type through the crosswalk ``sample_type_v11_to_directory_material`` (a ``VALUES`` table), OTHER if
unmapped. ``disease``: the specimen's ``diagnosis`` ('' when none; of a sample's specimens the first non-empty).
"""

from __future__ import annotations

from functools import lru_cache

from catalog import vocabularies

from .choices import SpecimenStatus

COUNTED_STATUSES = (SpecimenStatus.AVAILABLE.value, SpecimenStatus.RESERVED.value)
SEX_TO_DIRECTORY = {"male": "MALE", "female": "FEMALE", "undifferentiated": "UNDIFFERENTIAL", "unknown": "UNKNOWN"}
# (upper bound in months, exclusive; Directory.AgeRanges code)
AGE_RANGES = (
    (2, "Newborn"),
    (24, "Infant"),
    (13 * 12, "Child"),
    (18 * 12, "Adolescent"),
    (25 * 12, "Young Adult"),
    (45 * 12, "Adult"),
    (65 * 12, "Middle-aged"),
    (80 * 12, "Aged (65-79 years)"),
)
AGED_80 = "Aged (>80 years)"
UNKNOWN_AGE = "Unknown"
BIRTH_MONTH_UNKNOWN = 7


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@lru_cache(maxsize=1)
def facts_source_sql() -> str:
    materials = vocabularies.crosswalks()["sample_type_v11_to_directory_material"]
    values = ", ".join(
        f"({_literal(miabis)}, {_literal(directory)})" for miabis, directory in sorted(materials.items())
    )
    sex = " ".join(f"WHEN {_literal(k)} THEN {_literal(v)}" for k, v in SEX_TO_DIRECTORY.items())
    # m once per row (a CASE over m would have the planner repeat its expression in every WHEN): width_bucket gives
    # 0 below 0 months (Unknown), i for [bound i-1, bound i), len(AGE_RANGES) + 1 from the last bound (80 and over)
    bounds = ", ".join(["0", *(str(bound) for bound, _ in AGE_RANGES)])
    labels = ", ".join(_literal(code) for code in (UNKNOWN_AGE, *(code for _, code in AGE_RANGES), AGED_80))
    statuses = ", ".join(_literal(s) for s in COUNTED_STATUSES)
    # Only constants of this module and the shipped crosswalk, quoted by _literal; the one parameter stays %(...)s.
    # the samples first, from the specimens alone (narrow keys); then the donor, the crosswalk and the age
    return f"""
SELECT k.collection_id, d.id AS donor_id,
    CASE d.sex {sex} ELSE 'UNKNOWN' END AS sex,
    coalesce((ARRAY[{labels}])[width_bucket(m, ARRAY[{bounds}]) + 1], {_literal(UNKNOWN_AGE)}) AS age_range,
    coalesce(x.directory, 'OTHER') AS material_type,
    k.disease
FROM (
    SELECT s.collection_id, s.donor_id, s.material_type, s.collected_at,
        coalesce(min(nullif(s.diagnosis, '')), '') AS disease
    FROM specimens_specimen s
    WHERE s.status IN ({statuses})
      AND (%(collections)s::bigint[] IS NULL OR s.collection_id = ANY(%(collections)s::bigint[]))
    GROUP BY s.collection_id, s.donor_id, s.material_type, s.collected_at,
        CASE WHEN s.collected_at IS NULL THEN coalesce(s.parent_id, s.id) END
) k
JOIN consent_donor d ON d.id = k.donor_id AND d.merged_into_id IS NULL
LEFT JOIN (VALUES {values}) x(miabis, directory) ON x.miabis = k.material_type
CROSS JOIN LATERAL (
    SELECT (extract(year FROM k.collected_at AT TIME ZONE 'UTC')::int - d.birth_year) * 12
        + extract(month FROM k.collected_at AT TIME ZONE 'UTC')::int
        - coalesce(d.birth_month, {BIRTH_MONTH_UNKNOWN}) AS m
) age
"""  # noqa: S608


def facts_changed() -> None:
    """Call after writing specimens: the triggers have marked the collections, this has them recomputed after commit
    (debounced; ``catalog.facts.tasks``)."""
    from catalog.facts.tasks import schedule_recompute

    schedule_recompute()


def register() -> None:
    from catalog.facts.sources import register_facts_source

    register_facts_source("specimens", facts_source_sql)
