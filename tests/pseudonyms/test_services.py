"""Pseudonym domains, minting, rotation and re-identification, through the real services on PostgreSQL."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from biobank.crypto.keys import append_key
from biobank.errors import ConflictError, DomainError
from biobank.pseudonyms import checkchar, services
from biobank.pseudonyms.choices import DomainKind
from biobank.pseudonyms.models import Pseudonym, PseudonymKey
from biobank.pseudonyms.services import (
    PseudonymNotFound,
    domain_create,
    domain_rotate_key,
    pseudonym_for,
    pseudonym_resolve,
    pseudonyms_for_many,
)

pytestmark = pytest.mark.django_db


def rotate(domain, django_capture_on_commit_callbacks):
    """Rotate and run the re-pseudonymisation job the rotation queues after commit."""
    with django_capture_on_commit_callbacks(execute=True):
        return domain_rotate_key(actor=None, domain=domain)


class TestDomains:
    def test_a_new_domain_starts_at_key_version_1_from_the_current_master_key(self, pid_domain_a):
        assert pid_domain_a.current_key_version == 1
        key = PseudonymKey.objects.get(domain=pid_domain_a)
        assert (key.version, key.master_key_id) == (1, "t1")

    def test_a_pid_domain_needs_a_biobank(self, db):
        with pytest.raises(DomainError, match="needs its biobank"):
            domain_create(actor=None, code="pid-nowhere", kind=DomainKind.BIOBANK_PID)

    def test_a_biobank_has_one_pid_domain(self, pid_domain_a, biobank_a):
        with pytest.raises(ConflictError, match="already has a PID domain"):
            domain_create(actor=None, code="pid-again", kind=DomainKind.BIOBANK_PID, biobank=biobank_a)

    def test_a_domain_code_is_unique(self, pid_domain_a):
        with pytest.raises(ConflictError, match="exists already"):
            domain_create(actor=None, code=pid_domain_a.code, kind=DomainKind.RELEASE)

    def test_an_unknown_kind_lists_the_allowed_ones(self, db):
        with pytest.raises(DomainError, match="allowed: biobank_pid, release"):
            domain_create(actor=None, code="x-domain", kind="secret")

    def test_a_malformed_code_names_the_field(self, db):
        with pytest.raises(DomainError, match=r"^code: ") as info:
            domain_create(actor=None, code="Not A Code", kind=DomainKind.RELEASE)
        assert info.value.field == "code"


class TestMinting:
    def test_a_pseudonym_is_stable_within_a_domain(self, pid_domain_a):
        first = pseudonym_for(domain=pid_domain_a, subject="subject-1")
        assert pseudonym_for(domain=pid_domain_a, subject="subject-1") == first
        assert checkchar.pseudonym_validate(first) == first
        assert Pseudonym.objects.filter(domain=pid_domain_a).count() == 1

    def test_the_same_subject_gets_unlinkable_pseudonyms_in_two_domains(self, pid_domain_a, release_domain_a):
        subjects = [f"subject-{i}" for i in range(200)]
        in_pid = pseudonyms_for_many(domain=pid_domain_a, subjects=subjects)
        in_release = pseudonyms_for_many(domain=release_domain_a, subjects=subjects)
        assert not set(in_pid.values()) & set(in_release.values())

    def test_different_subjects_get_different_pseudonyms(self, pid_domain_a):
        mapping = pseudonyms_for_many(domain=pid_domain_a, subjects=[f"s{i}" for i in range(1000)])
        assert len(set(mapping.values())) == 1000

    def test_bulk_and_single_minting_agree(self, pid_domain_a):
        mapping = pseudonyms_for_many(domain=pid_domain_a, subjects=["a", "b", "a", "c"])
        assert list(mapping) == ["a", "b", "c"]
        assert mapping == {s: pseudonym_for(domain=pid_domain_a, subject=s) for s in "abc"}

    @pytest.mark.parametrize("count", [10, 3000])
    def test_bulk_minting_is_one_insert_statement_whatever_the_number_of_subjects(
        self, pid_domain_a, django_assert_max_num_queries, count
    ):
        subjects = [f"donor-{i:05d}" for i in range(count)]
        with django_assert_max_num_queries(4) as captured:  # savepoint, master key id, one insert, release
            mapping = pseudonyms_for_many(domain=pid_domain_a, subjects=subjects)
        assert len(mapping) == count
        statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
        assert len(statements) == 2
        assert sum("INSERT" in sql for sql in statements) == 1
        assert Pseudonym.objects.filter(domain=pid_domain_a).count() == count

    def test_known_and_new_subjects_are_answered_in_one_statement(self, pid_domain_a, django_assert_max_num_queries):
        known = pseudonyms_for_many(domain=pid_domain_a, subjects=["old-1", "old-2"])
        with django_assert_max_num_queries(4):  # savepoint, master key id, one insert-or-read, release
            mapping = pseudonyms_for_many(domain=pid_domain_a, subjects=["old-1", "new-1", "old-2"])
        assert mapping["old-1"] == known["old-1"] and mapping["old-2"] == known["old-2"]
        assert "new-1" in mapping

    def test_a_colliding_pseudonym_gets_the_next_candidate_and_stays_stable(self, pid_domain_a):
        compute = services.pseudonymiser(domain=pid_domain_a)
        taken = compute("victim")
        Pseudonym.objects.create(domain=pid_domain_a, key_version=1, pseudonym=taken, subject="squatter")
        minted = pseudonym_for(domain=pid_domain_a, subject="victim")
        assert minted == compute("victim", 1) != taken
        assert pseudonym_for(domain=pid_domain_a, subject="victim") == minted

    @pytest.mark.parametrize("subject", ["", "has space", "x" * 101, "nul\x00byte", "Jürgen"])
    def test_a_subject_reference_must_be_an_opaque_id(self, pid_domain_a, subject):
        with pytest.raises(DomainError, match=r"Subject reference .* is not valid"):
            pseudonym_for(domain=pid_domain_a, subject=subject)

    def test_appending_a_master_key_does_not_change_existing_pseudonyms(self, pid_domain_a):
        before = pseudonym_for(domain=pid_domain_a, subject="subject-1")
        append_key("PSEUDONYM_KEY_FILE", "t2")
        assert pseudonym_for(domain=pid_domain_a, subject="subject-1") == before
        assert pseudonym_for(domain=pid_domain_a, subject="subject-2") == services.pseudonymiser(domain=pid_domain_a)(
            "subject-2"
        )


class TestRotation:
    """A release domain is re-pseudonymised into the new key version; a biobank PID domain keeps every issued PID."""

    def test_rotating_a_pid_domain_keeps_every_issued_pid_and_new_subjects_get_the_new_key(
        self, pid_domain_a, steward_a, django_capture_on_commit_callbacks
    ):
        issued = pseudonyms_for_many(domain=pid_domain_a, subjects=["donor-1", "donor-2"])
        append_key("PSEUDONYM_KEY_FILE", "t2")

        domain = rotate(pid_domain_a, django_capture_on_commit_callbacks)

        assert domain.current_key_version == 2
        assert pseudonyms_for_many(domain=domain, subjects=["donor-1", "donor-2"]) == issued
        assert not Pseudonym.objects.filter(domain=domain, key_version=2).exists()  # nobody was renamed
        assert not Pseudonym.objects.filter(domain=domain, retired_at__isnull=False).exists()
        fresh = pseudonym_for(domain=domain, subject="donor-3")
        assert fresh == services.pseudonymiser(domain=domain, version=2)("donor-3")
        assert fresh != services.pseudonymiser(domain=domain, version=1)("donor-3")
        row = pseudonym_resolve(actor=steward_a, domain=domain, pseudonym=issued["donor-1"], reason="label check")
        assert (row.subject, row.key_version, row.is_retired) == ("donor-1", 1, False)

    def test_a_job_queued_for_a_pid_domain_before_the_rule_renames_nobody(self, pid_domain_a):
        issued = pseudonyms_for_many(domain=pid_domain_a, subjects=["a", "b"])
        domain = domain_rotate_key(actor=None, domain=pid_domain_a)
        assert services.domain_repseudonymise_batch(domain_id=domain.pk, key_version=2) == 0
        assert pseudonyms_for_many(domain=domain, subjects=["a", "b"]) == issued

    def test_rotation_mints_every_subject_in_the_new_version_and_keeps_the_old_resolvable(
        self, release_domain_a, steward_a, django_capture_on_commit_callbacks
    ):
        subjects = [f"subject-{i}" for i in range(50)]
        old = pseudonyms_for_many(domain=release_domain_a, subjects=subjects)
        append_key("PSEUDONYM_KEY_FILE", "t2")

        domain = rotate(release_domain_a, django_capture_on_commit_callbacks)

        assert domain.current_key_version == 2
        assert PseudonymKey.objects.get(domain=domain, version=2).master_key_id == "t2"
        new = {p.subject: p.pseudonym for p in Pseudonym.objects.filter(domain=domain, key_version=2)}
        assert set(new) == set(subjects)
        assert not set(new.values()) & set(old.values())
        assert pseudonyms_for_many(domain=domain, subjects=subjects) == new
        assert not Pseudonym.objects.filter(domain=domain, key_version=1, retired_at__isnull=True).exists()
        row = pseudonym_resolve(actor=steward_a, domain=domain, pseudonym=old["subject-7"], reason="label check")
        assert (row.subject, row.key_version, row.is_retired) == ("subject-7", 1, True)

    def test_each_version_gives_different_pseudonyms(self, release_domain_a, django_capture_on_commit_callbacks):
        seen = {pseudonym_for(domain=release_domain_a, subject="subject-1")}
        for _ in range(2):
            release_domain_a = rotate(release_domain_a, django_capture_on_commit_callbacks)
            seen.add(pseudonym_for(domain=release_domain_a, subject="subject-1"))
        assert len(seen) == 3
        assert Pseudonym.objects.filter(domain=release_domain_a, subject="subject-1").count() == 3

    def test_the_job_works_in_batches_and_hands_over_to_a_fresh_task(
        self, release_domain_a, django_capture_on_commit_callbacks, monkeypatch
    ):
        from biobank.pseudonyms import tasks

        monkeypatch.setattr(services, "REPSEUDONYMISE_BATCH", 3)
        monkeypatch.setattr(tasks, "BATCHES_PER_TASK", 2)
        calls = []
        original = tasks.repseudonymise_domain.run
        monkeypatch.setattr(tasks.repseudonymise_domain, "run", lambda **kw: calls.append(kw) or original(**kw))
        pseudonyms_for_many(domain=release_domain_a, subjects=[f"s{i}" for i in range(20)])

        rotate(release_domain_a, django_capture_on_commit_callbacks)

        assert len(calls) == 4  # 20 subjects, 3 a batch, 2 batches a task
        assert Pseudonym.objects.filter(domain=release_domain_a, key_version=2).count() == 20

    def test_the_job_is_idempotent_and_stops_when_a_newer_version_exists(self, release_domain_a):
        pseudonyms_for_many(domain=release_domain_a, subjects=["a", "b"])
        domain_rotate_key(actor=None, domain=release_domain_a)  # job not run: callbacks not executed
        assert services.domain_repseudonymise_batch(domain_id=release_domain_a.pk, key_version=2) == 2
        assert services.domain_repseudonymise_batch(domain_id=release_domain_a.pk, key_version=2) == 0
        domain_rotate_key(actor=None, domain=release_domain_a)
        assert services.domain_repseudonymise_batch(domain_id=release_domain_a.pk, key_version=2) == 0
        assert services.domain_repseudonymise_batch(domain_id=release_domain_a.pk, key_version=3) == 2


class TestResolve:
    @pytest.fixture
    def minted(self, pid_domain_a):
        return pseudonym_for(domain=pid_domain_a, subject="subject-42")

    def test_an_identity_steward_resolves_a_pseudonym_with_a_reason(self, pid_domain_a, steward_a, minted):
        row = pseudonym_resolve(
            actor=steward_a,
            domain=pid_domain_a,
            pseudonym=checkchar.display(minted).lower(),
            reason="Recall for an incidental finding",
        )
        assert (row.subject, row.key_version) == ("subject-42", 1)

    @pytest.mark.parametrize("reason", ["", "   ", None])
    def test_resolving_without_a_reason_is_refused(self, pid_domain_a, steward_a, minted, reason):
        with pytest.raises(DomainError, match="State why you need to re-identify") as info:
            pseudonym_resolve(actor=steward_a, domain=pid_domain_a, pseudonym=minted, reason=reason)
        assert info.value.field == "reason"

    def test_a_technician_may_not_resolve(self, pid_domain_a, technician_a, minted):
        with pytest.raises(PermissionDenied, match="Only an identity steward"):
            pseudonym_resolve(actor=technician_a, domain=pid_domain_a, pseudonym=minted, reason="curious")

    def test_a_steward_of_another_biobank_may_not_resolve(self, pid_domain_a, steward_b, minted):
        with pytest.raises(PermissionDenied):
            pseudonym_resolve(actor=steward_b, domain=pid_domain_a, pseudonym=minted, reason="curious")

    def test_nobody_resolves_a_domain_without_a_biobank(self, steward_a):
        domain = domain_create(actor=None, code="release-orphan", kind=DomainKind.RELEASE)
        minted = pseudonym_for(domain=domain, subject="subject-1")
        with pytest.raises(PermissionDenied):
            pseudonym_resolve(
                actor=steward_a, domain=domain, pseudonym=minted, reason="Recall for an incidental finding"
            )

    def test_the_permission_is_checked_before_the_pseudonym_is_looked_at(self, pid_domain_a, technician_a):
        with pytest.raises(PermissionDenied):
            pseudonym_resolve(actor=technician_a, domain=pid_domain_a, pseudonym="nonsense", reason="x")

    def test_a_mistyped_pseudonym_gets_the_check_character_message(self, pid_domain_a, steward_a, minted):
        wrong = ("0" if minted[0] != "0" else "1") + minted[1:]
        with pytest.raises(DomainError, match="the check character does not match"):
            pseudonym_resolve(
                actor=steward_a, domain=pid_domain_a, pseudonym=wrong, reason="Recall for an incidental finding"
            )

    def test_an_unknown_pseudonym_is_not_found(self, pid_domain_a, steward_a, minted):
        other = services.pseudonymiser(domain=pid_domain_a)("never-minted")
        with pytest.raises(PseudonymNotFound, match="No subject has the pseudonym") as info:
            pseudonym_resolve(
                actor=steward_a, domain=pid_domain_a, pseudonym=other, reason="Recall for an incidental finding"
            )
        assert info.value.status_code == 404

    def test_a_pseudonym_resolves_only_in_its_own_domain(self, pid_domain_a, release_domain_a, steward_a, minted):
        with pytest.raises(PseudonymNotFound):
            pseudonym_resolve(
                actor=steward_a, domain=release_domain_a, pseudonym=minted, reason="Recall for an incidental finding"
            )

    def test_resolving_is_audited_with_the_reason(self, pid_domain_a, steward_a, minted, monkeypatch):
        events = []
        monkeypatch.setattr(services, "_audit", lambda **kwargs: events.append(kwargs))
        pseudonym_resolve(actor=steward_a, domain=pid_domain_a, pseudonym=minted, reason="  sample recall  ")
        assert len(events) == 1
        assert events[0]["action"] == "pseudonym.resolve"
        assert events[0]["actor"] == steward_a
        assert events[0]["reason"] == "sample recall"
        assert events[0]["biobank"] == pid_domain_a.biobank


def test_a_rotation_is_audited(pid_domain_a, admin_a, monkeypatch):
    events = []
    monkeypatch.setattr(services, "_audit", lambda **kwargs: events.append(kwargs))
    domain_rotate_key(actor=admin_a, domain=pid_domain_a)
    assert [e["action"] for e in events] == ["pseudonym_domain.rotate_key"]
    assert events[0]["changes"] == {"current_key_version": [1, 2]}
    assert events[0]["actor"] == admin_a


def test_re_identification_lands_in_the_audit_trail_with_its_reason(pid_domain_a, steward_a):
    from biobank.audit.models import AuditOutbox

    minted = pseudonym_for(domain=pid_domain_a, subject="subject-9")
    row = pseudonym_resolve(actor=steward_a, domain=pid_domain_a, pseudonym=minted, reason="sample recall")
    event = AuditOutbox.objects.get(action="pseudonym.resolve")
    assert (event.reason, event.biobank_id, event.actor_id) == (
        "sample recall",
        pid_domain_a.biobank_id,
        str(steward_a.pk),
    )
    assert (event.object_type, event.object_id) == ("pseudonyms.pseudonym", str(row.pk))
    assert event.details == {"domain": pid_domain_a.code, "pseudonym": minted, "key_version": 1}
    assert "subject-9" not in str(event.details)  # the trail records the act, not the link


def test_a_refused_re_identification_leaves_no_event(pid_domain_a, technician_a):
    from biobank.audit.models import AuditOutbox

    minted = pseudonym_for(domain=pid_domain_a, subject="subject-9")
    with pytest.raises(PermissionDenied):
        pseudonym_resolve(actor=technician_a, domain=pid_domain_a, pseudonym=minted, reason="x")
    assert not AuditOutbox.objects.filter(action="pseudonym.resolve").exists()


def test_creating_a_domain_is_audited(biobank_a, admin_a):
    from biobank.audit.models import AuditOutbox

    domain = domain_create(actor=admin_a, code="release-x", kind=DomainKind.RELEASE, biobank=biobank_a)
    event = AuditOutbox.objects.get(action="pseudonym_domain.create")
    assert (event.object_id, event.biobank_id) == (str(domain.pk), biobank_a.pk)
