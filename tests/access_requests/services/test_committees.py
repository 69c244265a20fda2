"""Managing a committee: who may, the settings checked, members chosen among DAC roles, one active chair, and the
network's committee deciding for biobanks without their own."""

from __future__ import annotations

import pytest

from access_requests.choices import CommitteeRole, DecisionRule
from access_requests.models import Committee
from access_requests.services.committees import (
    committee_candidates,
    committee_create,
    committee_member_add,
    committee_member_remove,
    committee_responsible,
    committee_update,
)
from biobank.accounts.choices import Role
from biobank.accounts.models import Network
from biobank.errors import ConflictError, DomainError, ForbiddenError
from tests.accounts.factories import make_member

pytestmark = pytest.mark.django_db


def test_the_admin_creates_and_edits_the_committee(biobank_a, admin_a):
    committee = committee_create(actor=admin_a, biobank=biobank_a, name="DAC A", decision_rule=DecisionRule.UNANIMITY)
    committee_update(actor=admin_a, committee=committee, name="DAC A", decision_rule="chair", quorum=1, review_days=7)
    committee.refresh_from_db()
    assert (committee.decision_rule, committee.quorum, committee.review_days) == ("chair", 1, 7)
    with pytest.raises(ConflictError, match="already has a committee"):
        committee_create(actor=admin_a, biobank=biobank_a, name="Second")


def test_others_cannot_manage_it(biobank_a, technician_a, outsider):
    for person in (technician_a, outsider):
        with pytest.raises(ForbiddenError):
            committee_create(actor=person, biobank=biobank_a, name="DAC A")


def test_bad_settings_say_what_is_allowed(biobank_a, admin_a):
    with pytest.raises(DomainError, match="allowed: majority, unanimity, chair"):
        committee_create(actor=admin_a, biobank=biobank_a, name="DAC", decision_rule="coin toss")
    with pytest.raises(DomainError, match="at least 1"):
        committee_create(actor=admin_a, biobank=biobank_a, name="DAC", quorum=0)


def test_members_need_a_dac_role_and_there_is_one_active_chair(biobank_a, admin_a, technician_a):
    committee = committee_create(actor=admin_a, biobank=biobank_a, name="DAC A")
    chair = make_member(biobank_a, Role.DAC_CHAIR, email="c1@example.org")
    other_chair = make_member(biobank_a, Role.DAC_CHAIR, email="c2@example.org")
    member = make_member(biobank_a, Role.DAC_MEMBER, email="m1@example.org")
    assert set(committee_candidates(committee)) >= {chair, other_chair, member}
    assert technician_a not in committee_candidates(committee)
    with pytest.raises(DomainError, match="no DAC role"):
        committee_member_add(actor=admin_a, committee=committee, user=technician_a)
    with pytest.raises(DomainError, match="no DAC role"):
        committee_member_add(actor=admin_a, committee=committee, user=member, role=CommitteeRole.CHAIR)
    committee_member_add(actor=admin_a, committee=committee, user=chair, role=CommitteeRole.CHAIR)
    with pytest.raises(ConflictError, match="one active chair"):
        committee_member_add(actor=admin_a, committee=committee, user=other_chair, role=CommitteeRole.CHAIR)
    seat = committee_member_add(actor=admin_a, committee=committee, user=member)
    committee_member_remove(actor=admin_a, seat=seat)
    seat.refresh_from_db()
    assert not seat.active


def test_a_network_committee_decides_for_biobanks_without_their_own(biobank_a, biobank_b, admin_a):
    network = Network.objects.create(code="net", name="Net")
    biobank_a.network = network
    biobank_a.save(update_fields=["network"])
    biobank_b.network = network
    biobank_b.save(update_fields=["network"])
    shared = committee_create(actor=admin_a, network=network, name="Network DAC")
    own = Committee.objects.create(biobank=biobank_b, name="B's own")
    assert committee_responsible(biobank_a) == shared
    assert committee_responsible(biobank_b) == own
