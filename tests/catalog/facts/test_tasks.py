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


def test_an_import_marks_the_collections_of_its_rows_and_its_commit_recomputes_them(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    from tests.accounts.factories import make_biobank, make_member
    from tests.consent.factories import make_donor
    from tests.specimens.imports.helpers import commit, csv_bytes, serum_row, upload

    settings.MEDIA_ROOT = tmp_path / "media"
    biobank = make_biobank()
    technician = make_member(biobank, "technician")
    one, two, untouched = make_collection(biobank), make_collection(biobank), make_collection(biobank)
    donors = [make_donor(biobank) for _ in range(3)]
    FactsRecompute.objects.all().delete()
    rows = [serum_row(donor, collection.code) for donor in donors for collection in (one, two)]
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(technician, biobank, csv_bytes(rows))
    job.refresh_from_db()
    FactsRecompute.objects.all().delete()
    marked: list[set[int]] = []
    original = tasks.facts_recompute_dirty.delay

    def seen(**kwargs):
        marked.append(set(FactsRecompute.objects.values_list("collection_id", flat=True)))
        return original(**kwargs)

    with (
        mock.patch.object(tasks.facts_recompute_dirty, "delay", side_effect=seen),
        django_capture_on_commit_callbacks(execute=True),
    ):
        commit(technician, job)
    job.refresh_from_db()
    assert job.status == "imported", job.message
    assert {one.pk, two.pk} in marked  # marked in the import's transaction, the task queued after its commit
    assert untouched.pk not in set().union(*marked)
    assert not FactsRecompute.objects.exists()
    sizes = {
        f.collection_id: (f.number_of_samples, f.number_of_donors)
        for f in CollectionFact.objects.filter(sex="*", age_range="*", material_type="*", disease="*")
    }
    assert sizes[one.pk] == sizes[two.pk] == (3, 3)
