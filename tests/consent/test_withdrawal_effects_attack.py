"""Cases written from docs/consent-model.md by a tester who had not seen the project's tests, against the material
block (``consent.withdrawal_effects.material_state``) and the gate after withdrawals: dates, two documents, merges
(asked one PID at a time and a whole family at once), invalidation, late paper forms, the three levels."""

from __future__ import annotations

from datetime import timedelta  # noqa: F401

import pytest

from biobank.errors import DomainError
from consent import services
from consent.gate import permitted
from consent.withdrawal_effects import material_state, withdrawn_donor_ids
from tests.consent.factories import make_donor, record
from tests.consent.timeline_helpers import day, paper, withdraw

ALL = {"data": "accepted", "biomaterial": "accepted", "recontact": "accepted", "research": "accepted"}


def bio(donor, at=None):
    return permitted(donor=donor, policy="biomat-use", at=at).allowed


def pol(donor, code, at=None):
    return permitted(donor=donor, policy=code, at=at).allowed


def signed(officer, checker, donor, catalogue, on, choices=ALL, tpl="broad"):
    return paper(officer, checker, donor, catalogue[tpl], signed_on=on, choices=choices)


@pytest.fixture
def d(biobank_a):
    return make_donor(biobank_a)


def test_withdraw_yesterday_reconsent_today(officer, checker, catalogue, d):
    signed(officer, checker, d, catalogue, day(10))
    services.donor_withdraw(actor=officer, donor=d, level="no_further_use", effective=day(1), reason="letter")
    assert d.id in withdrawn_donor_ids([d.id])
    record(officer, d, catalogue["broad"], choices=ALL)
    assert bio(d)
    ms = material_state([d.id])
    assert ms.blocked == set() and ms.to_destroy == set()


def test_reconsent_same_day_recorded_later(officer, checker, catalogue, d):
    signed(officer, checker, d, catalogue, day(10))
    services.donor_withdraw(actor=officer, donor=d, level="no_further_access", effective=day(0), reason="letter")
    record(officer, d, catalogue["broad"], choices=ALL)
    assert bio(d)
    assert material_state([d.id]).blocked == set()


def test_late_paper_before_withdrawal_does_not_lift(officer, checker, catalogue, d):
    signed(officer, checker, d, catalogue, day(30))
    services.donor_withdraw(actor=officer, donor=d, level="no_further_use", effective=day(10), reason="letter")
    signed(officer, checker, d, catalogue, day(20))
    assert not bio(d)
    ms = material_state([d.id])
    assert d.id in ms.blocked and d.id in ms.to_destroy


def test_late_paper_module_withdrawal(officer, checker, catalogue, d):
    c = signed(officer, checker, d, catalogue, day(30))
    withdraw(officer, c, "biomaterial", on=day(10))
    signed(officer, checker, d, catalogue, day(20))
    assert not bio(d)
    assert d.id in withdrawn_donor_ids([d.id])


def test_two_documents_biomaterial(officer, checker, catalogue, d):
    c1 = signed(officer, checker, d, catalogue, day(30))
    signed(officer, checker, d, catalogue, day(29), choices={"biomaterial": "accepted"}, tpl="samples")
    withdraw(officer, c1, "biomaterial", on=day(10))
    assert not bio(d)
    assert d.id in withdrawn_donor_ids([d.id])
    assert d.id not in material_state([d.id]).to_destroy


def test_two_documents_later_second_form_signed_after_withdrawal(officer, checker, catalogue, d):
    c1 = signed(officer, checker, d, catalogue, day(30))
    withdraw(officer, c1, "biomaterial", on=day(10))
    signed(officer, checker, d, catalogue, day(5), choices={"biomaterial": "accepted"}, tpl="samples")
    assert bio(d)
    assert d.id not in withdrawn_donor_ids([d.id])


def _merge(officer, a, b):
    services.donor_merge(actor=officer, source=a, target=b, reason="duplicate registration")


def test_merge_withdraw_on_A_ask_B(officer, checker, catalogue, biobank_a):
    a, b = make_donor(biobank_a), make_donor(biobank_a)
    signed(officer, checker, a, catalogue, day(30))
    signed(officer, checker, b, catalogue, day(30))
    services.donor_withdraw(actor=officer, donor=a, level="no_further_use", effective=day(5), reason="letter")
    _merge(officer, a, b)
    a.refresh_from_db()
    b.refresh_from_db()
    assert not bio(b) and not bio(a)
    ms = material_state([a.id, b.id])
    assert ms.blocked == {a.id, b.id} and ms.to_destroy == {a.id, b.id}


def test_merge_withdraw_on_B_ask_A(officer, checker, catalogue, biobank_a):
    a, b = make_donor(biobank_a), make_donor(biobank_a)
    signed(officer, checker, a, catalogue, day(30))
    _merge(officer, a, b)
    b.refresh_from_db()
    services.donor_withdraw(actor=officer, donor=b, level="no_further_access", effective=day(5), reason="letter")
    assert not bio(a)
    assert withdrawn_donor_ids([a.id]) == {a.id}


def test_merge_reconsent_on_B_lifts_A_withdrawal(officer, checker, catalogue, biobank_a):
    a, b = make_donor(biobank_a), make_donor(biobank_a)
    signed(officer, checker, a, catalogue, day(30))
    services.donor_withdraw(actor=officer, donor=a, level="no_further_use", effective=day(10), reason="letter")
    _merge(officer, a, b)
    b.refresh_from_db()
    signed(officer, checker, b, catalogue, day(2))
    assert bio(a) and bio(b)
    assert material_state([a.id, b.id]).blocked == set()


def _invalidate(officer, checker, consent):
    inv = services.consent_invalidation_request(actor=officer, consent=consent, reason="recorded in error")
    services.consent_invalidation_decide(actor=checker, invalidation=inv, approve=True)


def test_invalidated_reconsent_does_not_lift(officer, checker, catalogue, d, biobank_a):
    from biobank.accounts.choices import Role
    from tests.accounts.factories import make_member

    third = make_member(biobank_a, Role.CONSENT_OFFICER, email="third@example.org")
    signed(officer, checker, d, catalogue, day(30))
    services.donor_withdraw(actor=officer, donor=d, level="no_further_use", effective=day(10), reason="letter")
    c = signed(third, checker, d, catalogue, day(3))  # recorded by third
    assert d.id not in withdrawn_donor_ids([d.id])
    _invalidate(officer, checker, c)
    assert not bio(d)
    ms = material_state([d.id])
    assert d.id in ms.blocked, "invalidated re-consent still lifts the block"
    assert d.id in ms.to_destroy


def test_invalidated_consent_carrying_module_withdrawal(officer, checker, catalogue, d, biobank_a):
    # module withdrawn through a consent later invalidated -> withdrawal acts of that consent?
    from biobank.accounts.choices import Role
    from tests.accounts.factories import make_member

    third = make_member(biobank_a, Role.CONSENT_OFFICER, email="third@example.org")
    c = signed(third, checker, d, catalogue, day(30))
    withdraw(officer, c, "biomaterial", on=day(10))
    _invalidate(officer, checker, c)
    # no consent left at all: gate denies; material_state? report value
    assert not bio(d)
    print("blocked after invalidating the consent the withdrawal sat on:", material_state([d.id]))


def test_no_further_access(officer, checker, catalogue, d):
    signed(officer, checker, d, catalogue, day(30))
    services.donor_withdraw(actor=officer, donor=d, level="no_further_access", effective=day(5), reason="letter")
    assert not bio(d)
    assert not pol(d, "mdat-use-pub")
    assert not pol(d, "recontact")
    assert pol(d, "mdat-store"), "storage must stay permitted"
    assert not permitted(donor=d, duo_purpose="HMB", data_class="biomaterial", action="use").allowed
    assert not permitted(donor=d, duo_purpose="HMB", data_class="biomaterial", action="transfer").allowed
    assert not permitted(donor=d, duo_purpose="HMB", data_class="medical_data", action="use").allowed
    ms = material_state([d.id])
    assert ms.blocked == {d.id} and ms.to_destroy == set()


def test_no_further_contact(officer, checker, catalogue, d):
    signed(officer, checker, d, catalogue, day(30))
    services.donor_withdraw(actor=officer, donor=d, level="no_further_contact", effective=day(5), reason="letter")
    assert bio(d) and pol(d, "mdat-use-pub") and pol(d, "mdat-store")
    assert not pol(d, "recontact")
    assert material_state([d.id]) == material_state([]) or material_state([d.id]).blocked == set()
    assert withdrawn_donor_ids([d.id]) == set()


@pytest.mark.parametrize("level", ["no_further_access", "no_further_use"])
def test_on_before_withdrawal(officer, checker, catalogue, d, level):
    signed(officer, checker, d, catalogue, day(30))
    services.donor_withdraw(actor=officer, donor=d, level=level, effective=day(5), reason="letter")
    ms = material_state([d.id], on=day(6))
    assert ms.blocked == set() and ms.to_destroy == set()
    assert bio(d, at=day(6))
    ms = material_state([d.id], on=day(5))
    assert ms.blocked == {d.id}


def test_stronger_after_weaker_then_reconsent_biomat_only(officer, checker, catalogue, d):
    signed(officer, checker, d, catalogue, day(30))
    services.donor_withdraw(actor=officer, donor=d, level="no_further_access", effective=day(10), reason="letter")
    services.donor_withdraw(actor=officer, donor=d, level="no_further_use", effective=day(5), reason="letter 2")
    assert material_state([d.id]).to_destroy == {d.id}


def test_reconsent_declining_biomaterial_does_not_lift(officer, checker, catalogue, d):
    signed(officer, checker, d, catalogue, day(30))
    services.donor_withdraw(actor=officer, donor=d, level="no_further_use", effective=day(10), reason="letter")
    signed(officer, checker, d, catalogue, day(2), choices={"data": "accepted", "biomaterial": "declined"})
    assert not bio(d)
    ms = material_state([d.id])
    assert d.id in ms.blocked


def test_reconsent_data_only_after_nfu_still_to_destroy(officer, checker, catalogue, d):
    # re-consent to data only after "no further use": material still withdrawn
    signed(officer, checker, d, catalogue, day(30))
    services.donor_withdraw(actor=officer, donor=d, level="no_further_use", effective=day(10), reason="letter")
    signed(
        officer,
        checker,
        d,
        catalogue,
        day(2),
        choices={"data": "accepted", "biomaterial": "declined", "research": "accepted"},
    )
    assert pol(d, "mdat-use-pub")
    assert material_state([d.id]).to_destroy == {d.id}


def test_withdrawal_form_biomaterial(officer, checker, catalogue, d):
    signed(officer, checker, d, catalogue, day(30))
    signed(officer, checker, d, catalogue, day(5), choices={"biomaterial": "withdrawn"}, tpl="withdrawal")
    assert not bio(d)
    assert d.id in withdrawn_donor_ids([d.id])


def test_refusal_form_blocks(officer, checker, catalogue, d):
    signed(officer, checker, d, catalogue, day(30))
    signed(officer, checker, d, catalogue, day(5), choices={}, tpl="refusal")
    assert not bio(d)
    print("refusal material_state", material_state([d.id]))


def test_merge_single_ask_each(officer, checker, catalogue, biobank_a):
    a, b = make_donor(biobank_a), make_donor(biobank_a)
    signed(officer, checker, a, catalogue, day(30))
    services.donor_withdraw(actor=officer, donor=a, level="no_further_use", effective=day(5), reason="letter")
    _merge(officer, a, b)
    print("single A", material_state([a.id]), "single B", material_state([b.id]), "both", material_state([a.id, b.id]))
    assert withdrawn_donor_ids([a.id]) == {a.id}
    assert withdrawn_donor_ids([b.id]) == {b.id}
    assert withdrawn_donor_ids([a.id, b.id]) == {a.id, b.id}


def test_merge_chain_ask_all(officer, checker, catalogue, biobank_a):
    a, b, c = make_donor(biobank_a), make_donor(biobank_a), make_donor(biobank_a)
    signed(officer, checker, a, catalogue, day(30))
    _merge(officer, a, b)
    b.refresh_from_db()
    _merge(officer, b, c)
    c.refresh_from_db()
    services.donor_withdraw(actor=officer, donor=c, level="no_further_access", effective=day(5), reason="letter")
    assert withdrawn_donor_ids([a.id, b.id, c.id]) == {a.id, b.id, c.id}


def test_effective_in_future_refused(officer, checker, catalogue, d):
    signed(officer, checker, d, catalogue, day(30))
    with pytest.raises(DomainError):
        services.donor_withdraw(actor=officer, donor=d, level="no_further_use", effective=day(-3), reason="letter")


def test_effective_before_consent_refused(officer, checker, catalogue, d):
    signed(officer, checker, d, catalogue, day(30))
    with pytest.raises(DomainError):
        services.donor_withdraw(actor=officer, donor=d, level="no_further_use", effective=day(40), reason="letter")


def test_withdraw_on_merged_away_donor(officer, checker, catalogue, biobank_a):
    a, b = make_donor(biobank_a), make_donor(biobank_a)
    signed(officer, checker, a, catalogue, day(30))
    _merge(officer, a, b)
    a.refresh_from_db()
    services.donor_withdraw(actor=officer, donor=a, level="no_further_use", effective=day(5), reason="letter")
    assert not bio(b)
    assert withdrawn_donor_ids([b.id]) == {b.id}
    assert material_state([b.id]).to_destroy == {b.id}


def test_invalidated_reconsent_gate_vs_material_nfa(officer, checker, catalogue, d, biobank_a):
    from biobank.accounts.choices import Role
    from tests.accounts.factories import make_member

    third = make_member(biobank_a, Role.CONSENT_OFFICER, email="third@example.org")
    signed(officer, checker, d, catalogue, day(30))
    signed(third, checker, d, catalogue, day(20))
    services.donor_withdraw(actor=officer, donor=d, level="no_further_access", effective=day(10), reason="letter")
    c2 = signed(third, checker, d, catalogue, day(3))
    _invalidate(officer, checker, c2)
    assert not bio(d)
    assert withdrawn_donor_ids([d.id]) == {d.id}


def test_nfa_then_reconsent_gate_storage(officer, checker, catalogue, d):
    signed(officer, checker, d, catalogue, day(30))
    services.donor_withdraw(actor=officer, donor=d, level="no_further_access", effective=day(10), reason="letter")
    # staff record same letter at a stronger level same day
    services.donor_withdraw(actor=officer, donor=d, level="no_further_use", effective=day(10), reason="letter2")
    assert not pol(d, "mdat-store")
    assert material_state([d.id]).to_destroy == {d.id}


def test_module_withdraw_then_donor_level_contact(officer, checker, catalogue, d):
    c = signed(officer, checker, d, catalogue, day(30))
    withdraw(officer, c, "recontact", on=day(10))
    assert withdrawn_donor_ids([d.id]) == set()
    assert bio(d)


def test_invalidated_withdrawal_form(officer, checker, catalogue, d, biobank_a):
    from biobank.accounts.choices import Role
    from tests.accounts.factories import make_member

    third = make_member(biobank_a, Role.CONSENT_OFFICER, email="third@example.org")
    signed(officer, checker, d, catalogue, day(30))
    w = signed(third, checker, d, catalogue, day(5), choices={"biomaterial": "withdrawn"}, tpl="withdrawal")
    assert not bio(d)
    _invalidate(officer, checker, w)
    assert bio(d)
    assert withdrawn_donor_ids([d.id]) == set()


def test_consent_same_day_recorded_before_withdrawal(officer, checker, catalogue, d):
    signed(officer, checker, d, catalogue, day(30))
    signed(officer, checker, d, catalogue, day(5))
    services.donor_withdraw(actor=officer, donor=d, level="no_further_use", effective=day(5), reason="letter")
    assert not bio(d)
    assert material_state([d.id]).to_destroy == {d.id}


def test_decline_in_new_consent_after_accept(officer, checker, catalogue, d):
    signed(officer, checker, d, catalogue, day(30))
    signed(officer, checker, d, catalogue, day(5), choices={"data": "accepted", "biomaterial": "declined"})
    assert not bio(d)
    print("decline-after-accept material_state", material_state([d.id]))


def test_gate_many_same_family(officer, checker, catalogue, biobank_a):
    from consent.gate import permitted_many

    a, b = make_donor(biobank_a), make_donor(biobank_a)
    signed(officer, checker, a, catalogue, day(30))
    services.donor_withdraw(actor=officer, donor=a, level="no_further_use", effective=day(5), reason="letter")
    _merge(officer, a, b)
    r = permitted_many(donors=[a.id, b.id], policy="biomat-use")
    assert not r[a.id].allowed and not r[b.id].allowed
    r = permitted_many(donors=[a.id, b.id], policy="biomat-use", at=day(10))
    assert r[a.id].allowed and r[b.id].allowed
