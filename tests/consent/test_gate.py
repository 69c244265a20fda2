"""The consent gate: point in time (the three cases of the issue), expiry, unknown as denied, QC, DUO, bulk queries."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from biobank.accounts.choices import Role
from consent import gate, services
from consent.gate import Answer
from tests.accounts.factories import make_member
from tests.consent.factories import make_catalogue, make_donor, media_root, module, record  # noqa: F401

pytestmark = pytest.mark.django_db

D = timezone.localdate() + timedelta(days=40)  # the withdrawal day, in the future of the real clock


def moment(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def officer(biobank_a):
    return make_member(biobank_a, Role.CONSENT_OFFICER, email="officer@example.org")


@pytest.fixture
def withdrawn_on_d(biobank_a, officer, clock):
    """Consent recorded 30 days before D; module biomaterial withdrawn on D (recorded D 09:00, effective D)."""
    clock(moment(D - timedelta(days=30)))
    template = make_catalogue(biobank_a, actor=officer)
    donor = make_donor(biobank_a)
    consent = record(officer, donor, template)
    clock(moment(D, 9))
    services.consent_withdraw_module(
        actor=officer, consent=consent, module=module(template, "biomaterial"), effective=D, reason="Letter of 1 May"
    )
    clock(moment(D + timedelta(days=60)))
    return donor, consent


def test_before_the_withdrawal_as_known_then_use_is_permitted(withdrawn_on_d):
    donor, consent = withdrawn_on_d

    result = gate.permitted(
        donor=donor, policy="biomat-use", at=D - timedelta(days=1), as_known_at=moment(D - timedelta(days=1), 23)
    )

    assert result.answer == Answer.PERMITTED and result.allowed
    assert result.consent_ids == [consent.pk]


def test_after_the_withdrawal_use_is_denied(withdrawn_on_d):
    donor, _ = withdrawn_on_d

    result = gate.permitted(donor=donor, policy="biomat-use", at=D + timedelta(days=1))

    assert result.answer == Answer.DENIED and not result
    assert result.code == "withdrawn"
    assert f"from {D} on" in result.reason


def test_the_day_before_the_withdrawal_as_known_later_stays_permitted_because_withdrawal_is_not_retroactive(
    withdrawn_on_d,
):
    donor, _ = withdrawn_on_d

    result = gate.permitted(
        donor=donor, policy="biomat-use", at=D - timedelta(days=1), as_known_at=moment(D + timedelta(days=1))
    )

    assert result.answer == Answer.PERMITTED


def test_on_the_day_of_the_withdrawal_use_is_denied(withdrawn_on_d):
    donor, _ = withdrawn_on_d

    assert gate.permitted(donor=donor, policy="biomat-use", at=D).answer == Answer.DENIED


def test_other_modules_are_untouched_by_a_module_withdrawal(withdrawn_on_d):
    donor, _ = withdrawn_on_d

    assert gate.permitted(donor=donor, policy="mdat-store", at=D + timedelta(days=1)).answer == Answer.PERMITTED


def test_as_known_before_the_consent_was_recorded_nothing_is_known_and_unknown_counts_as_denied(withdrawn_on_d):
    donor, _ = withdrawn_on_d
    before = moment(D - timedelta(days=31))

    result = gate.permitted(donor=donor, policy="mdat-store", at=D - timedelta(days=30), as_known_at=before)

    assert (result.answer, result.code, result.allowed) == (Answer.UNKNOWN, "no_consent", False)
    lenient = gate.permitted(
        donor=donor, policy="mdat-store", at=D - timedelta(days=30), as_known_at=before, unknown_is_denied=False
    )
    assert lenient.answer == Answer.UNKNOWN and not lenient.allowed  # "no consent at all" is never permitted


def test_a_withdrawal_cannot_take_effect_after_today(withdrawn_on_d, officer):
    _, consent = withdrawn_on_d
    from biobank.errors import DomainError

    with pytest.raises(DomainError, match="cannot be after today") as raised:
        services.consent_withdraw_module(
            actor=officer,
            consent=consent,
            module=module(consent.template, "recontact"),
            effective=timezone.localdate() + timedelta(days=1),
            reason="Letter",
        )
    assert raised.value.field == "effective"


def test_a_consent_expires_after_the_shortest_validity(biobank_a, officer, clock):
    clock(moment(D))
    template = make_catalogue(biobank_a, actor=officer)
    donor = make_donor(biobank_a)
    record(officer, donor, template)

    last_day = D.replace(year=D.year + 2) - timedelta(days=1)  # module recontact: P2Y
    assert gate.permitted(donor=donor, policy="recontact", at=last_day).answer == Answer.PERMITTED
    expired = gate.permitted(donor=donor, policy="recontact", at=last_day + timedelta(days=1))
    assert (expired.answer, expired.code) == (Answer.DENIED, "expired")


def test_declined_and_unanswered_modules_roll_up_to_denied_and_unknown(biobank_a, officer):
    template = make_catalogue(biobank_a, actor=officer)
    donor = make_donor(biobank_a)
    record(officer, donor, template, choices={"data": "accepted", "biomaterial": "declined"})

    assert gate.permitted(donor=donor, policy="biomat-use").answer == Answer.DENIED
    unknown = gate.permitted(donor=donor, policy="recontact")
    assert (unknown.answer, unknown.allowed) == (Answer.UNKNOWN, False)
    not_asked = gate.permitted(donor=donor, policy="never-asked")
    assert (not_asked.answer, not_asked.code) == (Answer.UNKNOWN, "not_asked")


def test_a_scanned_form_pending_qc_is_ignored_until_a_second_person_approves_it(biobank_a, officer):
    template = make_catalogue(biobank_a, actor=officer)
    donor = make_donor(biobank_a)
    consent = services.consent_scan_upload(
        actor=officer,
        donor=donor,
        template=template,
        language="en",
        choices={"data": "accepted", "biomaterial": "accepted"},
        signed_on=timezone.localdate(),
        file=ContentFile(b"%PDF-1.4 scanned form", name="form.pdf"),
        informed_by=officer,
        informed_place="Outpatient clinic",
    )
    assert gate.permitted(donor=donor, policy="biomat-use").code == "no_consent"
    before_qc = timezone.now()

    checker = make_member(biobank_a, Role.CONSENT_OFFICER, email="checker@example.org")
    services.consent_scan_qc(actor=checker, consent=consent, approve=True)

    assert gate.permitted(donor=donor, policy="biomat-use").answer == Answer.PERMITTED
    assert gate.permitted(donor=donor, policy="biomat-use", as_known_at=before_qc).answer == Answer.UNKNOWN


def test_duo_purposes_follow_the_matching_rules(biobank_a, officer):
    template = make_catalogue(biobank_a, actor=officer)
    donor = make_donor(biobank_a)
    record(officer, donor, template, choices={"data": "accepted", "research": "accepted"})

    store = gate.permitted(donor=donor, duo_purpose="DUO:0000006", data_class="data", action="store")
    assert store.answer == Answer.PERMITTED  # HMB storage on the HMB storage policy
    use = gate.permitted(donor=donor, duo_purpose="HMB", data_class="data")  # use: only GRU+PUB covers it
    assert (use.answer, use.code, use.conditions) == (Answer.DENIED, "needs_committee", ("DUO:0000019",))
    poa = gate.permitted(donor=donor, duo_purpose="POA", data_class="data")
    assert (poa.answer, poa.code, poa.conditions) == (Answer.DENIED, "needs_committee", ("DUO:0000019",))


def test_a_declined_gru_policy_denies_general_research_use(biobank_a, officer):
    template = make_catalogue(biobank_a, actor=officer)
    donor = make_donor(biobank_a)
    record(officer, donor, template, choices={"data": "accepted", "biomaterial": "declined", "research": "declined"})

    result = gate.permitted(donor=donor, duo_purpose="GRU", data_class="data")

    assert (result.answer, result.code) == (Answer.DENIED, "declined")


def test_the_bulk_gate_runs_the_same_number_of_queries_for_one_or_many_donors(
    biobank_a, officer, django_assert_num_queries
):
    template = make_catalogue(biobank_a, actor=officer)
    donors = [make_donor(biobank_a) for _ in range(12)]
    for donor in donors[::2]:
        record(officer, donor, template)

    with django_assert_num_queries(3):
        one = gate.permitted_many(donors=donors[:1], policy="biomat-use")
    with django_assert_num_queries(3):
        many = gate.permitted_many(donors=donors, duo_purpose="HMB", data_class="data", action="store")

    assert one[donors[0].pk].answer == Answer.PERMITTED
    assert [many[d.pk].answer for d in donors] == [Answer.PERMITTED, Answer.UNKNOWN] * 6


def test_the_demo_catalogue_is_signable_and_answers_at_the_gate(biobank_a, officer):
    from consent.demo_consent import seed_demo_consent
    from consent.models import Template

    v1 = seed_demo_consent(biobank=biobank_a, actor=None)
    assert seed_demo_consent(biobank=biobank_a, actor=None) == v1  # idempotent
    assert Template.objects.get(code="mii-broad-consent", version_label="v1.7").status == "draft"
    donor = make_donor(biobank_a)
    record(officer, donor, v1, choices={"patientdata": "accepted", "biomaterial": "accepted"}, language="de")

    assert gate.permitted(donor=donor, duo_purpose="HMB", data_class="data").answer == Answer.PERMITTED
    assert gate.permitted(donor=donor, policy="biomat-transfer").answer == Answer.UNKNOWN


def test_the_bulk_gate_answers_ten_thousand_donors_in_three_queries(biobank_a, officer, django_assert_num_queries):
    from consent.models import Donor
    from tests.consent.factories import new_pid

    template = make_catalogue(biobank_a, actor=officer)
    signed = [make_donor(biobank_a) for _ in range(3)]
    for donor in signed:
        record(officer, donor, template)
    services.donor_merge(actor=officer, source=signed[0], target=signed[1], reason="Same person (duplicate)")
    others = Donor.objects.bulk_create(Donor(biobank=biobank_a, pid=new_pid()) for _ in range(10_000 - len(signed)))
    donors = [*signed, *others]

    with django_assert_num_queries(3):
        answers = gate.permitted_many(donors=donors, duo_purpose="GRU", data_class="material")

    assert len(answers) == 10_000
    assert [answers[d.pk].answer for d in signed] == [Answer.PERMITTED] * 3
    assert answers[signed[0].pk].current_donor_id == signed[1].pk
    assert {answers[d.pk].code for d in others} == {"no_consent"}
