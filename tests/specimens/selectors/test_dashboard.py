"""The specimens app's dashboard loaders: figures of the asked biobanks only, and only where the person may look."""

import pytest
from django.utils import timezone

from specimens.models import Specimen
from specimens.selectors.dashboard import freezers_by_biobank, inventory_by_biobank, worklist_counts_by_biobank
from tests.specimens.factories import make_specimen, make_storage_box

pytestmark = pytest.mark.django_db


def test_a_biobank_the_person_may_not_see_yields_no_figures_even_when_asked_for(admin_a, biobank_b):
    make_specimen(biobank_b, facts={"received_at": timezone.now()})
    box = make_storage_box(biobank_b, rows=1, columns=1)
    Specimen.objects.filter(biobank=biobank_b).update(box=box, box_row=1, box_column=1)

    inventory = inventory_by_biobank(user=admin_a, biobank_ids=[biobank_b.pk])[biobank_b.pk]
    assert inventory.in_stock == 0 and inventory.by_type.empty and inventory.by_month.empty
    assert freezers_by_biobank(user=admin_a, biobank_ids=[biobank_b.pk])[biobank_b.pk].freezers == []
    counts = worklist_counts_by_biobank(user=admin_a, biobank_ids=[biobank_b.pk])[biobank_b.pk]["counts"]
    assert set(counts.values()) == {0}


def test_freezer_utilisation_counts_the_positions_of_the_boxes_below(technician_a, biobank_a):
    box = make_storage_box(biobank_a, rows=2, columns=5)
    for column in (1, 2, 3):
        specimen = make_specimen(biobank_a)
        Specimen.objects.filter(pk=specimen.pk).update(box=box, box_row=1, box_column=column)
    [freezer] = freezers_by_biobank(user=technician_a, biobank_ids=[biobank_a.pk])[biobank_a.pk].freezers
    assert (freezer.occupied, freezer.total, freezer.percent) == (3, 10, 30)
