"""The SQL engine against the independent reference model (tests/catalog/facts/inventory.py) over random
inventories: donors of any sex and birth date, tubes with aliquots in a parent and a sub-collection, any status."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.facts.engine import recompute
from catalog.facts.privacy import K_ANONYMITY
from tests.catalog.factories import make_collection
from tests.catalog.facts.inventory import ANY, Person, Tube, add_donors, add_tubes, expected_rows, stored_rows

pytestmark = pytest.mark.django_db

MATERIALS = ["Serum", "Plasma", "DNA", "Tissue (FFPE)", "Cord blood", "Whole blood", "Bile", "not a MIABIS type"]
STATUSES = ["available", "reserved", "consumed", "destroyed", "distributed", "consent_blocked"]

people = st.builds(
    Person,
    sex=st.sampled_from(["male", "female", "undifferentiated", "unknown"]),
    birth_year=st.one_of(st.none(), st.integers(1925, 2025)),
    birth_month=st.one_of(st.none(), st.integers(1, 12)),
).map(lambda p: p if p.birth_year is not None else Person(p.sex, None, None))
times = st.one_of(
    st.none(),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2026, 12, 1)).map(
        lambda t: t.replace(tzinfo=UTC, second=0, microsecond=0)
    ),
)


@st.composite
def inventories(draw):
    donors = draw(st.lists(people, min_size=1, max_size=14))
    shared_times = draw(st.lists(times, min_size=1, max_size=4))
    tubes = draw(
        st.lists(
            st.builds(
                Tube,
                collection=st.integers(0, 2),
                donor=st.integers(0, len(donors) - 1),
                material=st.sampled_from(MATERIALS),
                collected_at=st.sampled_from(shared_times),
                status=st.sampled_from(STATUSES),
                diagnosis=st.sampled_from(["", "", "C18", "C50", "ORPHA:558"]),
                aliquots=st.integers(0, 2),
            ),
            max_size=30,
        )
    )
    return donors, tubes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(inventory=inventories())
def test_engine_matches_the_reference_model(biobank_a, inventory):
    donors, tubes = inventory
    with transaction.atomic():
        parent = make_collection(biobank_a, code="parent", name="Parent")
        child = make_collection(biobank_a, code="child", name="Child")
        child.parent = parent
        child.save(update_fields=["parent"])
        other = make_collection(biobank_a, code="other", name="Other")
        collections = [parent, child, other]
        add_tubes(biobank_a, collections, add_donors(biobank_a, donors), tubes)
        recompute([c.pk for c in collections])
        index = {c.pk: n for n, c in enumerate(collections)}
        got = {(index[key[0]], *key[1:]): value for key, value in stored_rows(index).items()}
        expected = expected_rows(donors, tubes, parents={0: None, 1: 0, 2: None})
        assert got == expected
        for collection in range(3):
            totals = [v for k, v in got.items() if k[0] == collection and k[1:] == (ANY, ANY, ANY, ANY)]
            assert len(totals) == 1
        assert all(0 <= donors_ <= samples for samples, donors_ in got.values())
        assert K_ANONYMITY == 10
        transaction.set_rollback(True)
