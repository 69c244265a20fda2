"""Identity reads: only identity stewards of the donor's biobank, only with a reason, every look audited with it;
re-identification from a PID says clearly what is wrong with a mistyped PID."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from biobank.audit.models import AuditOutbox
from biobank.errors import DomainError
from biobank.pseudonyms.checkchar import ALPHABET
from consent import services

pytestmark = pytest.mark.django_db


def mistype_check_character(pid: str) -> str:
    wrong = next(c for c in ALPHABET if c != pid[-1])
    return pid[:-1] + wrong


def test_a_steward_sees_the_identity_with_a_reason_and_the_look_is_audited(donor_a, steward_a):
    identity = services.identity_view(actor=steward_a, donor=donor_a, reason="Recall: incidental finding")
    assert identity.values.family_name == "Schmidt"
    assert dict(identity.rows())["hospital_id"] == "MRN-0012345"
    event = AuditOutbox.objects.get(action="donor.identity_view")
    assert event.reason == "Recall: incidental finding" and event.object_id == str(donor_a.pk)
    assert event.actor_label == steward_a.email and "Schmidt" not in str(event.details)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_an_identity_view_without_a_reason_is_refused_and_shows_nothing(donor_a, steward_a, reason):
    with pytest.raises(DomainError) as raised:
        services.identity_view(actor=steward_a, donor=donor_a, reason=reason)
    assert raised.value.field == "reason" and "State why" in raised.value.message
    assert not AuditOutbox.objects.filter(action="donor.identity_view").exists()


@pytest.mark.parametrize("persona", ["technician_a", "consent_officer_a", "auditor_a", "admin_a", "steward_b"])
def test_nobody_but_the_biobank_steward_sees_the_identity(request, donor_a, persona):
    person = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.identity_view(actor=person, donor=donor_a, reason="curious")
    with pytest.raises(PermissionDenied):
        services.identity_lookup_by_hospital_id(
            actor=person, biobank=donor_a.biobank, hospital_id="MRN-0012345", reason="curious"
        )
    assert not AuditOutbox.objects.filter(action__startswith="donor.identity").exists()


def test_a_steward_finds_the_donor_by_hospital_id_and_the_lookup_is_audited(donor_a, steward_a, biobank_a):
    found = services.identity_lookup_by_hospital_id(
        actor=steward_a, biobank=biobank_a, hospital_id=" mrn-0012345", reason="Lab result arrived by MRN"
    )
    assert found == [donor_a]
    event = AuditOutbox.objects.get(action="donor.identity_lookup")
    assert event.reason == "Lab result arrived by MRN" and event.details["found"] == [donor_a.pid_display]
    assert event.details["hospital_id"] == "m***" and "0012345" not in str(event.details)
    with pytest.raises(DomainError, match="State why"):
        services.identity_lookup_by_hospital_id(actor=steward_a, biobank=biobank_a, hospital_id="MRN-1", reason="")
    assert (
        services.identity_lookup_by_hospital_id(
            actor=steward_a, biobank=biobank_a, hospital_id="MRN-404", reason="Label check after a mix-up"
        )
        == []
    )


def test_a_steward_reidentifies_a_pid_with_a_reason(donor_a, steward_a, biobank_a):
    identity = services.donor_reidentify(
        actor=steward_a, biobank=biobank_a, pid=donor_a.pid_display.lower(), reason="Sample mix-up check"
    )
    assert identity.donor == donor_a and identity.values.given_names == "Jane Marie"
    actions = list(AuditOutbox.objects.filter(reason="Sample mix-up check").values_list("action", flat=True))
    assert actions == ["pseudonym.resolve", "donor.identity_view"]


def test_a_pid_with_a_wrong_check_character_is_a_clear_error(donor_a, steward_a, biobank_a):
    with pytest.raises(DomainError) as raised:
        services.donor_reidentify(
            actor=steward_a,
            biobank=biobank_a,
            pid=mistype_check_character(donor_a.pid),
            reason="Label check after a mix-up",
        )
    assert "check character does not match" in raised.value.message
    with pytest.raises(DomainError, match="must be 11 characters"):
        services.donor_reidentify(
            actor=steward_a, biobank=biobank_a, pid=donor_a.pid[:-2], reason="Label check after a mix-up"
        )
    assert not AuditOutbox.objects.filter(action__in=["pseudonym.resolve", "donor.identity_view"]).exists()
