"""Merging two donors who are the same person: every reference moves to the target, the source stays as a MERGED
record with ``merged_into``, both histories are kept, and the act is audited with its reason."""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connection, models

from biobank.audit.models import AuditOutbox
from biobank.errors import ConflictError, DomainError
from consent import services
from consent.models import Donor, IdentityRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def Sample():
    """A model that arrives later (specimens, say) with a foreign key to Donor: the merge must find it by itself."""

    class MergeTestSample(models.Model):
        donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="merge_test_samples")
        label = models.CharField(max_length=20)

        class Meta:
            app_label = "consent"
            db_table = "test_merge_sample"

    with connection.schema_editor() as editor:
        editor.create_model(MergeTestSample)
    yield MergeTestSample
    apps.all_models["consent"].pop("mergetestsample", None)
    apps.clear_cache()


@pytest.fixture
def twin(register):
    """The same person registered again with another hospital ID before duplicate checks caught it."""
    return register(
        given_names="Peter",
        family_name="Schulz",
        date_of_birth=date(1960, 1, 1),
        hospital_id="X-2",
        national_id="",
        email="",
    ).donor


def test_a_merge_moves_every_reference_and_marks_the_source(donor_a, twin, consent_officer_a, Sample):
    Sample.objects.create(donor=donor_a, label="blood")
    Sample.objects.create(donor=donor_a, label="serum")
    Sample.objects.create(donor=twin, label="tissue")
    target = services.donor_merge(actor=consent_officer_a, source=donor_a, target=twin, reason="Same MRN in the HIS.")
    donor_a.refresh_from_db()
    assert target == twin and donor_a.status == "merged" and donor_a.merged_into == twin
    assert sorted(Sample.objects.filter(donor=twin).values_list("label", flat=True)) == ["blood", "serum", "tissue"]
    assert not Sample.objects.filter(donor=donor_a).exists()
    event = AuditOutbox.objects.get(action="donor.merge")
    assert event.details["moved"] == {"consent.mergetestsample": 2}


def test_a_merge_keeps_both_histories_and_both_vault_rows(donor_a, twin, consent_officer_a):
    services.donor_merge(actor=consent_officer_a, source=donor_a, target=twin, reason="Same person.")
    source_events = AuditOutbox.objects.filter(object_type="consent.donor", object_id=str(donor_a.pk))
    target_events = AuditOutbox.objects.filter(object_type="consent.donor", object_id=str(twin.pk))
    assert list(source_events.values_list("action", flat=True)) == ["donor.register", "donor.merge"]
    assert list(target_events.values_list("action", flat=True)) == ["donor.register", "donor.merge_receive"]
    merge = source_events.get(action="donor.merge")
    assert merge.reason == "Same person." and merge.changes["merged_into"] == [None, twin.pid_display]
    assert IdentityRecord.objects.filter(donor__in=[donor_a, twin]).count() == 2
    assert Donor.objects.get(pk=donor_a.pk).pid == donor_a.pid  # the old PID still names the (merged) record


def test_a_merge_needs_a_reason_two_donors_of_one_biobank_and_an_unmerged_source(
    donor_a, twin, consent_officer_a, consent_officer_b, biobank_b, register
):
    with pytest.raises(DomainError, match="State why"):
        services.donor_merge(actor=consent_officer_a, source=donor_a, target=twin, reason="  ")
    with pytest.raises(DomainError, match="into itself"):
        services.donor_merge(actor=consent_officer_a, source=donor_a, target=donor_a, reason="x")
    foreign = register(actor=consent_officer_b, biobank=biobank_b).donor
    with pytest.raises(DomainError, match="different biobanks"):
        services.donor_merge(actor=consent_officer_a, source=donor_a, target=foreign, reason="x")
    services.donor_merge(actor=consent_officer_a, source=donor_a, target=twin, reason="x")
    with pytest.raises(ConflictError, match="already merged"):
        services.donor_merge(actor=consent_officer_a, source=donor_a, target=twin, reason="x")
    with pytest.raises(DomainError, match="was itself merged"):
        services.donor_merge(actor=consent_officer_a, source=twin, target=donor_a, reason="x")
    assert AuditOutbox.objects.filter(action="donor.merge").count() == 1


def test_stewards_technicians_and_auditors_may_not_merge(donor_a, twin, steward_a, technician_a, auditor_a):
    for person in (steward_a, technician_a, auditor_a):
        with pytest.raises(PermissionDenied):
            services.donor_merge(actor=person, source=donor_a, target=twin, reason="x")
    donor_a.refresh_from_db()
    assert donor_a.status == "active"
