"""Mass balance through aliquots, derivatives and pools, against an independent reference model (hypothesis).

The model keeps what is left of every specimen in the base unit of its dimension as exact fractions and knows
only the rules: an amount can be taken while the specimen is in stock and has at least that much left; taking
everything consumes it. The services must accept and refuse exactly what the model does, leave the same amounts,
and keep ``initial = left + Σ taken by children`` for every specimen, in the database.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from biobank.errors import DomainError
from specimens.models import Specimen, SpecimenSource
from specimens.services import specimen_derive, specimen_pool, specimens_aliquot
from tests.accounts.factories import make_biobank
from tests.specimens.factories import make_collection, make_specimen

pytestmark = pytest.mark.django_db

# µL per unit: written out here, not read from the code under test.
MICROLITRES = {"uL": Fraction(1), "mL": Fraction(1000)}

amounts = st.decimals(min_value=Decimal("0.0005"), max_value=Decimal("4"), places=4)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("aliquot"), st.integers(0, 30), st.integers(1, 4), amounts, st.sampled_from(["mL", "uL"])),
        st.tuples(st.just("derive"), st.integers(0, 30), amounts, st.sampled_from(["mL", "uL"])),
        st.tuples(st.just("pool"), st.integers(0, 30), st.integers(0, 30), amounts, amounts),
    ),
    min_size=1,
    max_size=12,
)


class Model:
    def __init__(self) -> None:
        self.left: dict[int, Fraction] = {}
        self.in_stock: dict[int, bool] = {}

    def add(self, pk: int, microlitres: Fraction) -> None:
        self.left[pk], self.in_stock[pk] = microlitres, True

    def can_take(self, pk: int, microlitres: Fraction, unit: str = "mL") -> bool:
        """In stock, enough left, and the amount expressible in the specimen's unit to four decimal places."""
        in_unit = microlitres / MICROLITRES[unit]
        return self.in_stock[pk] and microlitres <= self.left[pk] and (in_unit * 10_000).denominator == 1

    def take(self, pk: int, microlitres: Fraction) -> None:
        self.left[pk] -= microlitres
        if self.left[pk] == 0:
            self.in_stock[pk] = False


def _ul(amount: Decimal, unit: str) -> Fraction:
    return Fraction(amount) * MICROLITRES[unit]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.decimals(min_value=Decimal("0.5"), max_value=Decimal("10"), places=3), ops=operations)
def test_services_take_exactly_what_the_model_allows_and_the_books_balance(start, ops):
    biobank = make_biobank()
    primary = make_specimen(collection=make_collection(biobank), quantity=start, unit="mL", sample_type="BLD")
    model = Model()
    model.add(primary.pk, _ul(start, "mL"))
    specimens = [primary]
    for op in ops:
        parent = specimens[op[1] % len(specimens)]
        if op[0] == "aliquot":
            _, _, count, amount, unit = op
            allowed = model.can_take(parent.pk, _ul(amount, unit) * count, parent.unit) and (
                (_ul(amount, unit) / MICROLITRES[parent.unit] * 10_000).denominator == 1
            )
            try:
                children = specimens_aliquot(actor=None, parent=parent, count=count, quantity=amount, unit=unit)
            except DomainError:
                assert not allowed, op
                continue
            assert allowed, op
            model.take(parent.pk, _ul(amount, unit) * count)
            for child in children:
                model.add(child.pk, _ul(amount, unit))
            specimens += children
        elif op[0] == "derive":
            _, _, amount, unit = op
            allowed = model.can_take(parent.pk, _ul(amount, unit), parent.unit)
            try:
                child = specimen_derive(
                    actor=None,
                    parent=parent,
                    sample_type="PL1",
                    used_quantity=amount,
                    used_unit=unit,
                    quantity=amount,
                    unit=unit,
                )
            except DomainError:
                assert not allowed, op
                continue
            assert allowed, op
            model.take(parent.pk, _ul(amount, unit))
            model.add(child.pk, _ul(amount, unit))
            specimens.append(child)
        else:
            _, _, other_index, first_amount, second_amount = op
            other = specimens[other_index % len(specimens)]
            same_kind = parent.sample_type == other.sample_type and parent.pk != other.pk
            allowed = (
                same_kind
                and model.can_take(parent.pk, _ul(first_amount, "mL"), parent.unit)
                and model.can_take(other.pk, _ul(second_amount, "mL"), other.unit)
            )
            try:
                pool = specimen_pool(actor=None, parts=[(parent, first_amount, "mL"), (other, second_amount, "mL")])
            except DomainError:
                assert not allowed, op
                continue
            assert allowed, op
            model.take(parent.pk, _ul(first_amount, "mL"))
            model.take(other.pk, _ul(second_amount, "mL"))
            model.add(pool.pk, _ul(first_amount, "mL") + _ul(second_amount, "mL"))
            specimens.append(pool)
        specimens = [Specimen.objects.get(pk=s.pk) for s in specimens]

    for specimen in Specimen.objects.filter(pk__in=[s.pk for s in specimens]):
        assert _ul(specimen.quantity, specimen.unit) == model.left[specimen.pk]
        assert (specimen.status != "consumed") == model.in_stock[specimen.pk]
        taken = SpecimenSource.objects.filter(parent=specimen).aggregate(total=Sum("used_quantity"))["total"] or 0
        assert specimen.initial_quantity == specimen.quantity + taken
