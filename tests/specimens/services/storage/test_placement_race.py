"""Two technicians scan two tubes into one cell at the same moment: one wins, the other gets a 409 naming the cell.

A real race: two threads, each with its own database connection and transaction, released together by a barrier.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from biobank.errors import ConflictError
from specimens.models import Specimen, SpecimenEvent
from specimens.services import specimen_place
from tests.specimens.factories import make_storage_box, stock_specimen

pytestmark = pytest.mark.django_db(transaction=True)


def _race(box, specimens) -> list[object]:
    barrier = threading.Barrier(len(specimens))
    results: list[object] = [None] * len(specimens)

    def place(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = specimen_place(actor=None, specimen=specimens[index], box=box, row=2, column=3)
        except Exception as error:  # the loser's error is the result under test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=place, args=(index,)) for index in range(len(specimens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.parametrize("contenders", [2, 4])
def test_concurrent_placements_into_one_cell_leave_exactly_one_winner(biobank_a, contenders):
    box = make_storage_box(biobank_a, rows=9, columns=9, code="RACE")
    specimens = [stock_specimen(biobank_a, barcode=f"RACE-{n}") for n in range(contenders)]

    results = _race(box, specimens)

    winners = [r for r in results if isinstance(r, Specimen)]
    losers = [r for r in results if isinstance(r, ConflictError)]
    assert (len(winners), len(losers)) == (1, contenders - 1), results
    assert all(loser.status_code == 409 for loser in losers)
    assert all(str(loser) == "Position B3 of box RACE is already occupied; choose a free cell." for loser in losers)
    assert list(Specimen.objects.filter(box=box).values_list("barcode", flat=True)) == [winners[0].barcode]
    # the loser's event rolled back with its transaction: one "stored" event in all
    assert SpecimenEvent.objects.filter(type="stored").count() == 1
