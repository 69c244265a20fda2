"""The donor's timeline, as a consent officer lives it: withdrawals and refusals that deny across documents, merges
and late paper forms (issue 8, problems 1 to 5; the table of cases in docs/consent.md)."""

from __future__ import annotations

import pytest

from biobank.errors import ConflictError, DomainError
from consent import gate, services
from consent.gate import Answer
from consent.models import PolicyState
from tests.consent.factories import make_donor, media_root, record  # noqa: F401
from tests.consent.timeline_helpers import (
    BIOMATERIAL_ONLY,
    day,
    now,
    paper,
    withdraw,
)

pytestmark = pytest.mark.django_db

JAN10, JAN11, FEB20, FEB28, MAR1, MAR2, JUN1, JUN2 = (day(n) for n in (200, 199, 160, 152, 151, 150, 60, 59))


def ask(donor, code="biomat-use", **kwargs):
    return gate.permitted(donor=donor, policy=code, **kwargs)


@pytest.fixture
def withdrawn_mar1(biobank_a, officer, checker, catalogue):
    """Broad consent signed 10 Jan (biomaterial accepted); withdrawal of biomaterial made 1 Mar."""
    donor = make_donor(biobank_a)
    consent = paper(officer, checker, donor, catalogue["broad"], signed_on=JAN10, choices=BIOMATERIAL_ONLY)
    between = now()
    withdraw(officer, consent, "biomaterial", on=MAR1)
    return donor, consent, between


def test_use_before_the_withdrawal_stays_lawful(withdrawn_mar1):
    donor, _, _ = withdrawn_mar1

    assert ask(donor, at=FEB28).answer == Answer.PERMITTED


def test_after_the_withdrawal_use_is_denied(withdrawn_mar1):
    donor, _, _ = withdrawn_mar1

    result = ask(donor, at=MAR2)

    assert (result.answer, result.code) == (Answer.DENIED, "withdrawn")


def test_as_known_before_the_withdrawal_was_recorded_nobody_knew_yet(withdrawn_mar1):
    donor, _, between = withdrawn_mar1

    assert ask(donor, at=MAR2, as_known_at=between).answer == Answer.PERMITTED


def test_a_withdrawal_applies_to_the_person_not_to_the_form_it_was_recorded_on(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    broad = paper(officer, checker, donor, catalogue["broad"], signed_on=JAN10, choices=BIOMATERIAL_ONLY)
    paper(officer, checker, donor, catalogue["samples"], signed_on=JAN11, choices={"biomaterial": "accepted"})

    withdraw(officer, broad, "biomaterial", on=MAR1)

    result = ask(donor, at=MAR2)
    assert (result.answer, result.code) == (Answer.DENIED, "withdrawn")


def test_a_late_paper_form_does_not_undo_a_withdrawal_and_qc_warns(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    broad = paper(officer, checker, donor, catalogue["broad"], signed_on=JAN10, choices=BIOMATERIAL_ONLY)
    withdraw(officer, broad, "biomaterial", on=MAR1)
    late = services.consent_scan_upload(
        actor=officer,
        informed_by=officer,
        informed_place="Outpatient clinic",
        donor=donor,
        template=catalogue["samples"],
        language="en",
        choices={"biomaterial": "accepted"},
        signed_on=FEB20,
        file=__import__("django.core.files.base", fromlist=["ContentFile"]).ContentFile(b"%PDF-1.4 x", name="f.pdf"),
    )
    from consent.selectors import consent_later_denials

    assert consent_later_denials(consent=late)  # shown on the QC page before approval

    approved = services.consent_scan_qc(actor=checker, consent=late, approve=True)

    assert ask(donor, at=MAR2).answer == Answer.DENIED
    assert ask(donor, at=FEB28).answer == Answer.PERMITTED
    assert any("biomat-use" in w and str(MAR1) in w for w in approved.qc_warnings)


def test_a_consent_signed_after_a_withdrawal_counts_again(withdrawn_mar1, officer, checker, catalogue):
    donor, _, _ = withdrawn_mar1

    paper(officer, checker, donor, catalogue["samples"], signed_on=JUN1, choices={"biomaterial": "accepted"})

    assert ask(donor, at=JUN2).answer == Answer.PERMITTED
    assert ask(donor, at=MAR2).answer == Answer.DENIED


def test_signing_a_withdrawal_form_denies_what_is_ticked(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, catalogue["broad"], signed_on=JAN10, choices=BIOMATERIAL_ONLY)

    form = record(officer, donor, catalogue["withdrawal"], choices={"biomaterial": "withdrawn"})

    assert ask(donor).code == "withdrawn"
    assert ask(donor, "mdat-store").answer == Answer.PERMITTED  # not ticked: untouched
    assert set(PolicyState.objects.filter(consent=form).values_list("state", flat=True)) == {"withdrawn"}


def test_a_withdrawal_form_cannot_accept_anything(biobank_a, officer, catalogue):
    donor = make_donor(biobank_a)

    with pytest.raises(DomainError, match="withdrawal form") as raised:
        record(officer, donor, catalogue["withdrawal"], choices={"biomaterial": "accepted"})

    assert raised.value.field == "choices/biomaterial"
    assert not PolicyState.objects.filter(donor=donor).exists()


def test_signing_a_refusal_form_denies_every_policy_on_it(biobank_a, officer, catalogue):
    donor = make_donor(biobank_a)

    record(officer, donor, catalogue["refusal"], choices={"data": "unanswered"})

    for code in ("mdat-store", "biomat-use", "recontact", "mdat-use-pub"):
        result = ask(donor, code)
        assert (result.answer, result.code) == (Answer.DENIED, "refused"), code


def test_a_refusal_with_accepted_modules_is_refused_and_nothing_is_written(biobank_a, officer, catalogue):
    donor = make_donor(biobank_a)

    with pytest.raises(DomainError, match="refusal form refuses everything"):
        record(officer, donor, catalogue["refusal"], choices={"data": "accepted"})

    assert not donor.consents.exists()


def test_the_database_refuses_an_acceptance_on_a_refusal_form(biobank_a, officer, catalogue):
    from django.db import IntegrityError, transaction

    donor = make_donor(biobank_a)
    form = record(officer, donor, catalogue["refusal"], choices={"data": "unanswered"})
    row = PolicyState.objects.filter(consent=form).first()

    with pytest.raises(IntegrityError, match="only a consent form records acceptances"), transaction.atomic():
        PolicyState.objects.create(
            consent=form,
            donor=donor,
            module_id=row.module_id,
            policy_id=row.policy_id,
            state="accepted",
            valid_from=row.valid_from,
            recorded_at=now(),
        )


@pytest.fixture
def merge_chain(biobank_a, officer, checker, catalogue):
    """A merged into B, B merged into C; A's consent (biomaterial accepted) signed 10 Jan."""
    a, b, c = (make_donor(biobank_a) for _ in range(3))
    consent = paper(officer, checker, a, catalogue["broad"], signed_on=JAN10, choices=BIOMATERIAL_ONLY)
    services.donor_merge(actor=officer, source=a, target=b, reason="Same person (duplicate registration)")
    services.donor_merge(actor=officer, source=b, target=c, reason="Same person (duplicate registration)")
    return a, b, c, consent


def test_a_merge_chain_gives_the_same_answer_for_every_pid(merge_chain):
    a, b, c, _ = merge_chain

    answers = [ask(d) for d in (a, b, c)]

    assert [r.answer for r in answers] == [Answer.PERMITTED] * 3
    assert {r.current_pid for r in answers} == {c.pid}


def test_a_withdrawal_recorded_after_a_merge_is_seen_with_the_old_pid(biobank_a, officer, checker, catalogue):
    a, b = make_donor(biobank_a), make_donor(biobank_a)
    consent = paper(officer, checker, a, catalogue["broad"], signed_on=JAN10, choices=BIOMATERIAL_ONLY)
    services.donor_merge(actor=officer, source=a, target=b, reason="Same person (duplicate registration)")
    consent.refresh_from_db()

    withdraw(officer, consent, "biomaterial", on=MAR1)

    assert ask(a, at=MAR2).code == "withdrawn"
    assert ask(b, at=MAR2).code == "withdrawn"


def test_material_for_hmb_is_denied_when_biomaterial_is_withdrawn_but_data_stays(
    biobank_a, officer, checker, catalogue
):
    donor = make_donor(biobank_a)
    consent = paper(
        officer,
        checker,
        donor,
        catalogue["broad"],
        signed_on=JAN10,
        choices={"data": "accepted", "biomaterial": "accepted", "research": "accepted"},
    )
    withdraw(officer, consent, "biomaterial", on=MAR1)

    material = gate.permitted(donor=donor, duo_purpose="HMB", data_class="material", at=MAR2)
    data = gate.permitted(donor=donor, duo_purpose="HMB", data_class="data", action="store", at=MAR2)

    assert (material.answer, material.code) == (Answer.DENIED, "withdrawn")
    assert data.answer == Answer.PERMITTED


def test_a_storage_consent_does_not_approve_a_use(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    choices = {"data": "accepted", "research": "declined"}  # data storage accepted, data use declined
    paper(officer, checker, donor, catalogue["broad"], signed_on=JAN10, choices=choices)

    use = gate.permitted(donor=donor, duo_purpose="HMB", data_class="data", action="use")
    store = gate.permitted(donor=donor, duo_purpose="HMB", data_class="data", action="store")

    assert (use.answer, use.code) == (Answer.DENIED, "declined")
    assert store.answer == Answer.PERMITTED


def test_a_newer_declined_version_outvotes_an_older_accepted_one(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, catalogue["broad"], signed_on=JAN10, choices=BIOMATERIAL_ONLY)

    paper(officer, checker, donor, catalogue["samples"], signed_on=JUN1, choices={"biomaterial": "declined"})

    assert ask(donor, at=JUN2).code == "declined"
    material = gate.permitted(donor=donor, duo_purpose="GRU", data_class="material", at=JUN2)
    assert (material.answer, material.code) == (Answer.DENIED, "declined")


def test_a_withdrawal_cannot_precede_the_consent_it_withdraws(withdrawn_mar1, officer):
    _, consent, _ = withdrawn_mar1

    with pytest.raises(DomainError, match="before the consent it withdraws") as raised:
        withdraw(officer, consent, "recontact", on=day(300))

    assert raised.value.field == "effective"


def test_recording_the_same_withdrawal_twice_is_a_conflict(withdrawn_mar1, officer):
    _, consent, _ = withdrawn_mar1
    count = PolicyState.objects.count()

    with pytest.raises(ConflictError, match="recorded already"):
        withdraw(officer, consent, "biomaterial", on=MAR1)

    assert PolicyState.objects.count() == count


def test_a_withdrawal_is_recorded_even_when_a_later_form_declined_and_a_late_paper_form_cannot_undo_it(
    biobank_a, officer, checker, catalogue
):
    donor = make_donor(biobank_a)
    broad = paper(officer, checker, donor, catalogue["broad"], signed_on=JAN10, choices=BIOMATERIAL_ONLY)
    paper(officer, checker, donor, catalogue["samples"], signed_on=JAN11, choices={"biomaterial": "declined"})

    withdraw(officer, broad, "biomaterial", on=MAR1)  # the letter: declined already, and still the donor's act
    paper(officer, checker, donor, catalogue["samples"], signed_on=FEB20, choices={"biomaterial": "accepted"})

    assert ask(donor, at=MAR2).code == "withdrawn"


def test_a_donor_level_withdrawal_denies_every_form_and_keeps_earlier_use_lawful(
    biobank_a, officer, checker, catalogue
):
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, catalogue["broad"], signed_on=JAN10, choices=BIOMATERIAL_ONLY)
    paper(officer, checker, donor, catalogue["samples"], signed_on=JAN11, choices={"biomaterial": "accepted"})

    rows = services.donor_withdraw(
        actor=officer, donor=donor, level="no_further_use", effective=MAR1, reason="Phone call"
    )

    assert {r.policy.code for r in rows} == {"biomat-use", "mdat-store", "recontact", "mdat-use-pub"}
    assert ask(donor, at=MAR2).code == "withdrawn"
    assert ask(donor, "mdat-store", at=MAR2).code == "withdrawn"
    assert ask(donor, at=FEB28).answer == Answer.PERMITTED


def test_a_contact_level_withdrawal_leaves_use_alone(biobank_a, officer, catalogue):
    donor = make_donor(biobank_a)
    record(officer, donor, catalogue["broad"])

    services.donor_withdraw(
        actor=officer, donor=donor, level="no_further_contact", effective=day(0), reason="Phone call"
    )

    assert ask(donor, "recontact").code == "withdrawn"
    assert ask(donor).answer == Answer.PERMITTED
