"""The inventory's facts source: one row per sample, the age ranges at their boundaries, sex and material codes,
which statuses count."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection

from specimens.catalog_facts import facts_source_sql
from tests.catalog.facts.inventory import Person, Tube, add_donors, add_tubes
from tests.specimens.factories import make_collection

pytestmark = pytest.mark.django_db
AT = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def source_rows(collection) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(facts_source_sql(), {"collections": [collection.pk]})
        return sorted(row[2:] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        ((2026, 6), "Newborn"),
        ((2026, 5), "Newborn"),  # 1 month
        ((2026, 4), "Infant"),  # 2 months
        ((2024, 7), "Infant"),  # 23 months
        ((2024, 6), "Child"),  # 24 months = 2 years
        ((2013, 7), "Child"),  # 12 years 11 months
        ((2013, 6), "Adolescent"),  # 13 years
        ((2008, 6), "Young Adult"),  # 18
        ((2001, 7), "Young Adult"),  # 24 years 11 months
        ((2001, 6), "Adult"),  # 25
        ((1981, 6), "Middle-aged"),  # 45
        ((1961, 6), "Aged (65-79 years)"),  # 65
        ((1946, 7), "Aged (65-79 years)"),  # 79 years 11 months
        ((1946, 6), "Aged (>80 years)"),  # 80: the ">80" range
        ((1920, 1), "Aged (>80 years)"),
        ((None, None), "Unknown"),
        ((2027, 1), "Unknown"),  # collected before birth: a data error, not a newborn
        ((1996, None), "Adult"),  # 30, birth month unknown (July)
        ((2026, None), "Unknown"),  # June 2026 before "July 2026": unknown rather than a guess
    ],
)
def test_age_range_at_collection(biobank_a, born, expected):
    collection = make_collection(biobank_a)
    donors = add_donors(biobank_a, [Person("female", *born)])
    add_tubes(biobank_a, [collection], donors, [Tube(0, 0, "Serum", AT)])
    assert source_rows(collection) == [("FEMALE", expected, "SERUM", "")]


def test_without_a_collection_time_the_age_is_unknown(biobank_a):
    collection = make_collection(biobank_a)
    donors = add_donors(biobank_a, [Person("male", 1980, 3)])
    add_tubes(biobank_a, [collection], donors, [Tube(0, 0, "Plasma", None, aliquots=3), Tube(0, 0, "Plasma", None)])
    # two tubes without a time: two samples (each with its aliquots)
    assert source_rows(collection) == [("MALE", "Unknown", "PLASMA", "")] * 2


def test_sex_and_material_codes_and_counted_statuses(biobank_a):
    collection = make_collection(biobank_a)
    donors = add_donors(
        biobank_a,
        [
            Person("male", 1980, 1),
            Person("female", 1980, 1),
            Person("undifferentiated", 1980, 1),
            Person("unknown", 1980, 1),
        ],
    )
    tubes = [
        Tube(0, 0, "Tissue (FFPE)", AT, diagnosis="C50"),
        Tube(0, 1, "Cord blood", AT, status="reserved"),
        Tube(0, 2, "Bile", AT),
        Tube(0, 3, "something else", AT),
        *(Tube(0, 0, "Serum", AT, status=s) for s in ("consumed", "destroyed", "distributed", "consent_blocked")),
    ]
    add_tubes(biobank_a, [collection], donors, tubes)
    assert source_rows(collection) == sorted(
        [
            ("MALE", "Middle-aged", "TISSUE_PARAFFIN_EMBEDDED", "C50"),
            ("FEMALE", "Middle-aged", "WHOLE_BLOOD", ""),
            ("UNDIFFERENTIAL", "Middle-aged", "OTHER", ""),
            ("UNKNOWN", "Middle-aged", "OTHER", ""),
        ]
    )


def test_one_row_per_sample_whatever_the_aliquots(biobank_a):
    collection = make_collection(biobank_a)
    donors = add_donors(biobank_a, [Person("female", 1970, 5)])
    add_tubes(
        biobank_a,
        [collection],
        donors,
        [Tube(0, 0, "Serum", AT, aliquots=5), Tube(0, 0, "Serum", AT, diagnosis="K51"), Tube(0, 0, "DNA", AT)],
    )
    # the two serum tubes of one time are one sample; its diagnosis is the one recorded
    assert source_rows(collection) == [("FEMALE", "Middle-aged", "DNA", ""), ("FEMALE", "Middle-aged", "SERUM", "K51")]
