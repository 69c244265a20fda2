"""The list's lean rows equal SpecimenSerializer's: every field, every shape (placed, aliquot, nulls, odd barcodes)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIRequestFactory

from specimens.api.specimen_list_rows import specimen_list_rows
from specimens.api.specimen_serializers import SpecimenSerializer
from specimens.models import Specimen
from specimens.services import specimens_aliquot
from tests.specimens.factories import make_box, make_specimen

pytestmark = pytest.mark.django_db


def _request():
    return APIRequestFactory().get("/api/v1/specimens/", HTTP_HOST="testserver")


def _both(specimens: list[Specimen]) -> tuple[list[dict], list[dict]]:
    request = _request()
    keys = [specimen.pk for specimen in specimens]
    lean = specimen_list_rows(Specimen.objects.all(), keys, request)
    instances = Specimen.objects.select_related("biobank", "collection", "donor", "box", "parent").in_bulk(keys)
    full = SpecimenSerializer([instances[key] for key in keys], many=True, context={"request": request}).data
    return lean, [dict(row) for row in full]


def test_rows_equal_the_serializer_for_primary_placed_aliquot_and_empty_values(biobank_a, collection, donor):
    box = make_box(biobank_a)
    placed = make_specimen(collection=collection, donor=donor, quantity="2.5", unit="mL")
    Specimen.objects.filter(pk=placed.pk).update(box=box, box_row=3, box_column=7, concentration=Decimal("1.25"))
    aliquot = specimens_aliquot(actor=None, parent=placed, count=1, quantity="0.5", unit="mL")[0]
    bare = make_specimen(collection=collection, donor=donor, facts={"collected_at": timezone.now() - timedelta(days=2)})
    specimens = [aliquot, Specimen.objects.get(pk=placed.pk), bare]

    lean, full = _both(specimens)

    assert lean == full
    assert list(lean[0]) == list(full[0])  # the same keys in the same order
    assert lean[1]["position"] == {"box": box.code, "box_id": box.pk, "row": 3, "column": 7, "label": "C7"}
    assert lean[0]["parent"] == placed.barcode and lean[2]["position"] is None


def test_keys_give_the_order_and_missing_keys_are_left_out(collection, donor):
    first, second = make_specimen(collection=collection, donor=donor), make_specimen(collection=collection, donor=donor)

    rows = specimen_list_rows(Specimen.objects.all(), [second.pk, 999_999_999, first.pk], _request())

    assert [row["barcode"] for row in rows] == [second.barcode, first.barcode]


def test_only_the_given_queryset_is_read(collection, donor):
    specimen = make_specimen(collection=collection, donor=donor)

    assert specimen_list_rows(Specimen.objects.none(), [specimen.pk], _request()) == []


BARCODE = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda text: text.strip() == text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    barcode=BARCODE,
    quantity=st.decimals(min_value=Decimal("0.0001"), max_value=9999, places=4),
    thaws=st.integers(0, 40),
)
def test_any_barcode_and_values_give_the_serializer_s_row(collection, donor, barcode, quantity, thaws):
    specimen = make_specimen(collection=collection, donor=donor, quantity=str(quantity), unit="mL")
    Specimen.objects.filter(pk=specimen.pk).update(barcode=barcode, freeze_thaw_count=thaws)

    lean, full = _both([Specimen.objects.get(pk=specimen.pk)])

    assert lean == full
    Specimen.objects.filter(pk=specimen.pk).update(barcode=f"done-{specimen.pk}")  # free for the next example
