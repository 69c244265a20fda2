"""A key rotation of the biobank's PID domain moves every donor to a new PID; the old PID stays resolvable."""

from __future__ import annotations

import pytest

from biobank.audit.models import AuditEvent, AuditOutbox
from biobank.pseudonyms import services as pseudonym_services
from biobank.pseudonyms.models import PseudonymDomain
from consent.models import Donor

pytestmark = pytest.mark.django_db


def test_after_a_rotation_each_donor_shows_the_new_pid_and_the_steward_resolves_the_old_one(
    register, biobank_a, steward_a, django_capture_on_commit_callbacks
):
    first = register().donor
    second = register(family_name="Roe", given_names="Richard", hospital_id="H-2", national_id="", email="").donor
    old_pids = {first.pk: first.pid, second.pk: second.pid}
    domain = PseudonymDomain.objects.get(biobank=biobank_a)

    with django_capture_on_commit_callbacks(execute=True):  # the re-pseudonymisation job runs after commit
        pseudonym_services.domain_rotate_key(actor=steward_a, domain=domain)

    for donor in Donor.objects.filter(pk__in=old_pids):
        assert donor.pid != old_pids[donor.pk]
        old = pseudonym_services.pseudonym_resolve(
            actor=steward_a, domain=domain, pseudonym=old_pids[donor.pk], reason="verify rotation"
        )
        new = pseudonym_services.pseudonym_resolve(
            actor=steward_a, domain=domain, pseudonym=donor.pid, reason="verify rotation"
        )
        assert old.subject == new.subject == str(donor.subject_ref)
    labels = [
        *AuditOutbox.objects.filter(action="donor.pid_rotated").values_list("actor_label", flat=True),
        *AuditEvent.objects.filter(action="donor.pid_rotated").values_list("actor_label", flat=True),
    ]
    assert labels == ["system:pseudonym-rotation"] * 2


def test_a_rotation_of_another_domain_leaves_donors_alone(register, biobank_a, django_capture_on_commit_callbacks):
    donor = register().donor
    release = pseudonym_services.domain_create(actor=None, code="release-1", kind="release", biobank=biobank_a)
    pseudonym_services.pseudonym_for(domain=release, subject=str(donor.subject_ref))

    with django_capture_on_commit_callbacks(execute=True):
        pseudonym_services.domain_rotate_key(actor=None, domain=release)

    assert Donor.objects.get(pk=donor.pk).pid == donor.pid
