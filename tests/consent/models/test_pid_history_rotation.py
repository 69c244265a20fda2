"""Stable PIDs: a key rotation of the biobank's PID domain protects the PIDs minted after it and renames nobody;
every PID a donor ever had (on a tube label, in a partner system) keeps finding that donor, everywhere."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from biobank.accounts import services as account_services
from biobank.accounts.choices import Role
from biobank.audit.models import AuditEvent, AuditOutbox
from biobank.crypto.keys import append_key
from biobank.pseudonyms import services as pseudonym_services
from biobank.pseudonyms.models import Pseudonym, PseudonymDomain
from consent import selectors, services
from consent.models import Donor, DonorPid
from tests.accounts.factories import bearer, make_member, make_token
from tests.consent.factories import make_catalogue, make_donor, media_root, new_pid, record  # noqa: F401

pytestmark = pytest.mark.django_db

ROE = {"family_name": "Roe", "given_names": "Richard", "hospital_id": "H-2", "national_id": "", "email": ""}


@pytest.fixture
def partner(biobank_a):
    """A partner system (LIMS, data integration centre) asking the consent gate with PIDs from its own records."""
    return bearer(make_token(biobank_a, "view_biobank", "view_donors"))


@pytest.fixture
def rotate(biobank_a, admin_a, django_capture_on_commit_callbacks):
    """``rotate()``: the operator adds a pseudonym master key and rotates the PID domain (jobs run after commit)."""

    def run() -> PseudonymDomain:
        append_key("PSEUDONYM_KEY_FILE")
        domain = PseudonymDomain.objects.get(biobank=biobank_a)
        with django_capture_on_commit_callbacks(execute=True):
            return pseudonym_services.domain_rotate_key(actor=admin_a, domain=domain)

    return run


@pytest.fixture
def consented(register, biobank_a, consent_officer_a):
    """Jane, registered with a PID on her tube labels, who accepted data use and declined biomaterial use."""
    donor = register().donor
    template = make_catalogue(biobank_a, actor=consent_officer_a)
    record(consent_officer_a, donor, template, choices={"data": "accepted", "biomaterial": "declined"})
    return donor


def renamed_by_an_earlier_rotation_job(donor: Donor, domain: PseudonymDomain) -> str:
    """What the rotation job did before PIDs were stable: mint the donor's PID in the new key version and rename the
    donor (the old release's ``donor_pids_follow_rotation``). Returns the new PID; the old one stays on the labels."""
    subject = str(donor.subject_ref)
    new = pseudonym_services.pseudonymiser(domain=domain)(subject)
    Pseudonym.objects.create(domain=domain, key_version=domain.current_key_version, pseudonym=new, subject=subject)
    Donor.objects.filter(pk=donor.pk).update(pid=new)
    return new


def check(client: APIClient, pid: str, purpose: str = "biomat-use") -> dict:
    response = client.get("/api/v1/consent/check", {"donor": pid, "purpose": purpose})
    assert response.status_code == 200, response.content
    return response.json()


# --- a rotation renames nobody ------------------------------------------------------------------------------------


def test_after_a_rotation_a_partner_asking_with_the_label_pid_gets_the_donors_real_answer(consented, partner, rotate):
    label = consented.pid
    before = check(partner, label)

    rotate()

    after = check(partner, label)
    assert (after["answer"], after["code"]) == ("denied", "declined") == (before["answer"], before["code"])
    assert after["donor"] == label and after["asked_pid"] is None  # the label PID is still the current PID
    data = partner.get(
        "/api/v1/consent/check", {"donor": label, "purpose": "DUO:0000006", "data_class": "data", "action": "store"}
    )
    assert data.json()["answer"] == "permitted"  # data use stays accepted


def test_after_a_rotation_the_bulk_gate_answers_every_label_pid(consented, register, partner, rotate):
    other = register(**ROE).donor  # registered, never asked: no consent
    labels = [consented.pid, other.pid]

    rotate()

    response = partner.post("/api/v1/consent/check/bulk", {"donors": labels, "purpose": "biomat-use"}, format="json")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["donor"], r["answer"], r["code"]) for r in results] == [
        (labels[0], "denied", "declined"),
        (labels[1], "unknown", "no_consent"),
    ]
    assert [r["asked_pid"] for r in results] == [None, None]


def test_a_rotation_renames_no_donor_and_the_next_donor_gets_a_pid_under_the_new_key(register, rotate):
    jane = register().donor

    domain = rotate()

    assert Donor.objects.get(pk=jane.pk).pid == jane.pid
    assert not AuditOutbox.objects.filter(action="donor.pid_rotated").exists()
    assert not AuditEvent.objects.filter(action="donor.pid_rotated").exists()
    richard = register(**ROE).donor
    subject = str(richard.subject_ref)
    minted = Pseudonym.objects.get(domain=domain, subject=subject)
    assert (minted.key_version, minted.pseudonym) == (2, richard.pid)
    assert richard.pid == pseudonym_services.pseudonymiser(domain=domain, version=2)(subject)
    assert richard.pid != pseudonym_services.pseudonymiser(domain=domain, version=1)(subject)


def test_a_rotation_of_a_release_domain_leaves_donors_alone(register, biobank_a, django_capture_on_commit_callbacks):
    donor = register().donor
    release = pseudonym_services.domain_create(actor=None, code="release-1", kind="release", biobank=biobank_a)
    pseudonym_services.pseudonym_for(domain=release, subject=str(donor.subject_ref))

    with django_capture_on_commit_callbacks(execute=True):
        pseudonym_services.domain_rotate_key(actor=None, domain=release)

    assert Donor.objects.get(pk=donor.pk).pid == donor.pid


# --- donors renamed by a rotation before PIDs were stable: every PID they had resolves ---------------------------


@pytest.fixture
def renamed(consented, rotate):
    """Jane after an earlier release's rotation job renamed her: ``(donor, label PID, current PID)``."""
    label = consented.pid
    current = renamed_by_an_earlier_rotation_job(consented, rotate())
    return Donor.objects.get(pk=consented.pk), label, current


def test_the_gate_answers_an_earlier_pid_with_the_donors_answer_and_names_the_current_pid(renamed, partner):
    _, label, current = renamed

    answer = check(partner, label)

    assert (answer["answer"], answer["code"]) == ("denied", "declined")
    assert (answer["donor"], answer["asked_pid"]) == (current, label)
    assert check(partner, current)["asked_pid"] is None


def test_the_bulk_gate_answers_earlier_and_current_pids_alike(renamed, partner):
    donor, label, current = renamed
    body = {"donors": [label, donor.pid_display, new_pid()], "purpose": "biomat-use"}

    results = partner.post("/api/v1/consent/check/bulk", body, format="json").json()["results"]

    assert [(r["donor"], r.get("asked_pid"), r.get("code")) for r in results[:2]] == [
        (current, label, "declined"),
        (current, None, "declined"),
    ]
    assert results[2]["error"]["code"] == "not_found"


def test_the_donors_api_finds_a_donor_by_an_earlier_pid_and_says_so(renamed, partner):
    donor, label, _ = renamed
    old_display = f"{label[:5]}-{label[5:10]}-{label[10]}"

    body = partner.get(f"/api/v1/donors/{old_display}/").json()
    listed = partner.get("/api/v1/donors/", {"pid": label}).json()["results"]

    assert (body["pid"], body["asked_pid"]) == (donor.pid_display, old_display)
    assert [row["pid"] for row in listed] == [donor.pid_display]


def test_the_donor_page_of_an_earlier_pid_leads_to_the_donor_under_its_current_pid(
    renamed, client, consent_officer_a, biobank_a
):
    donor, label, _ = renamed
    client.force_login(consent_officer_a)

    response = client.get(f"/consent/{biobank_a.code}/donors/{label}/", follow=True)

    assert response.redirect_chain == [(f"/consent/{biobank_a.code}/donors/{donor.pid_display}/", 302)]
    assert response.context["donor"] == donor
    page = response.content.decode()
    assert "is an earlier PID of this donor" in page and donor.pid_display in page
    assert response.context["earlier_pids"] == [f"{label[:5]}-{label[5:10]}-{label[10]}"]  # staff match old labels
    found = client.get(f"/consent/{biobank_a.code}/donors/", {"pid": label})
    assert list(found.context["donors"]) == [donor]


def test_an_identity_steward_still_resolves_an_earlier_pid(renamed, steward_a, biobank_a, client):
    donor, label, _ = renamed

    identity = services.donor_reidentify(actor=steward_a, biobank=biobank_a, pid=label, reason="recall: old tube")

    assert identity.donor == donor and identity.values.family_name == "Schmidt"
    client.force_login(steward_a)
    page = client.post(f"/consent/{biobank_a.code}/donors/{label}/identity/", {"reason": "recall: old tube"})
    assert page.status_code == 200 and "Schmidt" in page.content.decode()


def test_the_lookup_behind_consent_capture_finds_a_donor_by_an_earlier_pid(renamed, consent_officer_a):
    donor, label, _ = renamed
    assert selectors.donor_get_for(user=consent_officer_a, pid=label) == donor


# --- the database keeps PIDs unique across every key version -------------------------------------------------------


def test_a_pid_a_donor_once_had_is_never_given_to_another_donor(renamed, register, biobank_a):
    _, label, _ = renamed
    richard = register(**ROE).donor

    with pytest.raises(IntegrityError), transaction.atomic():
        Donor.objects.filter(pk=richard.pk).update(pid=label)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_donor(biobank_a, pid=label)
    assert Donor.objects.get(pk=richard.pk).pid == richard.pid


def test_the_pid_history_is_written_by_the_database_and_cannot_be_rewritten(renamed):
    donor, label, current = renamed
    assert list(DonorPid.objects.filter(donor=donor).values_list("pid", flat=True)) == [label, current]

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        DonorPid.objects.filter(donor=donor, pid=label).delete()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        DonorPid.objects.filter(donor=donor, pid=label).update(pid=new_pid())


def test_a_pid_shared_by_two_biobanks_domains_is_told_apart_by_biobank(biobank_a, biobank_b):
    auditor = make_member(biobank_a, Role.AUDITOR)
    account_services.membership_grant(actor=None, biobank=biobank_b, user=auditor, role=Role.AUDITOR)
    pid = new_pid()  # 1 in 2^50 per pair of domains, but then both biobanks hold the same PID
    in_a, in_b = make_donor(biobank_a, pid=pid), make_donor(biobank_b, pid=pid)

    assert selectors.donors_by_pids(user=auditor, pids=[pid]) == {}  # never the other biobank's donor
    with pytest.raises(Donor.DoesNotExist):
        selectors.donor_get_for(user=auditor, pid=pid)
    assert selectors.donor_get_for(user=auditor, pid=pid, biobank=biobank_b) == in_b
    assert selectors.donors_by_pids(user=auditor, pids=[pid], biobank=biobank_a) == {pid: in_a}


# --- bulk resolution stays constant -----------------------------------------------------------------------------------


def test_resolving_pids_of_every_version_is_one_query_whatever_their_number(
    biobank_a, consent_officer_a, django_assert_num_queries
):
    donors = [make_donor(biobank_a) for _ in range(40)]
    labels = [donor.pid for donor in donors]
    for donor in donors[:20]:  # half of them renamed since their labels were printed
        Donor.objects.filter(pk=donor.pk).update(pid=new_pid())
    asked = [*labels, *Donor.objects.filter(pk__in=[d.pk for d in donors[:5]]).values_list("pid", flat=True)]

    with django_assert_num_queries(1):
        few = selectors.donors_by_pids(user=consent_officer_a, pids=asked[:3])
    with django_assert_num_queries(1):
        many = selectors.donors_by_pids(user=consent_officer_a, pids=asked)

    assert len(few) == 3 and len(many) == 45
    assert {pid: donor.pk for pid, donor in many.items() if pid in labels} == {d.pid: d.pk for d in donors}


def test_the_bulk_gate_with_earlier_pids_takes_as_many_queries_for_5_as_for_50(biobank_a, partner):
    donors = [make_donor(biobank_a) for _ in range(50)]
    labels = [donor.pid for donor in donors]
    for donor in donors:
        Donor.objects.filter(pk=donor.pk).update(pid=new_pid())

    def ask(pids: list[str]) -> int:
        with CaptureQueriesContext(connection) as queries:
            body = {"donors": pids, "purpose": "DUO:0000006"}
            response = partner.post("/api/v1/consent/check/bulk", body, format="json")
        assert response.status_code == 200
        assert all(r["asked_pid"] in pids for r in response.json()["results"])
        return len(queries)

    ask(labels[:1])  # warms what is cached per process (token, DUO terms)
    assert ask(labels[:5]) == ask(labels)
