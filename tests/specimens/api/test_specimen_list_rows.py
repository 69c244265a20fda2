"""The list's rows, written by PostgreSQL, equal SpecimenSerializer's rendered by DRF, byte for byte: every field,
every shape (placed, aliquot, nulls, odd barcodes, PIDs and times)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer as DrfJSONRenderer
from rest_framework.test import APIRequestFactory

from biobank.api.renderers import JSONRenderer, RenderedRows
from consent.models import Donor
from specimens.api.specimen_list_rows import specimen_list_rows
from specimens.api.specimen_serializers import SpecimenSerializer
from specimens.choices import MAX_BOX_SIDE
from specimens.models import Specimen
from specimens.models.storage import row_label
from specimens.services import specimens_aliquot
from tests.specimens.factories import make_box, make_specimen

pytestmark = pytest.mark.django_db


def _request():
    return APIRequestFactory().get("/api/v1/specimens/", HTTP_HOST="testserver")


def _both(specimens: list[Specimen]) -> tuple[bytes, bytes]:
    """The page as the list writes it, and as DRF writes the serializer's rows."""
    request = _request()
    keys = [specimen.pk for specimen in specimens]
    lean = specimen_list_rows(keys, request)
    instances = Specimen.objects.select_related("biobank", "collection", "donor", "box", "parent").in_bulk(keys)
    full = SpecimenSerializer([instances[key] for key in keys], many=True, context={"request": request}).data
    page = {"next": None, "previous": None}
    return JSONRenderer().render({**page, "results": lean}), DrfJSONRenderer().render({**page, "results": full})


def test_rows_equal_the_serializer_for_primary_placed_aliquot_and_empty_values(biobank_a, collection, donor):
    box = make_box(biobank_a)
    placed = make_specimen(collection=collection, donor=donor, quantity="2.5", unit="mL")
    Specimen.objects.filter(pk=placed.pk).update(box=box, box_row=3, box_column=7, concentration=Decimal("1.25"))
    aliquot = specimens_aliquot(actor=None, parent=placed, count=1, quantity="0.5", unit="mL")[0]
    bare = make_specimen(collection=collection, donor=donor, facts={"collected_at": timezone.now() - timedelta(days=2)})
    specimens = [aliquot, Specimen.objects.get(pk=placed.pk), bare]

    lean, full = _both(specimens)

    assert lean == full
    rows = specimen_list_rows([specimen.pk for specimen in specimens], _request())
    assert list(rows[0]) == list(SpecimenSerializer().fields)  # the serializer's keys, in its order
    assert rows[1]["position"] == {"box": box.code, "box_id": box.pk, "row": 3, "column": 7, "label": "C7"}
    assert rows[0]["parent"] == placed.barcode and rows[2]["position"] is None
    assert rows[1]["quantity"] == "2.0000" and rows[1]["concentration"] == "1.2500"


def test_keys_give_the_order_and_missing_keys_are_left_out(collection, donor):
    first, second = make_specimen(collection=collection, donor=donor), make_specimen(collection=collection, donor=donor)

    rows = specimen_list_rows([second.pk, 999_999_999, first.pk], _request())

    assert [row["barcode"] for row in rows] == [second.barcode, first.barcode]
    assert specimen_list_rows([], _request()) == []


def test_the_url_without_a_request_is_the_path(collection, donor):
    specimen = make_specimen(collection=collection, donor=donor)

    assert specimen_list_rows([specimen.pk], None)[0]["url"] == f"/api/v1/specimens/{specimen.barcode}/"


@pytest.mark.parametrize("barcode", ["A/../B", "A/./B", "A/.", "A/..", ".", "..", "A/../../../x", "A\nB", "a b/%/é"])
def test_barcodes_whose_url_is_resolved_or_quoted_get_the_serializer_s_url(collection, donor, barcode):
    specimen = make_specimen(collection=collection, donor=donor)
    Specimen.objects.filter(pk=specimen.pk).update(barcode=barcode)
    request = _request()

    url = specimen_list_rows([specimen.pk], request)[0]["url"]

    if "\n" in barcode:  # no route holds a newline (the serializer raises): quoted, never a 500
        assert url == "http://testserver/api/v1/specimens/A%0AB/"
    else:
        assert url == SpecimenSerializer(Specimen.objects.get(pk=specimen.pk), context={"request": request}).data["url"]


def test_every_row_label_a_box_row_can_have_is_python_s():
    with connection.cursor() as cursor:
        cursor.execute("SELECT n, specimens_row_label(n) FROM generate_series(1, 32767) AS n")  # smallint's range
        labels = cursor.fetchall()

    assert labels == [(n, row_label(n)) for n in range(1, 32768)]


BARCODE = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda text: text.strip() == text)
# the characters of a barcode the url keeps as they are, and a few it must quote
PLAIN_BARCODE = st.text(alphabet="AZaz09_.-~!$&'()*+,;=/:@%?# \u2028\"\\", min_size=1, max_size=12).filter(
    lambda text: text.strip() == text
)
TIME = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
) | st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)).map(
    lambda moment: moment.replace(microsecond=0)
)
PID = st.text(alphabet="ABCDEFGHJKMNPQRSTVWXYZ0123456789-", min_size=1, max_size=16)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    barcode=BARCODE | PLAIN_BARCODE,
    quantity=st.decimals(min_value=Decimal("0.0001"), max_value=9999, places=4),
    concentration=st.none() | st.decimals(min_value=Decimal("-9999"), max_value=9999, places=4),
    thaws=st.integers(0, 40),
    times=st.tuples(st.none() | TIME, st.none() | TIME, TIME, TIME),  # collected and received may be unknown
    position=st.none() | st.tuples(st.integers(1, MAX_BOX_SIDE), st.integers(1, MAX_BOX_SIDE)),  # the box's cells
    pid=st.none() | PID,
    unit=st.sampled_from(["mL", "µg", "x\u2028y", 'a"b\\c\n']),
)
def test_any_values_give_the_serializer_s_bytes(
    biobank_a, collection, donor, barcode, quantity, concentration, thaws, times, position, pid, unit
):
    specimen = make_specimen(collection=collection, donor=donor, quantity=str(quantity), unit="mL")
    box = make_box(biobank_a, rows=MAX_BOX_SIDE, columns=MAX_BOX_SIDE) if position else None
    Specimen.objects.filter(pk=specimen.pk).update(
        barcode=barcode, freeze_thaw_count=thaws, concentration=concentration, concentration_unit=unit,
        collected_at=times[0], received_at=times[1], created_at=times[2], updated_at=times[3],
        box=box, box_row=position[0] if position else None, box_column=position[1] if position else None,
    )  # fmt: skip
    if pid is not None:
        Donor.objects.filter(pk=donor.pk).update(pid=pid)

    lean, full = _both([Specimen.objects.get(pk=specimen.pk)])

    assert lean == full
    # free the barcode and the cell for the next example
    Specimen.objects.filter(pk=specimen.pk).update(barcode=f"done-{specimen.pk}", box=None,
                                                   box_row=None, box_column=None)  # fmt: skip


def test_the_rows_read_as_a_list_of_dicts(collection, donor):
    specimen = make_specimen(collection=collection, donor=donor)

    rows = specimen_list_rows([specimen.pk], _request())

    assert isinstance(rows, RenderedRows) and len(rows) == 1
    assert rows == [json_row for json_row in rows] and rows[0]["barcode"] == specimen.barcode
