"""The debounced recompute after commit, and an import marking its collections."""

from __future__ import annotations

from unittest import mock

import pytest
from django.utils import timezone

from catalog.facts import tasks
from catalog.models import CollectionFact, FactsRecompute
from tests.specimens.factories import make_collection, make_specimen

pytestmark = pytest.mark.django_db


def test_a_registration_marks_its_collection_and_the_task_after_commit_clears_the_queue(
    biobank_a, django_capture_on_commit_callbacks
):
    collection = make_collection(biobank_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        make_specimen(collection=collection, facts={"collected_at": timezone.now()})
        assert FactsRecompute.objects.filter(collection=collection).exists()
    assert callbacks
    assert not FactsRecompute.objects.exists()
    total = CollectionFact.objects.get(collection=collection, sex="*", age_range="*", material_type="*", disease="*")
    assert (total.number_of_samples, total.number_of_donors) == (1, 1)


def test_with_a_broker_the_run_is_queued_once_per_window_with_a_countdown(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    tasks.cache.delete(tasks._SCHEDULED_KEY)
    with mock.patch.object(tasks.facts_recompute_dirty, "apply_async") as queued:
        tasks.DEBOUNCED.delay()
        tasks.DEBOUNCED.delay()
        tasks.DEBOUNCED.delay()
    queued.assert_called_once_with(kwargs={}, countdown=tasks.DEBOUNCE_SECONDS)
    tasks.cache.delete(tasks._SCHEDULED_KEY)


def test_an_import_marks_the_collections_of_its_rows(biobank_a):
    from django.db import connection

    one, two = make_collection(biobank_a), make_collection(biobank_a)
    specimen = make_specimen(collection=one)
    FactsRecompute.objects.all().delete()
    with connection.cursor() as cursor:  # the import's set-based INSERT ... SELECT, as specimens/imports/commit.py
        cursor.execute(
            "INSERT INTO specimens_specimen (biobank_id, collection_id, donor_id, barcode, sample_type, sprec_kind, "
            "material_type, lineage, status, diagnosis, initial_quantity, quantity, unit, concentration_unit, "
            "freeze_thaw_count, primary_container, collection_type, centrifugation, second_centrifugation, "
            "storage_container, storage_method, fixation, sprec_code, sprec_entered, box_row, box_column, notes, "
            "created_at, updated_at) "
            "SELECT biobank_id, %s, donor_id, barcode || '-' || n, sample_type, sprec_kind, material_type, lineage, "
            "status, diagnosis, 1, 1, unit, '', 0, '', '', '', '', '', '', '', '', false, NULL, NULL, '', now(), now() "
            "FROM specimens_specimen, generate_series(1, 3) n WHERE id = %s",
            [two.pk, specimen.pk],
        )
    assert set(FactsRecompute.objects.values_list("collection_id", flat=True)) == {two.pk}
