"""Adversarial review of the consent gate (issue 8), from the side of a trusted-third-party consent service (gICS)
and the DUOS team: every way the gate could answer "permitted" where the donor said no, answer a case of the spec
(../shared/docs/consent-model.md, docs/consent.md, ../shared/docs/standards.md) wrongly, or fail with a 500 /
half-written data on bad input.

The cases whose docstring says ``FINDING`` failed against the first version of the timeline gate (an adversarial
review); they were fixed and stay as regression tests, like the others.

Dates: ``day(n)`` is n days before today (the scenarios' "10 Jan", "1 Mar" …); templates are in use since
``LONG_AGO`` (400 days back).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from biobank.errors import ConflictError, DomainError
from consent import gate, services
from consent.gate import Answer
from consent.models import Consent, ConsentInvalidation, Policy, PolicyState
from consent.validity import validity_end
from tests.accounts.factories import bearer, make_token
from tests.consent.factories import (  # noqa: F401  (media_root: autouse fixture)
    ALL_ACCEPTED,
    make_donor,
    media_root,
    module,
    new_pid,
    record,
    texts,
)
from tests.consent.timeline_helpers import BIOMATERIAL_ONLY, LONG_AGO, day, now, paper, withdraw

pytestmark = pytest.mark.django_db


HMB, DS, GRU, POA = "DUO:0000006", "DUO:0000007", "DUO:0000042", "DUO:0000011"
PUB, IRB = "DUO:0000019", "DUO:0000021"


# --- builders ------------------------------------------------------------------------------------------------------


@contextmanager
def in_the_past():
    """Catalogue work done ``LONG_AGO`` (so paper forms signed in the past fit the version's period of use)."""
    long_ago = timezone.make_aware(datetime.combine(LONG_AGO, datetime.min.time()))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: long_ago)
        yield


def form(biobank, officer, code, specs, *, type="consent", modules=None, validity=""):
    """A template ``code`` in use since LONG_AGO: one optional module per policy spec (module code = policy code
    unless ``module`` is given in the spec). ``modules``: use these modules instead of making new ones."""
    with in_the_past():
        if modules is None:
            modules = []
            for spec in specs:
                spec = dict(spec)
                module_code = spec.pop("module", spec["code"])
                parent = spec.pop("parent", None)
                module_validity = spec.pop("module_validity", "")
                policy = services.policy_create(actor=officer, biobank=biobank, name=spec["code"], **spec)
                modules.append(
                    services.module_create(
                        actor=officer,
                        biobank=biobank,
                        code=module_code,
                        version=int(spec.get("version", "1")),
                        texts=texts(module_code, f"About {module_code}."),
                        policies=[policy],
                        parent=parent,
                        validity=module_validity,
                    )
                )
        template = services.template_create(
            actor=officer,
            biobank=biobank,
            code=code,
            version_label="v1",
            type=type,
            texts={"en": {"title": code, "text": f"The {code} form."}},
            modules=modules,
            consent_validity=validity,
        )
        return services.template_activate(actor=officer, template=template)


def P(code, data_class="biomaterial", action="use", terms=(), disease="", **extra):
    return {
        "code": code,
        "data_class": data_class,
        "action": action,
        "duo_terms": list(terms),
        "duo_disease": disease,
        **extra,
    }


def ask(donor, *, at=None, known=None, **question):
    return gate.permitted(donor=donor, at=at, as_known_at=known, **question)


def policy_answer(donor, code, *, at=None, known=None):
    return ask(donor, policy=code, at=at, known=known)


def duo(donor, purpose, *, at=None, known=None, **question):
    return ask(donor, duo_purpose=purpose, at=at, known=known, **question)


def invalidate(requester, decider, consent, *, reason="Signed by the wrong donor"):
    request = services.consent_invalidation_request(actor=requester, consent=consent, reason=reason)
    return services.consent_invalidation_decide(actor=decider, invalidation=request, approve=True)


def raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


INSERT_ACT = """
INSERT INTO consent_policystate (consent_id, donor_id, module_id, policy_id, origin, withdrawal_level, state,
                                 valid_from, valid_to, recorded_at, recorded_by_id, reason)
VALUES (%s, %s, %s, %s, %s, '', %s, %s, NULL, %s, NULL, '')
"""


def insert_act(
    *, consent, donor_id, module_id, policy_id, state="accepted", origin="signature", valid_from=None, recorded_at=None
):
    raw(
        INSERT_ACT,
        [
            consent.pk if consent else None,
            donor_id,
            module_id,
            policy_id,
            origin,
            state,
            valid_from or consent.signed_on,
            recorded_at or timezone.now(),
        ],
    )


def biomat(template):
    return Policy.objects.get(code="biomat-use", modules__templates=template)


@pytest.fixture
def client(biobank_a):
    return bearer(make_token(biobank_a, "view_biobank", "view_donors"))


# --- A. the timeline: boundaries ----------------------------------------------------------------------------------


def test_withdrawal_effective_on_the_signing_day_denies_from_that_day(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    consent = paper(officer, checker, donor, catalogue["broad"], signed_on=day(100), choices=BIOMATERIAL_ONLY)
    withdraw(officer, consent, "biomaterial", on=day(100))

    assert policy_answer(donor, "biomat-use", at=day(100)).code == "withdrawn"
    assert policy_answer(donor, "biomat-use", at=day(101)).code == "no_consent"
    assert not policy_answer(donor, "biomat-use", at=day(101))
    assert policy_answer(donor, "mdat-store", at=day(100)).answer == Answer.PERMITTED


def test_withdrawal_day_boundaries_and_as_known_at(biobank_a, officer, checker, catalogue):
    """The spec's first three rows: permitted the day before the withdrawal, denied on and after it, and permitted
    "as known" before it was recorded."""
    donor = make_donor(biobank_a)
    consent = paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    before_recording = now()
    withdraw(officer, consent, "biomaterial", on=day(250))

    assert policy_answer(donor, "biomat-use", at=day(251)).answer == Answer.PERMITTED
    assert policy_answer(donor, "biomat-use", at=day(250)).code == "withdrawn"
    assert policy_answer(donor, "biomat-use", at=day(249)).code == "withdrawn"
    assert policy_answer(donor, "biomat-use", at=day(249), known=before_recording).answer == Answer.PERMITTED
    assert policy_answer(donor, "biomat-use", at=day(249), known=now()).answer == Answer.DENIED


def test_same_day_reconsent_on_screen_counts_again(biobank_a, officer, catalogue):
    donor = make_donor(biobank_a)
    first = record(officer, donor, catalogue["broad"], choices=BIOMATERIAL_ONLY)
    withdraw(officer, first, "biomaterial", on=timezone.localdate())
    assert policy_answer(donor, "biomat-use").code == "withdrawn"

    record(officer, donor, catalogue["samples"], choices={"biomaterial": "accepted"})

    assert policy_answer(donor, "biomat-use").answer == Answer.PERMITTED


def test_paper_reconsent_signed_after_withdrawal_counts_again(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    consent = paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    withdraw(officer, consent, "biomaterial", on=day(250))
    paper(officer, checker, donor, catalogue["samples"], signed_on=day(150), choices={"biomaterial": "accepted"})

    assert policy_answer(donor, "biomat-use", at=day(200)).code == "withdrawn"
    assert policy_answer(donor, "biomat-use", at=day(149)).answer == Answer.PERMITTED


def test_scan_signed_on_the_day_of_a_withdrawal_follows_the_spec_tie_rule(biobank_a, officer, checker, catalogue):
    """Spec step 4: same effective date → the later recorded act decides. The scan is recorded at QC approval, after
    the withdrawal, so it decides (permitted). Kept as the literal reading of the spec; see the next test."""
    donor = make_donor(biobank_a)
    consent = paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    withdraw(officer, consent, "biomaterial", on=day(250))
    paper(officer, checker, donor, catalogue["samples"], signed_on=day(250), choices={"biomaterial": "accepted"})

    assert policy_answer(donor, "biomat-use", at=day(249)).answer == Answer.PERMITTED


def test_qc_warns_when_a_scan_signed_on_the_day_of_a_withdrawal_overrides_it(biobank_a, officer, checker, catalogue):
    """FINDING. A paper consent signed on the same day as a recorded withdrawal, approved in QC afterwards, turns
    the answer from denied into permitted (tie → later recorded = the QC approval time decides, although the order
    of the two acts on that day is unknown). The QC approver must at least be warned; ``consent_later_denials``
    only looks at denials with ``valid_from > signed_on`` (strictly later), so a same-day withdrawal that is being
    overridden is approved silently (consent/selectors/consents.py, consent_later_denials)."""
    donor = make_donor(biobank_a)
    consent = paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    withdraw(officer, consent, "biomaterial", on=day(250))
    approved = paper(
        officer, checker, donor, catalogue["samples"], signed_on=day(250), choices={"biomaterial": "accepted"}
    )

    assert approved.qc_warnings, "the approver is not told that the scan overrides a same-day withdrawal"


def test_expiry_last_day_is_permitted_the_next_day_expired(biobank_a, officer, checker):
    template = form(biobank_a, officer, "short", [P("bio-short", terms=["GRU"], validity="P30D")])
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, template, signed_on=day(100), choices={"bio-short": "accepted"})
    last_day = day(100) + timedelta(days=29)

    assert policy_answer(donor, "bio-short", at=last_day).answer == Answer.PERMITTED
    assert policy_answer(donor, "bio-short", at=last_day + timedelta(days=1)).code == "expired"
    expired = duo(donor, HMB, data_class="material", at=last_day + timedelta(days=1))
    assert (expired.answer, expired.code) == (Answer.DENIED, "expired")
    assert duo(donor, HMB, data_class="material", at=last_day).answer == Answer.PERMITTED


def test_module_validity_of_a_parent_limits_a_nested_module(biobank_a, officer, checker):
    with in_the_past():
        parent_policy = services.policy_create(
            actor=officer,
            biobank=biobank_a,
            code="par",
            name="p",
            action="use",
            data_class="biomaterial",
            duo_terms=["GRU"],
        )
        child_policy = services.policy_create(
            actor=officer,
            biobank=biobank_a,
            code="chi",
            name="c",
            action="use",
            data_class="medical_data",
            duo_terms=["GRU"],
        )
        parent = services.module_create(
            actor=officer,
            biobank=biobank_a,
            code="par",
            texts=texts("p", "p"),
            policies=[parent_policy],
            validity="P10D",
        )
        child = services.module_create(
            actor=officer, biobank=biobank_a, code="chi", texts=texts("c", "c"), policies=[child_policy], parent=parent
        )
    template = form(biobank_a, officer, "nested-validity", [], modules=[parent, child])
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, template, signed_on=day(100), choices={"par": "accepted", "chi": "accepted"})

    assert policy_answer(donor, "chi", at=day(91)).answer == Answer.PERMITTED
    assert policy_answer(donor, "chi", at=day(90)).code == "expired"


def test_leap_day_validity_does_not_end_a_day_early():
    """FINDING (issue 8, item 11: "leap-day validity ends a day early"). Signed 2024-02-29 with P1Y: one year later
    has no 29 Feb, so the consent is valid through 2025-02-28. ``validity_end`` computes 2024-02-29 + 1 year =
    2025-02-28 (relativedelta clamps) minus one day = 2025-02-27 (consent/validity.py, validity_end); the gate then
    answers ``expired`` on 2025-02-28."""
    assert validity_end("P1Y", start=date(2024, 2, 29)) == date(2025, 2, 28)


def test_validity_period_ends_the_day_before_the_same_date():
    assert validity_end("P5Y", start=date(2020, 9, 1)) == date(2025, 8, 31)
    assert validity_end("P1M", start=date(2025, 1, 31)) <= date(2025, 2, 28)


# --- two documents, late paper forms, form types ------------------------------------------------------------------


def test_two_forms_in_force_withdrawal_through_the_first_denies_the_person(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    broad = paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    paper(officer, checker, donor, catalogue["samples"], signed_on=day(299), choices={"biomaterial": "accepted"})
    withdraw(officer, broad, "biomaterial", on=day(250))

    assert policy_answer(donor, "biomat-use", at=day(249)).code == "withdrawn"
    assert duo(donor, HMB, data_class="material", at=day(249)).answer == Answer.DENIED
    assert duo(donor, GRU, at=day(249)).answer == Answer.DENIED


def test_two_forms_withdrawal_through_the_second_denies_the_first(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, catalogue["broad"], signed_on=day(299), choices=BIOMATERIAL_ONLY)
    samples = paper(
        officer, checker, donor, catalogue["samples"], signed_on=day(300), choices={"biomaterial": "accepted"}
    )
    withdraw(officer, samples, "biomaterial", on=day(250))

    assert policy_answer(donor, "biomat-use", at=day(249)).code == "withdrawn"


def test_late_paper_form_never_overrides_a_later_withdrawal_and_qc_warns(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    broad = paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    withdraw(officer, broad, "biomaterial", on=day(250))
    before_approval = now()
    late = paper(officer, checker, donor, catalogue["samples"], signed_on=day(260), choices={"biomaterial": "accepted"})

    assert late.qc_warnings
    assert policy_answer(donor, "biomat-use", at=day(200)).code == "withdrawn"
    assert policy_answer(donor, "biomat-use", at=day(255)).answer == Answer.PERMITTED
    assert policy_answer(donor, "biomat-use", at=day(200), known=before_approval).code == "withdrawn"


def test_a_pending_or_rejected_scan_grants_nothing(biobank_a, officer, checker, catalogue):
    from django.core.files.base import ContentFile

    donor = make_donor(biobank_a)
    pending = services.consent_scan_upload(
        actor=officer,
        informed_by=officer,
        informed_place="Outpatient clinic",
        donor=donor,
        template=catalogue["broad"],
        language="en",
        choices=BIOMATERIAL_ONLY,
        signed_on=day(10),
        file=ContentFile(b"%PDF-1.4 x", name="f.pdf"),
    )
    assert policy_answer(donor, "biomat-use").code == "no_consent"
    services.consent_scan_qc(actor=checker, consent=pending, approve=False, note="Unreadable")
    assert policy_answer(donor, "biomat-use").code == "no_consent"
    assert not PolicyState.objects.filter(donor=donor).exists()


def test_withdrawal_form_denies_the_ticked_module_only(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=ALL_ACCEPTED)
    paper(officer, checker, donor, catalogue["withdrawal"], signed_on=day(250), choices={"biomaterial": "withdrawn"})

    assert policy_answer(donor, "biomat-use", at=day(249)).code == "withdrawn"
    assert policy_answer(donor, "mdat-store", at=day(249)).answer == Answer.PERMITTED
    assert policy_answer(donor, "recontact", at=day(249)).answer == Answer.PERMITTED
    assert duo(donor, HMB, data_class="material", at=day(249)).answer == Answer.DENIED
    assert duo(donor, HMB, data_class="data", action="store", at=day(249)).answer == Answer.PERMITTED


def test_refusal_form_denies_every_policy_on_it(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=ALL_ACCEPTED)
    paper(officer, checker, donor, catalogue["refusal"], signed_on=day(250), choices={})

    for code in ("biomat-use", "mdat-store", "recontact", "mdat-use-pub"):
        assert policy_answer(donor, code, at=day(249)).code == "refused", code
    for data_class in ("material", "data", None):
        assert duo(donor, GRU, data_class=data_class, at=day(249)).answer == Answer.DENIED
    assert duo(donor, HMB, data_class="data", action="store", at=day(249)).code == "refused"


def test_refusal_form_with_an_accepted_module_is_refused_and_nothing_written(biobank_a, officer, catalogue):
    donor = make_donor(biobank_a)
    with pytest.raises(DomainError) as error:
        record(officer, donor, catalogue["refusal"], choices={"biomaterial": "accepted"})
    assert error.value.field == "choices/biomaterial"
    assert not Consent.objects.filter(donor=donor).exists()
    assert not PolicyState.objects.filter(donor=donor).exists()


def test_withdrawal_form_accepting_a_module_or_ticking_nothing_is_refused(biobank_a, officer, catalogue):
    donor = make_donor(biobank_a)
    with pytest.raises(DomainError) as accepted:
        record(officer, donor, catalogue["withdrawal"], choices={"biomaterial": "accepted"})
    with pytest.raises(DomainError) as nothing:
        record(officer, donor, catalogue["withdrawal"], choices={"biomaterial": "unanswered"})
    assert accepted.value.field == "choices/biomaterial"
    assert nothing.value.code == "nothing_withdrawn"
    assert not Consent.objects.filter(donor=donor).exists()


def test_an_unanswered_module_on_a_later_form_does_not_revive_or_erase(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    paper(
        officer,
        checker,
        donor,
        catalogue["broad"],
        signed_on=day(300),
        choices={"data": "accepted", "biomaterial": "declined"},
    )
    paper(officer, checker, donor, catalogue["samples"], signed_on=day(200), choices={"biomaterial": "unanswered"})

    assert policy_answer(donor, "biomat-use", at=day(100)).code == "declined"


# --- B. merges -------------------------------------------------------------------------------------------------


def merge(officer, source, target):
    return services.donor_merge(actor=officer, source=source, target=target, reason="Same person (checked ID)")


def test_merge_chain_gives_the_same_answer_for_every_pid(biobank_a, officer, checker, catalogue, client):
    a, b, c = make_donor(biobank_a), make_donor(biobank_a), make_donor(biobank_a)
    paper(officer, checker, a, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    merge(officer, a, b)
    merge(officer, b, c)

    for donor in (a, b, c):
        result = policy_answer(donor, "biomat-use")
        assert result.answer == Answer.PERMITTED
        assert result.current_donor_id == c.pk
        body = client.get("/api/v1/consent/check", {"donor": donor.pid, "purpose": "biomat-use"}).json()
        assert (body["answer"], body["current_donor"]) == ("permitted", c.pid)
    bulk = client.post(
        "/api/v1/consent/check/bulk",
        {"donors": [a.pid, b.pid, c.pid], "purpose": HMB, "data_class": "material"},
        format="json",
    ).json()
    assert [(r["answer"], r["current_donor"]) for r in bulk["results"]] == [("permitted", c.pid)] * 3


def test_withdrawal_recorded_after_merge_is_seen_with_the_source_pid(biobank_a, officer, checker, catalogue, client):
    a, b = make_donor(biobank_a), make_donor(biobank_a)
    consent = paper(officer, checker, a, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    merge(officer, a, b)
    consent.refresh_from_db()
    withdraw(officer, consent, "biomaterial", on=day(10))

    body = client.get("/api/v1/consent/check", {"donor": a.pid, "purpose": "biomat-use"}).json()
    assert (body["answer"], body["code"], body["current_donor"]) == ("denied", "withdrawn", b.pid)
    assert duo(a, HMB, data_class="material").answer == Answer.DENIED


def test_donor_level_withdrawal_through_the_merged_source(biobank_a, officer, checker, catalogue):
    a, b, c = make_donor(biobank_a), make_donor(biobank_a), make_donor(biobank_a)
    paper(officer, checker, a, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    paper(officer, checker, c, catalogue["samples"], signed_on=day(200), choices={"biomaterial": "accepted"})
    merge(officer, a, b)
    merge(officer, b, c)
    a.refresh_from_db()
    services.donor_withdraw(actor=officer, donor=a, level="no_further_use", effective=day(5), reason="Letter")

    for donor in (a, b, c):
        assert policy_answer(donor, "biomat-use").code == "withdrawn"
        assert policy_answer(donor, "mdat-store").code == "withdrawn"


def test_merge_after_withdrawal_keeps_the_withdrawal(biobank_a, officer, checker, catalogue):
    a, b = make_donor(biobank_a), make_donor(biobank_a)
    consent = paper(officer, checker, a, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    paper(officer, checker, b, catalogue["samples"], signed_on=day(280), choices={"biomaterial": "accepted"})
    withdraw(officer, consent, "biomaterial", on=day(250))
    merge(officer, a, b)

    assert policy_answer(b, "biomat-use").code == "withdrawn"
    assert policy_answer(a, "biomat-use").code == "withdrawn"


def test_merge_into_a_donor_who_consented_after_the_withdrawal_counts_the_reconsent(
    biobank_a, officer, checker, catalogue
):
    a, b = make_donor(biobank_a), make_donor(biobank_a)
    consent = paper(officer, checker, a, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    withdraw(officer, consent, "biomaterial", on=day(250))
    paper(officer, checker, b, catalogue["samples"], signed_on=day(100), choices={"biomaterial": "accepted"})
    merge(officer, b, a)

    assert policy_answer(b, "biomat-use", at=day(200)).code == "withdrawn"
    assert policy_answer(b, "biomat-use").answer == Answer.PERMITTED


# --- C. invalidation --------------------------------------------------------------------------------------------


def test_invalidated_consent_as_known_before_and_after(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    consent = paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    before = now()
    invalidation = invalidate(officer, checker, consent)
    assert invalidation.decided_at >= before

    after = policy_answer(donor, "biomat-use", at=day(200))
    assert after.answer == Answer.UNKNOWN and not after.allowed
    assert policy_answer(donor, "biomat-use", at=day(200), known=before).answer == Answer.PERMITTED
    assert not duo(donor, HMB, data_class="material", at=day(200))


def test_invalidated_withdrawal_form_restores_the_consent_only_as_known_after(biobank_a, officer, checker, catalogue):
    """Invalidating a withdrawal *form* recorded in error removes that act; the earlier consent stands again."""
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    form_ = paper(
        officer, checker, donor, catalogue["withdrawal"], signed_on=day(250), choices={"biomaterial": "withdrawn"}
    )
    before = now()
    invalidate(officer, checker, form_)

    assert policy_answer(donor, "biomat-use", at=day(200), known=before).code == "withdrawn"
    assert policy_answer(donor, "biomat-use", at=day(200)).answer == Answer.PERMITTED


def test_staff_withdrawal_through_an_invalidated_form_stays(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    broad = paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    paper(officer, checker, donor, catalogue["samples"], signed_on=day(299), choices={"biomaterial": "accepted"})
    withdraw(officer, broad, "biomaterial", on=day(250))
    invalidate(officer, checker, broad)

    assert policy_answer(donor, "biomat-use", at=day(200)).code == "withdrawn"


def test_invalidation_needs_four_eyes(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    consent = record(officer, donor, catalogue["broad"], choices=BIOMATERIAL_ONLY)
    request = services.consent_invalidation_request(actor=checker, consent=consent, reason="Wrong donor")
    with pytest.raises(DomainError):
        services.consent_invalidation_decide(actor=checker, invalidation=request, approve=True)  # the asker
    with pytest.raises(DomainError):
        services.consent_invalidation_decide(actor=officer, invalidation=request, approve=True)  # the recorder
    assert policy_answer(donor, "biomat-use").answer == Answer.PERMITTED
    other = record(officer, make_donor(biobank_a), catalogue["broad"], choices=BIOMATERIAL_ONLY)
    with pytest.raises(DomainError) as no_reason:
        services.consent_invalidation_request(actor=officer, consent=other, reason="  ")
    assert no_reason.value.field == "reason"


# --- D. policy versions -------------------------------------------------------------------------------------------


def versioned(biobank, officer, *, v1_terms=("GRU",), v2_terms=("GRU",)):
    one = form(biobank, officer, "form-v1", [P("bio", terms=v1_terms, module="bio-a")])
    two = form(biobank, officer, "form-v2", [P("bio", terms=v2_terms, version="2", module="bio-b")])
    return one, two


def test_v1_accepted_v2_declined_denies(biobank_a, officer, checker):
    one, two = versioned(biobank_a, officer)
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, one, signed_on=day(300), choices={"bio-a": "accepted"})
    paper(officer, checker, donor, two, signed_on=day(150), choices={"bio-b": "declined"})

    assert policy_answer(donor, "bio", at=day(149)).code == "declined"
    assert policy_answer(donor, "bio", at=day(200)).answer == Answer.PERMITTED
    assert duo(donor, HMB, data_class="material", at=day(149)).answer == Answer.DENIED
    v1 = Policy.objects.get(code="bio", version="1")
    assert gate.permitted(donor=donor, policy=v1, at=day(149)).code == "declined"


def test_v2_accepted_then_v1_withdrawn_through_the_old_form(biobank_a, officer, checker):
    one, two = versioned(biobank_a, officer)
    donor = make_donor(biobank_a)
    old = paper(officer, checker, donor, one, signed_on=day(300), choices={"bio-a": "accepted"})
    paper(officer, checker, donor, two, signed_on=day(200), choices={"bio-b": "accepted"})
    withdraw(officer, old, "bio-a", on=day(100))

    assert policy_answer(donor, "bio", at=day(99)).code == "withdrawn"
    assert duo(donor, HMB, data_class="material", at=day(99)).answer == Answer.DENIED
    assert duo(donor, GRU, at=day(99)).answer == Answer.DENIED


def test_v1_withdrawn_with_narrower_terms_still_denies_a_purpose_v2_covers(biobank_a, officer, checker):
    """v1 (DS E11) on the old form, v2 (GRU) accepted later, then the donor withdraws through the old form: the
    withdrawal is about the policy code, so GRU/HMB use is no longer permitted either."""
    one = form(biobank_a, officer, "form-v1", [P("bio", terms=["DS"], disease="E11", module="bio-a")])
    two = form(biobank_a, officer, "form-v2", [P("bio", terms=["GRU"], version="2", module="bio-b")])
    donor = make_donor(biobank_a)
    old = paper(officer, checker, donor, one, signed_on=day(300), choices={"bio-a": "accepted"})
    paper(officer, checker, donor, two, signed_on=day(200), choices={"bio-b": "accepted"})
    withdraw(officer, old, "bio-a", on=day(100))

    assert duo(donor, HMB, data_class="material", at=day(99)).answer == Answer.DENIED


# --- E. DUO ---------------------------------------------------------------------------------------------------------


def duo_donor(biobank, officer, checker, specs, *, choices=None, code="duo-form", signed=300):
    template = form(biobank, officer, code, specs)
    donor = make_donor(biobank)
    consent = paper(
        officer,
        checker,
        donor,
        template,
        signed_on=day(signed),
        choices=choices or {s.get("module", s["code"]): "accepted" for s in specs},
    )
    return donor, consent


def test_biomaterial_withdrawn_data_accepted_material_denied_data_permitted(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    consent = paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    withdraw(officer, consent, "biomaterial", on=day(250))

    material = duo(donor, HMB, data_class="material", at=day(200))
    assert (material.answer, material.code) == (Answer.DENIED, "withdrawn")
    assert duo(donor, HMB, data_class="data", action="store", at=day(200)).answer == Answer.PERMITTED
    assert duo(donor, HMB, action="store", at=day(200)).answer == Answer.PERMITTED  # no biomaterial store policy
    assert duo(donor, HMB, at=day(200)).answer == Answer.DENIED  # every class: the withdrawn one covers HMB


def test_npu_denies_for_profit_organisations(biobank_a, officer, checker):
    donor, _ = duo_donor(biobank_a, officer, checker, [P("bio", terms=["HMB", "NPU"])])

    assert duo(donor, HMB, data_class="material").answer == Answer.PERMITTED
    assert duo(donor, HMB, data_class="material", for_profit_organisation=True).answer == Answer.DENIED
    assert duo(donor, HMB, data_class="material", for_profit=True).answer == Answer.DENIED


def test_ncu_denies_commercial_use(biobank_a, officer, checker):
    donor, _ = duo_donor(biobank_a, officer, checker, [P("bio", terms=["HMB", "NCU"])])

    assert duo(donor, HMB, data_class="material", commercial_use=True).answer == Answer.DENIED
    assert duo(donor, HMB, data_class="material").answer == Answer.PERMITTED


def test_ncu_denies_a_for_profit_purpose(biobank_a, officer, checker, client):
    """FINDING. standards.md (DUO): "A for-profit purpose is denied on NPU or NCU." A partner asking through the API
    with ``for_profit_organisation=true`` (the only for-profit flag the API has) against a policy with NCU gets
    ``permitted``: consent/duo.py duo_match applies NCU only to ``commercial_use``, and the API keeps the two flags
    separate (gate.question ORs them only for the internal ``for_profit=`` argument)."""
    donor, _ = duo_donor(biobank_a, officer, checker, [P("bio", terms=["HMB", "NCU"])])

    body = client.get(
        "/api/v1/consent/check",
        {"donor": donor.pid, "purpose": HMB, "data_class": "material", "for_profit_organisation": "true"},
    ).json()
    assert body["answer"] == "denied"


def test_npuncu_denies_for_profit_and_commercial(biobank_a, officer, checker):
    donor, _ = duo_donor(biobank_a, officer, checker, [P("bio", terms=["GRU", "NPUNCU"])])

    assert duo(donor, HMB, data_class="material", for_profit_organisation=True).answer == Answer.DENIED
    assert duo(donor, HMB, data_class="material", commercial_use=True).answer == Answer.DENIED
    assert duo(donor, HMB, data_class="material").answer == Answer.PERMITTED


def test_ds_with_and_without_disease_and_icd10_hierarchy(biobank_a, officer, checker):
    donor, _ = duo_donor(biobank_a, officer, checker, [P("bio", terms=["DS"], disease="E11")])

    no_disease = duo(donor, DS, data_class="material")
    assert (no_disease.answer, no_disease.code, no_disease.conditions) == (Answer.DENIED, "needs_committee", (DS,))
    assert duo(donor, DS, data_class="material", disease="E11").answer == Answer.PERMITTED
    assert duo(donor, DS, data_class="material", disease="E11.9").answer == Answer.PERMITTED
    assert duo(donor, DS, data_class="material", disease="ICD-10-GM:E11.9").answer == Answer.PERMITTED
    assert duo(donor, DS, data_class="material", disease="e11.9").answer == Answer.PERMITTED
    assert duo(donor, DS, data_class="material", disease="E12").code == "not_covered"
    assert duo(donor, DS, data_class="material", disease="E110").answer == Answer.PERMITTED  # E11.0 without the dot
    assert duo(donor, HMB, data_class="material").code == "not_covered"
    assert duo(donor, GRU, data_class="material").code == "not_covered"
    assert duo(donor, POA, data_class="material").code == "not_covered"


def test_ds_policy_of_a_subcode_does_not_cover_the_parent_code(biobank_a, officer, checker):
    donor, _ = duo_donor(biobank_a, officer, checker, [P("bio", terms=["DS"], disease="E11.9")])

    assert duo(donor, DS, data_class="material", disease="E11").code == "not_covered"
    assert duo(donor, DS, data_class="material", disease="E11.9").answer == Answer.PERMITTED


def test_orpha_codes_match_exactly(biobank_a, officer, checker):
    donor, _ = duo_donor(biobank_a, officer, checker, [P("bio", terms=["DS"], disease="ORPHA:558")])

    assert duo(donor, DS, data_class="material", disease="ORPHA:558").answer == Answer.PERMITTED
    assert duo(donor, DS, data_class="material", disease="orpha:558").answer == Answer.PERMITTED
    assert duo(donor, DS, data_class="material", disease="ORPHA:5580").code == "not_covered"
    assert duo(donor, DS, data_class="material", disease="ORPHA:55").code == "not_covered"


def withdrawn_ds_and_accepted_gru(biobank, officer, checker):
    donor, consent = duo_donor(
        biobank, officer, checker, [P("bio-ds", terms=["DS"], disease="E11"), P("bio-gru", terms=["GRU"])]
    )
    withdraw(officer, consent, "bio-ds", on=day(250))
    return donor


def test_withdrawn_ds_policy_denies_its_disease_despite_an_accepted_gru(biobank_a, officer, checker, client):
    donor = withdrawn_ds_and_accepted_gru(biobank_a, officer, checker)

    assert duo(donor, DS, data_class="material", disease="E11.9").answer == Answer.DENIED
    assert duo(donor, DS, data_class="material", disease="E11").answer == Answer.DENIED
    assert duo(donor, DS, data_class="material").answer == Answer.DENIED  # disease unknown: cannot exclude it
    assert duo(donor, DS, data_class="material", disease="C50").answer == Answer.PERMITTED  # other disease
    for disease in ("E11.9", "ICD-10:E11.9", "ICD-10-GM:E11.9", "icd10:e11.9"):
        body = client.get(
            "/api/v1/consent/check", {"donor": donor.pid, "purpose": DS, "data_class": "material", "disease": disease}
        ).json()
        assert body["answer"] == "denied", disease


def test_withdrawn_ds_policy_is_not_bypassed_by_the_icd10_gm_prefix_spelling(biobank_a, officer, checker, client):
    """FINDING (permitted where the donor said no). The API's disease pattern accepts ``ICD10-GM:E11.9``
    (consent/api/consent_serializers.py DISEASE: ``ICD-?10(?:-GM)?:``) but ``disease_key`` strips only ``ICD-10:``,
    ``ICD10:`` and ``ICD-10-GM:`` (consent/duo.py). ``ICD10-GM:E11.9`` is then not "within" the withdrawn DS(E11)
    policy, the withdrawal does not cover the purpose, and the donor's still-accepted GRU policy answers
    ``permitted`` for diabetes research the donor withdrew from."""
    donor = withdrawn_ds_and_accepted_gru(biobank_a, officer, checker)

    body = client.get(
        "/api/v1/consent/check",
        {"donor": donor.pid, "purpose": DS, "data_class": "material", "disease": "ICD10-GM:E11.9"},
    ).json()
    assert body["answer"] == "denied"


def test_a_ds_policy_must_name_its_disease(biobank_a, officer):
    """FINDING (issue 8, "DS policies must name their disease"; "Bad input: … a DS policy without a disease: a clear
    error naming the field"). ``policy_create(duo_terms=["DS"])`` without ``duo_disease`` is accepted
    (consent/services/catalogue.py policy_create; duo_terms_validate checks only the terms)."""
    with pytest.raises(DomainError) as error:
        services.policy_create(
            actor=officer,
            biobank=biobank_a,
            code="ds-none",
            name="DS",
            action="use",
            data_class="biomaterial",
            duo_terms=["DS"],
        )
    assert error.value.field in ("duo_disease", "disease")


def test_a_ds_policy_disease_must_be_a_code(biobank_a, officer, checker):
    """FINDING (permitted where the donor said no). ``duo_disease`` is stored unchecked (policy_create only strips
    it). A DS policy for "diabetes" (free text) that the donor withdrew never "covers" a DS E11.9 question
    (disease_within compares codes), so the withdrawal is ignored and an accepted GRU policy answers permitted.
    Expected: policy_create refuses a disease that is not ICD-10/ORPHA (the API's own DISEASE pattern)."""
    with pytest.raises(DomainError):
        services.policy_create(
            actor=officer,
            biobank=biobank_a,
            code="ds-free",
            name="DS",
            action="use",
            data_class="biomaterial",
            duo_terms=["DS"],
            duo_disease="diabetes mellitus",
        )


def test_nmds_denies_methods_development_except_within_its_disease(biobank_a, officer, checker):
    donor, _ = duo_donor(biobank_a, officer, checker, [P("bio", terms=["GRU", "NMDS"])])
    assert duo(donor, HMB, data_class="material", methods_development=True).answer == Answer.DENIED
    assert duo(donor, HMB, data_class="material").answer == Answer.PERMITTED

    ds_donor, _ = duo_donor(
        biobank_a, officer, checker, [P("bio-ds", terms=["DS", "NMDS"], disease="E11")], code="ds-form"
    )
    assert duo(ds_donor, DS, data_class="material", disease="E11.9", methods_development=True).answer == (
        Answer.PERMITTED
    )
    assert duo(ds_donor, DS, data_class="material", disease="C50", methods_development=True).answer == Answer.DENIED


def test_poa_and_npoa(biobank_a, officer, checker):
    donor, _ = duo_donor(biobank_a, officer, checker, [P("bio", terms=["GRU", "NPOA"])])
    assert duo(donor, POA, data_class="material").answer == Answer.DENIED
    assert duo(donor, HMB, data_class="material").answer == Answer.PERMITTED

    poa_donor, _ = duo_donor(biobank_a, officer, checker, [P("bio-poa", terms=["POA"])], code="poa-form")
    assert duo(poa_donor, POA, data_class="material").answer == Answer.PERMITTED
    assert duo(poa_donor, HMB, data_class="material").code == "not_covered"
    assert duo(poa_donor, DS, data_class="material", disease="E11").code == "not_covered"


def test_hmb_policy_does_not_approve_a_gru_purpose_and_modifiers_become_conditions(biobank_a, officer, checker):
    donor, _ = duo_donor(biobank_a, officer, checker, [P("bio", terms=["HMB", "PUB", "IRB"])])

    result = duo(donor, HMB, data_class="material")
    assert (result.answer, result.code, set(result.conditions)) == (Answer.DENIED, "needs_committee", {PUB, IRB})
    assert not result
    assert duo(donor, DS, data_class="material", disease="E11").code == "needs_committee"
    assert duo(donor, GRU, data_class="material").code == "not_covered"


def test_withdrawn_conditional_policy_still_denies(biobank_a, officer, checker):
    donor, consent = duo_donor(
        biobank_a, officer, checker, [P("bio-pub", terms=["GRU", "PUB"]), P("bio-gru", terms=["GRU"])]
    )
    withdraw(officer, consent, "bio-pub", on=day(250))

    assert duo(donor, HMB, data_class="material").code == "withdrawn"


def test_data_class_and_action_decide_which_policies_answer(biobank_a, officer, checker):
    donor, consent = duo_donor(
        biobank_a,
        officer,
        checker,
        [
            P("bio-use", terms=["GRU"]),
            P("bio-transfer", action="transfer", terms=["GRU"]),
            P("bio-store", action="store", terms=["GRU"]),
            P("dat-use", data_class="medical_data", terms=["HMB"]),
        ],
    )
    withdraw(officer, consent, "bio-transfer", on=day(250))

    assert duo(donor, HMB, data_class="material", action="transfer").code == "withdrawn"
    assert duo(donor, HMB, data_class="material", action="use").answer == Answer.PERMITTED
    assert duo(donor, HMB, data_class="material", action="store").answer == Answer.PERMITTED
    assert duo(donor, HMB, data_class="data", action="use").answer == Answer.PERMITTED
    assert duo(donor, HMB, data_class="data", action="transfer").code == "not_asked"
    assert not duo(donor, HMB, data_class="data", action="transfer")
    assert duo(donor, HMB, data_class="medical_data").answer == Answer.PERMITTED
    assert duo(donor, HMB, data_class="biomaterial", action="transfer").answer == Answer.DENIED
    assert duo(donor, HMB, action="transfer").answer == Answer.DENIED


def test_a_storage_policy_never_approves_use(biobank_a, officer, checker):
    donor, _ = duo_donor(biobank_a, officer, checker, [P("bio-store", action="store", terms=["GRU"])])

    assert duo(donor, HMB, data_class="material").code == "not_asked"
    assert not duo(donor, HMB, data_class="material")


def test_a_data_policy_never_answers_for_material(biobank_a, officer, checker):
    donor, _ = duo_donor(biobank_a, officer, checker, [P("dat", data_class="medical_data", terms=["GRU"])])

    assert not duo(donor, HMB, data_class="material")
    assert duo(donor, HMB, data_class="data").answer == Answer.PERMITTED


def test_withdrawn_insurance_data_policy_denies_data_questions(biobank_a, officer, checker):
    donor, consent = duo_donor(
        biobank_a,
        officer,
        checker,
        [P("dat", data_class="medical_data", terms=["GRU"]), P("ins", data_class="insurance_data", terms=["GRU"])],
    )
    withdraw(officer, consent, "ins", on=day(250))

    assert duo(donor, HMB, data_class="data").code == "withdrawn"
    assert duo(donor, HMB, data_class="medical_data").answer == Answer.PERMITTED


def test_an_optional_module_left_blank_is_unknown_not_permitted(biobank_a, officer, checker):
    donor, _ = duo_donor(biobank_a, officer, checker, [P("bio", terms=["GRU"])], choices={"bio": "unanswered"})

    assert duo(donor, HMB, data_class="material").answer == Answer.UNKNOWN
    assert not duo(donor, HMB, data_class="material")
    assert policy_answer(donor, "bio").answer == Answer.UNKNOWN


# --- F. donor-level withdrawal --------------------------------------------------------------------------------


def test_no_further_contact_withdraws_contact_only(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=ALL_ACCEPTED)
    services.donor_withdraw(actor=officer, donor=donor, level="no_further_contact", effective=day(10), reason="Call")

    assert policy_answer(donor, "recontact").code == "withdrawn"
    assert policy_answer(donor, "biomat-use").answer == Answer.PERMITTED
    assert duo(donor, HMB, data_class="material").answer == Answer.PERMITTED


def test_no_further_access_keeps_only_storage(biobank_a, officer, checker):
    """Issue 13: "no further access" keeps material and data (storage) but releases nothing new: use, transfer,
    collection, linkage and contact are withdrawn."""
    donor, _ = duo_donor(
        biobank_a,
        officer,
        checker,
        [
            P("bio-use", terms=["GRU"]),
            P("bio-store", action="store"),
            P("bio-transfer", action="transfer"),
            P("collect", data_class="medical_data", action="collect"),
            P("link", data_class="medical_data", action="link"),
            P("contact", data_class="contact", action="contact"),
        ],
    )
    services.donor_withdraw(actor=officer, donor=donor, level="no_further_access", effective=day(10), reason="Call")

    for code in ("bio-use", "bio-transfer", "collect", "link", "contact"):
        assert policy_answer(donor, code).code == "withdrawn", code
    assert policy_answer(donor, "bio-store").answer == Answer.PERMITTED
    assert duo(donor, GRU).answer == Answer.DENIED


def test_no_further_use_withdraws_everything(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=ALL_ACCEPTED)
    services.donor_withdraw(actor=officer, donor=donor, level="no_further_use", effective=day(10), reason="Letter")

    for code in ("recontact", "biomat-use", "mdat-store", "mdat-use-pub"):
        assert policy_answer(donor, code).code == "withdrawn", code
    assert policy_answer(donor, "biomat-use", at=day(11)).answer == Answer.PERMITTED
    assert duo(donor, GRU).answer == Answer.DENIED
    assert duo(donor, HMB, data_class="data", action="store").answer == Answer.DENIED
    state = policy_answer(donor, "biomat-use").states[0]
    assert (state.consent_id, state.origin) == (None, "withdrawal")


def test_donor_level_withdrawal_bad_input_writes_nothing(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=ALL_ACCEPTED)
    count = PolicyState.objects.count()
    cases = [
        ({"level": "everything", "effective": day(1), "reason": "x"}, "level"),
        ({"level": "no_further_use", "effective": day(1), "reason": "   "}, "reason"),
        ({"level": "no_further_use", "effective": day(-1), "reason": "Letter"}, "effective"),
        ({"level": "no_further_use", "effective": day(301), "reason": "Letter"}, "effective"),
    ]
    for kwargs, field in cases:
        with pytest.raises(DomainError) as error:
            services.donor_withdraw(actor=officer, donor=donor, **kwargs)
        assert error.value.field == field, kwargs
    assert PolicyState.objects.count() == count
    services.donor_withdraw(actor=officer, donor=donor, level="no_further_use", effective=day(1), reason="Letter")
    with pytest.raises(ConflictError):  # the same withdrawal again (an earlier or later one would be recorded)
        services.donor_withdraw(actor=officer, donor=donor, level="no_further_use", effective=day(1), reason="Again")


# --- G. nested modules on a withdrawal form ---------------------------------------------------------------------


def nested_catalogue(biobank, officer, *, withdrawal_with_child):
    with in_the_past():
        parent_policy = services.policy_create(
            actor=officer,
            biobank=biobank,
            code="bio-parent",
            name="p",
            action="use",
            data_class="biomaterial",
            duo_terms=["GRU"],
        )
        child_policy = services.policy_create(
            actor=officer,
            biobank=biobank,
            code="bio-child",
            name="c",
            action="transfer",
            data_class="biomaterial",
            duo_terms=["GRU"],
        )
        parent = services.module_create(
            actor=officer, biobank=biobank, code="parent", texts=texts("p", "p"), policies=[parent_policy]
        )
        child = services.module_create(
            actor=officer, biobank=biobank, code="child", texts=texts("c", "c"), policies=[child_policy], parent=parent
        )
    consent = form(biobank, officer, "nested", [], modules=[parent, child])
    withdrawal = form(
        biobank,
        officer,
        "nested-w",
        [],
        type="withdrawal",
        modules=[parent, child] if withdrawal_with_child else [parent],
    )
    return consent, withdrawal


def test_withdrawal_form_ticking_a_parent_withdraws_the_nested_module(biobank_a, officer, checker):
    consent_t, withdrawal_t = nested_catalogue(biobank_a, officer, withdrawal_with_child=True)
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, consent_t, signed_on=day(300), choices={"parent": "accepted", "child": "accepted"})
    paper(officer, checker, donor, withdrawal_t, signed_on=day(250), choices={"parent": "withdrawn"})

    assert policy_answer(donor, "bio-parent").code == "withdrawn"
    assert policy_answer(donor, "bio-child").code == "withdrawn"


def test_withdrawal_form_without_the_nested_module_still_withdraws_it(biobank_a, officer, checker):
    """FINDING (permitted where the donor said no). docs/consent.md: a withdrawal form withdraws "the ticked modules
    and everything nested in them". Nesting is a property of the module (``Module.parent``), and a withdrawal form
    may list a parent without its children (``_check_modules`` only requires a child's parent to be present). The
    expansion (``consent.services.consents.signing._expand`` → ``nested_in(ticked, modules)``) only looks at the modules
    *of the withdrawal template*, so the child module the donor accepted under the parent stays permitted."""
    consent_t, withdrawal_t = nested_catalogue(biobank_a, officer, withdrawal_with_child=False)
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, consent_t, signed_on=day(300), choices={"parent": "accepted", "child": "accepted"})
    paper(officer, checker, donor, withdrawal_t, signed_on=day(250), choices={"parent": "withdrawn"})

    assert policy_answer(donor, "bio-parent").code == "withdrawn"
    assert policy_answer(donor, "bio-child").code == "withdrawn"


def test_staff_withdrawal_of_a_parent_module_withdraws_the_nested_one(biobank_a, officer, checker):
    consent_t, _ = nested_catalogue(biobank_a, officer, withdrawal_with_child=True)
    donor = make_donor(biobank_a)
    consent = paper(
        officer, checker, donor, consent_t, signed_on=day(300), choices={"parent": "accepted", "child": "accepted"}
    )
    withdraw(officer, consent, "parent", on=day(250))

    assert policy_answer(donor, "bio-child").code == "withdrawn"
    assert duo(donor, HMB, data_class="material", action="transfer").answer == Answer.DENIED


def test_a_nested_module_cannot_be_accepted_under_a_declined_parent(biobank_a, officer):
    consent_t, _ = nested_catalogue(biobank_a, officer, withdrawal_with_child=True)
    donor = make_donor(biobank_a)
    with pytest.raises(DomainError) as error:
        record(officer, donor, consent_t, choices={"parent": "declined", "child": "accepted"})
    assert error.value.field == "choices/child"


# --- H. tampering (raw SQL) -------------------------------------------------------------------------------------


def refused_by_the_database(sql_call):
    try:
        with transaction.atomic():
            sql_call()
    except Exception:
        return True
    return False


def test_database_refuses_an_accepted_act_on_refusal_or_withdrawal_forms(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    refusal = paper(officer, checker, donor, catalogue["refusal"], signed_on=day(300), choices={})
    withdrawal = paper(
        officer, checker, donor, catalogue["withdrawal"], signed_on=day(290), choices={"biomaterial": "withdrawn"}
    )
    policy = biomat(catalogue["broad"])
    mod = module(catalogue["broad"], "biomaterial")
    for consent in (refusal, withdrawal):
        for state in ("accepted", "declined", "unknown"):
            assert refused_by_the_database(
                lambda consent=consent, state=state: insert_act(
                    consent=consent, donor_id=donor.pk, module_id=mod.pk, policy_id=policy.pk, state=state
                )
            ), (consent.template.type, state)
    assert refused_by_the_database(  # a staff-origin act is always a withdrawal
        lambda: insert_act(
            consent=None, donor_id=donor.pk, module_id=None, policy_id=policy.pk, origin="withdrawal", valid_from=day(1)
        )
    )
    assert policy_answer(donor, "biomat-use").code == "withdrawn"


def test_database_refuses_to_change_or_delete_history(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    consent = paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    rows = withdraw(officer, consent, "biomaterial", on=day(250))
    assert refused_by_the_database(
        lambda: raw(
            "UPDATE consent_policystate SET state = 'accepted', origin = 'signature' WHERE id = %s", [rows[0].pk]
        )
    )
    assert refused_by_the_database(
        lambda: raw("UPDATE consent_policystate SET valid_from = %s WHERE id = %s", [day(1), rows[0].pk])
    )
    assert refused_by_the_database(lambda: raw("DELETE FROM consent_policystate WHERE id = %s", [rows[0].pk]))
    assert refused_by_the_database(
        lambda: raw("UPDATE consent_consent SET signed_on = %s WHERE id = %s", [day(1), consent.pk])
    )
    assert policy_answer(donor, "biomat-use").code == "withdrawn"


def test_database_sets_recorded_at_so_history_cannot_be_back_dated(biobank_a, officer, checker, catalogue):
    """FINDING (issue 8 item 9 / "What to build" 6: "recorded_at set by the database on insert"). An INSERT with a
    back-dated ``recorded_at`` is stored as given: no trigger sets it (consent/migrations/0004_consent_acts.py
    consent_act_matches_form only checks the state against the form type). "As known at" — the basis of audits of
    what was released when — can then be rewritten: here an acceptance dated before the withdrawal's recording makes
    an earlier release look covered."""
    donor = make_donor(biobank_a)
    consent = paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    withdraw(officer, consent, "biomaterial", on=day(250))
    before = now()
    back_dated = timezone.now() - timedelta(days=240)
    insert_act(
        consent=consent,
        donor_id=donor.pk,
        module_id=module(catalogue["broad"], "biomaterial").pk,
        policy_id=biomat(catalogue["broad"]).pk,
        valid_from=day(240),
        recorded_at=back_dated,
    )

    row = PolicyState.objects.filter(donor=donor).latest("pk")
    assert row.recorded_at >= before, "the database kept a back-dated recorded_at"


def test_database_refuses_an_act_for_another_donor_than_the_forms(biobank_a, officer, checker, catalogue):
    """FINDING (tampering). A signature act whose ``donor_id`` is not its consent's donor is accepted by the
    database (consent_act_matches_form does not compare donor_id with consent.donor_id), and the gate then answers
    ``permitted`` for a donor who never signed: the gate folds on PolicyState.donor_id alone."""
    signer, stranger = make_donor(biobank_a), make_donor(biobank_a)
    consent = paper(officer, checker, signer, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)

    refused = refused_by_the_database(
        lambda: insert_act(
            consent=consent,
            donor_id=stranger.pk,
            module_id=module(catalogue["broad"], "biomaterial").pk,
            policy_id=biomat(catalogue["broad"]).pk,
        )
    )
    assert refused, f"stored; the gate now answers {policy_answer(stranger, 'biomat-use').answer} for a non-signer"


def test_database_refuses_acts_on_a_scan_still_pending_qc(biobank_a, officer, catalogue):
    """FINDING (tampering). A scan counts only after a second person approves it; the database nevertheless accepts
    an ``accepted`` signature act on a ``pending_qc`` consent (the trigger checks the form type, not the status),
    and the gate (which never looks at Consent.status except through invalidations) answers permitted."""
    from django.core.files.base import ContentFile

    donor = make_donor(biobank_a)
    pending = services.consent_scan_upload(
        actor=officer,
        informed_by=officer,
        informed_place="Outpatient clinic",
        donor=donor,
        template=catalogue["broad"],
        language="en",
        choices=BIOMATERIAL_ONLY,
        signed_on=day(10),
        file=ContentFile(b"%PDF-1.4 x", name="f.pdf"),
    )
    refused = refused_by_the_database(
        lambda: insert_act(
            consent=pending,
            donor_id=donor.pk,
            module_id=module(catalogue["broad"], "biomaterial").pk,
            policy_id=biomat(catalogue["broad"]).pk,
        )
    )
    assert refused, f"stored; the gate now answers {policy_answer(donor, 'biomat-use').answer} before QC"


def test_database_refuses_repointing_a_signed_consent_to_another_donor(biobank_a, officer, checker, catalogue):
    """FINDING (issue 8 item 9: "Consent.status, donor_id … writable after signing"). ``consent_consent_guard``
    (migration 0002) leaves ``donor_id`` and ``status`` writable. With ``donor_id`` changed, a withdrawal the donor
    then makes through that consent's page (consent_withdraw_module writes ``donor_id=consent.donor_id``) lands on
    the other donor, and the donor who withdrew stays permitted."""
    donor, other = make_donor(biobank_a), make_donor(biobank_a)
    consent = paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)

    refused = refused_by_the_database(
        lambda: raw("UPDATE consent_consent SET donor_id = %s WHERE id = %s", [other.pk, consent.pk])
    )
    if not refused:
        consent.refresh_from_db()
        withdraw(officer, consent, "biomaterial", on=day(5))
    answer = policy_answer(donor, "biomat-use").answer
    assert refused, f"donor_id changed; after the donor's withdrawal through that form the gate answers {answer}"


def test_database_times_and_freezes_invalidation_decisions(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    consent = paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    before = now()
    raw(
        "INSERT INTO consent_consentinvalidation (consent_id, status, reason, requested_by_id, requested_at, "
        "decided_by_id, decided_at, decision_note) VALUES (%s, 'approved', 'x', %s, %s, %s, %s, '')",
        [consent.pk, officer.pk, before - timedelta(days=300), checker.pk, before - timedelta(days=299)],
    )
    row = ConsentInvalidation.objects.get(consent=consent)
    assert row.decided_at >= before and row.requested_at >= before
    assert policy_answer(donor, "biomat-use", at=day(200), known=before).answer == Answer.PERMITTED
    assert refused_by_the_database(
        lambda: raw("UPDATE consent_consentinvalidation SET status = 'rejected' WHERE id = %s", [row.pk])
    )
    assert refused_by_the_database(lambda: raw("DELETE FROM consent_consentinvalidation WHERE id = %s", [row.pk]))
    assert refused_by_the_database(  # four eyes in the database too
        lambda: raw(
            "INSERT INTO consent_consentinvalidation (consent_id, status, reason, requested_by_id, requested_at, "
            "decided_by_id, decided_at, decision_note) VALUES (%s, 'approved', 'x', %s, now(), %s, now(), '')",
            [
                paper(
                    officer, checker, donor, catalogue["samples"], signed_on=day(5), choices={"biomaterial": "accepted"}
                ).pk,
                officer.pk,
                officer.pk,
            ],
        )
    )


# --- I. bad input (services) -----------------------------------------------------------------------------------


def test_module_withdrawal_bad_input_is_a_clear_error_and_writes_nothing(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    consent = paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    count = PolicyState.objects.count()
    with pytest.raises(DomainError) as future:
        withdraw(officer, consent, "biomaterial", on=day(-1))
    with pytest.raises(DomainError) as far_future:
        withdraw(officer, consent, "biomaterial", on=date(2099, 1, 1))
    with pytest.raises(DomainError) as before_consent:
        withdraw(officer, consent, "biomaterial", on=day(301))
    with pytest.raises(DomainError) as no_reason:
        withdraw(officer, consent, "biomaterial", on=day(1), reason=" \n ")
    assert [e.value.field for e in (future, far_future, before_consent, no_reason)] == [
        "effective",
        "effective",
        "effective",
        "reason",
    ]
    assert PolicyState.objects.count() == count


def test_module_withdrawal_through_a_withdrawal_form_or_of_a_foreign_module_is_refused(
    biobank_a, officer, checker, catalogue
):
    donor = make_donor(biobank_a)
    samples = paper(
        officer, checker, donor, catalogue["samples"], signed_on=day(300), choices={"biomaterial": "accepted"}
    )
    withdrawal = paper(
        officer, checker, donor, catalogue["withdrawal"], signed_on=day(200), choices={"recontact": "withdrawn"}
    )
    with pytest.raises(DomainError):
        withdraw(officer, withdrawal, "biomaterial", on=day(1))
    with pytest.raises(DomainError):
        services.consent_withdraw_module(
            actor=officer, consent=samples, module=module(catalogue["broad"], "data"), effective=day(1), reason="Letter"
        )


def test_withdrawing_twice_is_a_conflict(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    consent = paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    withdraw(officer, consent, "biomaterial", on=day(250))
    with pytest.raises(ConflictError):  # the same letter twice; another date is another act and is recorded
        withdraw(officer, consent, "biomaterial", on=day(250))


def test_gate_question_errors_name_the_field(biobank_a):
    donor = make_donor(biobank_a)
    with pytest.raises(DomainError) as data_class:
        duo(donor, HMB, data_class="samples")
    with pytest.raises(DomainError) as action:
        duo(donor, HMB, data_class="material", action="sell")
    with pytest.raises(DomainError) as modifier:
        duo(donor, "NPU", data_class="material")
    assert (data_class.value.field, action.value.field, modifier.value.field) == ("data_class", "action", "purpose")


def test_no_consent_at_all_is_never_permitted_even_when_unknown_is_allowed(biobank_a, officer, checker, catalogue):
    """FINDING. consent-model.md, fold step 6: "Unknown counts as denied unless the question says otherwise. 'No
    consent at all' is never permitted." ``gate._result`` sets ``allowed`` for every UNKNOWN outcome when
    ``unknown_is_denied=False`` — including ``no_consent`` (no act at all; also a donor whose only consent was
    invalidated, and an id that is no donor)."""
    donor = make_donor(biobank_a)
    result = gate.permitted(donor=donor, policy="biomat-use", unknown_is_denied=False)
    assert result.code == "no_consent"
    assert not result.allowed

    invalidated = make_donor(biobank_a)
    consent = paper(officer, checker, invalidated, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    invalidate(officer, checker, consent)
    assert not gate.permitted(donor=invalidated, duo_purpose=HMB, data_class="material", unknown_is_denied=False)


def test_unknown_may_be_allowed_when_the_caller_says_so(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices={"data": "accepted"})
    result = gate.permitted(donor=donor, policy="recontact", unknown_is_denied=False)
    assert result.answer == Answer.UNKNOWN and result.allowed
    assert not gate.permitted(donor=donor, policy="recontact")


# --- J. the API -----------------------------------------------------------------------------------------------


def pointer(response):
    return [e["pointer"] for e in response.json().get("errors", [])]


def test_api_bad_input_is_a_400_naming_the_field(biobank_a, client):
    donor = make_donor(biobank_a)
    cases = [
        ({"purpose": HMB, "data_class": "samples"}, "/data_class"),
        ({"purpose": HMB, "data_class": "material", "action": "sell"}, "/action"),
        ({"purpose": HMB, "data_class": "material", "at": "2025-02-30"}, "/at"),
        ({"purpose": HMB, "data_class": "material", "as_known_at": "yesterday"}, "/as_known_at"),
        ({"purpose": DS, "data_class": "material", "disease": "diabetes"}, "/disease"),
        ({"purpose": HMB, "data_class": "material", "for_profit_organisation": "maybe"}, "/for_profit_organisation"),
        ({"purpose": "DUO:0000045", "data_class": "material"}, "/purpose"),
        ({"purpose": "no-such-policy"}, "/purpose"),
        ({"purpose": ""}, "/purpose"),
    ]
    for params, where in cases:
        response = client.get("/api/v1/consent/check", {"donor": donor.pid, **params})
        assert response.status_code == 400, params
        assert where in pointer(response), (params, response.json())
    missing = client.get("/api/v1/consent/check", {"purpose": HMB})
    assert missing.status_code == 400 and "/donor" in pointer(missing)


def test_api_unknown_duo_id_names_the_purpose_field(biobank_a, client):
    """FINDING (bad input must name the field). ``purpose=DUO:9999999`` is a 400, but its pointer is
    ``/duo_terms`` — a field the check endpoint does not have — because ``duo_term_resolve`` raises with
    ``field="duo_terms"`` and ``_purpose`` (consent/api/consents.py) does not re-label it as ``purpose``."""
    donor = make_donor(biobank_a)
    response = client.get("/api/v1/consent/check", {"donor": donor.pid, "purpose": "DUO:9999999"})
    assert response.status_code == 400
    assert pointer(response) == ["/purpose"]


def _check_not_500(client, donor, params):
    response = client.get("/api/v1/consent/check", {"donor": donor.pid, "purpose": "biomat-use", **params})
    bulk = client.post(
        "/api/v1/consent/check/bulk", {"donors": [donor.pid], "purpose": "biomat-use", **params}, format="json"
    )
    return response.status_code, bulk.status_code


def test_api_extreme_dates_are_not_a_500(biobank_a, officer, checker, catalogue, client):
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    for params in (
        {"at": "9999-12-31"},
        {"at": "0001-01-01"},
        {"as_known_at": "9999-12-31T23:59:59Z"},
        {"as_known_at": "9999-12-31T22:00:00Z"},
        {"as_known_at": "0001-01-01T00:00:00+14:00"},
        {"as_known_at": "0001-01-01T12:00:00Z"},
    ):
        single, bulk = _check_not_500(client, donor, params)
        assert single in (200, 400) and bulk in (200, 400), (params, single, bulk)


def test_api_as_known_at_in_year_one_is_read_as_utc_and_a_moment_before_it_is_a_400_not_a_500(
    biobank_a, officer, checker, catalogue, client
):
    """FINDING (500 on bad input), fixed. ``as_known_at=0001-01-01T00:00:00`` used to crash both check endpoints with
    ``OverflowError: date value out of range``: it was read in Europe/Berlin, an hour before year 1 in UTC. The API
    reads a time without an offset as UTC now (``biobank.api.utc``), so that is the first moment of year 1; a time
    with an offset that lands before it is a 400 (``SafeDateTimeField``)."""
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    assert _check_not_500(client, donor, {"as_known_at": "0001-01-01T00:00:00"}) == (200, 200)
    assert _check_not_500(client, donor, {"as_known_at": "0001-01-01T00:00:00+01:00"}) == (400, 400)


def test_api_as_known_at_and_at_follow_the_fold(biobank_a, officer, checker, catalogue, client):
    donor = make_donor(biobank_a)
    consent = paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    before = now()
    withdraw(officer, consent, "biomaterial", on=day(250))

    def check(**params):
        return client.get("/api/v1/consent/check", {"donor": donor.pid, "purpose": "biomat-use", **params}).json()

    assert check(at=day(251).isoformat())["permitted"] is True
    assert check(at=day(249).isoformat())["code"] == "withdrawn"
    assert check(at=day(249).isoformat(), as_known_at=before.isoformat())["permitted"] is True


def test_bulk_answers_with_conditions_current_donor_and_per_item_errors(
    biobank_a, biobank_b, officer, checker, catalogue, client
):
    a, b = make_donor(biobank_a), make_donor(biobank_a)
    paper(officer, checker, a, catalogue["broad"], signed_on=day(300), choices=ALL_ACCEPTED)
    merge(officer, a, b)
    foreign = make_donor(biobank_b)
    wrong = b.pid[:-1] + ("0" if b.pid[-1] != "0" else "1")

    response = client.post(
        "/api/v1/consent/check/bulk",
        {"donors": [a.pid, b.pid, wrong, foreign.pid, "!!", a.pid], "purpose": HMB, "data_class": "data"},
        format="json",
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r.get("code") for r in results[:2]] == ["needs_committee"] * 2  # mdat-use-pub: GRU + PUB
    assert results[0]["conditions"] == [PUB] and results[0]["current_donor"] == b.pid
    assert results[2]["error"]["pointer"] == "/donors/2"
    assert results[3]["error"]["code"] == "not_found"
    assert results[4]["error"]["pointer"] == "/donors/4"
    assert results[5]["code"] == "needs_committee"
    assert all(r.get("permitted") is not True for r in results)


def test_bulk_blank_pid_is_an_item_error_not_a_whole_request_400(biobank_a, officer, checker, catalogue, client):
    """FINDING (minor). The bulk endpoint promises: "A PID that is malformed … gets an `error` with a JSON pointer
    instead of an answer; the others are answered." A blank PID ("" or spaces) fails the whole request with a 400
    (``BulkCheckInputSerializer.donors`` uses ``CharField()`` with ``allow_blank=False``), so one empty cell in a
    partner's spreadsheet blocks the answers for the other 999 donors."""
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    response = client.post(
        "/api/v1/consent/check/bulk", {"donors": [donor.pid, ""], "purpose": "biomat-use"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["results"][1]["error"]["pointer"] == "/donors/1"


def test_bulk_bad_question_is_a_400_naming_the_field(biobank_a, client):
    donor = make_donor(biobank_a)
    for body, where in (
        ({"purpose": HMB, "data_class": "samples"}, "/data_class"),
        ({"purpose": HMB, "action": "sell"}, "/action"),
        ({"purpose": "nothing"}, "/purpose"),
    ):
        response = client.post("/api/v1/consent/check/bulk", {"donors": [donor.pid], **body}, format="json")
        assert response.status_code == 400, body
        assert where in pointer(response), (body, response.json())
    empty = client.post("/api/v1/consent/check/bulk", {"donors": [], "purpose": HMB}, format="json")
    assert empty.status_code == 400


def test_partner_asking_with_the_pid_from_before_a_key_rotation(
    register, biobank_a, steward_a, officer, catalogue, client, django_capture_on_commit_callbacks
):
    """FINDING (issue 8 item 10 / "Done when": "rotation then a partner asking with the old PID"). After a key
    rotation of the PID domain every donor gets a new ``Donor.pid`` (consent/services/donors.py
    donor_pids_follow_rotation) and ``donor_get_for`` looks up ``Donor.pid`` only, so the PID printed on tube labels
    and stored by partners gets a 404 from the gate instead of the donor's answer naming the current PID."""
    from biobank.pseudonyms import services as pseudonym_services
    from biobank.pseudonyms.models import PseudonymDomain

    donor = register().donor
    record(officer, donor, catalogue["broad"], choices=BIOMATERIAL_ONLY)
    old_pid = donor.pid
    with django_capture_on_commit_callbacks(execute=True):
        pseudonym_services.domain_rotate_key(actor=steward_a, domain=PseudonymDomain.objects.get(biobank=biobank_a))
    donor.refresh_from_db()

    response = client.get("/api/v1/consent/check", {"donor": old_pid, "purpose": "biomat-use"})
    assert response.status_code == 200, (donor.pid != old_pid, response.status_code)
    assert (response.json()["permitted"], response.json()["current_donor"]) == (True, donor.pid)


def test_api_never_permits_a_donor_with_no_consent(biobank_a, catalogue, client):
    donor = make_donor(biobank_a)
    for purpose in ("biomat-use", HMB, GRU, "DUO:0000004"):
        body = client.get("/api/v1/consent/check", {"donor": donor.pid, "purpose": purpose}).json()
        assert body.get("permitted") is False, (purpose, body)


def test_a_withdrawal_reason_with_identifiers_is_refused(biobank_a, officer, checker, catalogue):
    """FINDING (issue 8, "Bad input: … a reason that contains a name or a date: a clear error naming the field and the
    rule; nothing written"; "What to build" 5). ``_reason`` (consent/services/acts.py) only checks that the reason is
    not blank; its message asks for no names or dates of birth but nothing enforces it, and the text lands in the
    append-only history (PolicyState.reason) and the audit chain, where it can never be removed."""
    donor = make_donor(biobank_a)
    consent = paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    count = PolicyState.objects.count()
    with pytest.raises(DomainError) as error:
        withdraw(
            officer, consent, "biomaterial", on=day(5), reason="Letter from Jane Schmidt, born 07.03.1970, MRN-0012345"
        )
    assert error.value.field == "reason"
    assert PolicyState.objects.count() == count


def test_no_consent_can_be_signed_for_a_merged_donor(biobank_a, officer, catalogue):
    a, b = make_donor(biobank_a), make_donor(biobank_a)
    merge(officer, a, b)
    a.refresh_from_db()
    with pytest.raises(DomainError) as error:
        record(officer, a, catalogue["broad"], choices=BIOMATERIAL_ONLY)
    assert error.value.field == "donor"
    assert not Consent.objects.filter(donor__in=[a, b]).exists()


def test_bulk_type_confusion_is_a_400_not_a_500(biobank_a, biobank_b, officer, catalogue, client):
    donor = make_donor(biobank_a)
    for body in (
        {"donors": {"a": 1}, "purpose": HMB},
        {"donors": [[1]], "purpose": HMB},
        {"donors": [{"pid": donor.pid}], "purpose": HMB},
        {"donors": [None], "purpose": HMB},
        {"donors": donor.pid, "purpose": HMB},
        {"donors": [donor.pid], "purpose": [HMB]},
        {"donors": [donor.pid], "purpose": HMB, "data_class": ["material"]},
        {"donors": [donor.pid], "purpose": HMB, "action": {"use": 1}},
        {"donors": [donor.pid], "purpose": DS, "disease": ["E11"]},
        {"donors": [donor.pid], "purpose": HMB, "at": 20250101},
        {"donors": [donor.pid], "purpose": HMB, "for_profit_organisation": None},
    ):
        response = client.post("/api/v1/consent/check/bulk", body, format="json")
        assert response.status_code == 400, (body, response.status_code)
    numbers = client.post("/api/v1/consent/check/bulk", {"donors": [123, donor.pid], "purpose": HMB}, format="json")
    assert numbers.status_code == 200 and "error" in numbers.json()["results"][0]


def test_a_policy_code_of_another_biobank_is_an_unknown_purpose(biobank_a, biobank_b, officer, client):
    from biobank.accounts.choices import Role
    from tests.accounts.factories import make_member

    other_officer = make_member(biobank_b, Role.CONSENT_OFFICER, email="b@example.org")
    services.policy_create(
        actor=other_officer,
        biobank=biobank_b,
        code="b-only",
        name="b",
        action="use",
        data_class="biomaterial",
        duo_terms=["GRU"],
    )
    donor = make_donor(biobank_a)
    response = client.get("/api/v1/consent/check", {"donor": donor.pid, "purpose": "b-only"})
    assert response.status_code == 400 and pointer(response) == ["/purpose"]


@pytest.mark.parametrize("validity", ["P0D", "2020-01-01"])
def test_a_validity_that_ends_before_signing_is_a_clear_error_not_a_500(biobank_a, officer, checker, validity):
    """FINDING (500 / unclear error on bad input). ``validity_validate`` accepts ``P0D`` (a zero period) and any
    last-valid date, also one in the past. Signing a form whose policy carries it computes ``valid_to`` before
    ``valid_from`` (validity_end: start + 0 - 1 day; or the past date), and the insert of the acceptance hits the
    CHECK ``policystate_period_ordered``: an IntegrityError (500) at signing or at QC approval instead of a
    DomainError naming the validity when the policy is created (or the form signed)."""
    from django.db import IntegrityError

    donor = make_donor(biobank_a)
    try:  # refused when the policy is created (P0D) or when the form is signed (a date already past)
        template = form(biobank_a, officer, "zero", [P("bio-zero", terms=["GRU"], validity=validity)])
        record(officer, donor, template, choices={"bio-zero": "accepted"})
    except IntegrityError as error:
        pytest.fail(f"IntegrityError at signing: {error}")
    except DomainError:
        pass
    assert not policy_answer(donor, "bio-zero")


def test_an_optional_module_cannot_come_pre_ticked_accepted(biobank_a, officer):
    """FINDING (issue 8 item 11: "optional modules can be pre-ticked 'accepted' (not valid consent under GDPR
    Recital 32 / CJEU C-673/17)"). ``module_create(default_state="accepted")`` is still allowed and the capture form
    pre-selects "Yes, I agree" for it (consent/forms/consents.py module_field: ``initial=module.default_state``), so
    an untouched optional box is recorded as ``accepted`` and the gate answers permitted."""
    from consent.forms.consents import module_field

    policy = services.policy_create(
        actor=officer,
        biobank=biobank_a,
        code="opt",
        name="o",
        action="use",
        data_class="biomaterial",
        duo_terms=["GRU"],
    )
    try:
        optional = services.module_create(
            actor=officer,
            biobank=biobank_a,
            code="opt",
            texts=texts("o", "o"),
            policies=[policy],
            mandatory=False,
            default_state="accepted",
        )
    except DomainError:
        return
    assert module_field(optional, "en").initial != "accepted"


def test_a_minor_cannot_sign_alone(register, biobank_a, officer, catalogue):
    """FINDING (issue 8 item 8 / 11: "a child can be recorded signing alone"; a representative is required when the
    donor is a minor by the vault's date of birth). ``consent_record`` only checks that a representative's name and
    relation come together (consent/services/consents/signing.py _check_representative); a 9-year-old's own signature is
    recorded and the gate answers permitted."""
    child = register(
        date_of_birth=timezone.localdate().replace(year=timezone.localdate().year - 9),
        hospital_id="MRN-CHILD",
        national_id="",
        email="",
    ).donor
    with pytest.raises(DomainError) as error:
        record(officer, child, catalogue["broad"], choices=BIOMATERIAL_ONLY)
    assert error.value.field in ("representative_name", "representative")
    assert not policy_answer(child, "biomat-use")


# --- K. a withdrawal refused as "already withdrawn" and a late paper form ------------------------------------------


def try_withdraw(call):
    try:
        call()
    except ConflictError:
        return "refused as already denied"
    return "recorded"


def test_a_withdrawal_refused_as_already_declined_lets_a_late_paper_form_permit(biobank_a, officer, checker, catalogue):
    """FINDING (permitted where the donor said no). Broad consent (day 300) accepts biomaterial; a second form (day
    200) declines it; the donor's withdrawal letter dated day 100 arrives. ``consent_withdraw_module`` refuses it
    with a ConflictError because the fold on day 100 is already ``declined`` (consent/services/acts.py:
    ``if all(state in DENYING …)``), so it is never recorded. Then a paper form the donor signed on day 150
    (before the letter) is approved in QC: the gate answers permitted today — the spec's "late paper form" row says
    denied (day 150 is before the withdrawal on day 100), and QC does not warn (no later denial on record). A
    withdrawal must be recorded as an act whatever the current state; donor_withdraw has the same short-cut
    (it skips codes already in DENYING)."""
    donor = make_donor(biobank_a)
    broad = paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    paper(officer, checker, donor, catalogue["samples"], signed_on=day(200), choices={"biomaterial": "declined"})
    outcome = try_withdraw(lambda: withdraw(officer, broad, "biomaterial", on=day(100)))
    late = paper(officer, checker, donor, catalogue["samples"], signed_on=day(150), choices={"biomaterial": "accepted"})

    answer = policy_answer(donor, "biomat-use")
    assert answer.code == "withdrawn", (outcome, answer.code, late.qc_warnings)


def test_a_withdrawal_refused_as_expired_lets_a_late_paper_form_permit(biobank_a, officer, checker):
    """FINDING (same cause). An expired acceptance counts as DENYING in the "already withdrawn" check, so the
    donor's withdrawal (day 100) of a consent that expired on day 201 is refused; a paper form signed on day 150
    (valid to day 51) approved later then permits use on day 90, after the donor withdrew. Expiry is not a decision
    of the donor and must not swallow their withdrawal."""
    template = form(biobank_a, officer, "hundred", [P("bio-100", terms=["GRU"], validity="P100D")])
    donor = make_donor(biobank_a)
    first = paper(officer, checker, donor, template, signed_on=day(300), choices={"bio-100": "accepted"})
    outcome = try_withdraw(lambda: withdraw(officer, first, "bio-100", on=day(100)))
    paper(officer, checker, donor, template, signed_on=day(150), choices={"bio-100": "accepted"})

    answer = policy_answer(donor, "bio-100", at=day(90))
    assert answer.answer == Answer.DENIED, (outcome, answer.code)


def test_a_donor_level_withdrawal_skipping_declined_policies_lets_a_late_paper_form_permit(
    biobank_a, officer, checker, catalogue
):
    """FINDING (same cause, donor level). ``donor_withdraw(no_further_use)`` writes withdrawals only for codes not
    already in DENYING on the effective date: biomat-use (declined on day 200) gets no withdrawal act, so a paper
    form signed on day 150 and approved afterwards makes biomat-use permitted again after the donor withdrew from
    everything on day 100."""
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    paper(officer, checker, donor, catalogue["samples"], signed_on=day(200), choices={"biomaterial": "declined"})
    services.donor_withdraw(actor=officer, donor=donor, level="no_further_use", effective=day(100), reason="Letter")
    paper(officer, checker, donor, catalogue["samples"], signed_on=day(150), choices={"biomaterial": "accepted"})

    assert policy_answer(donor, "mdat-store").code == "withdrawn"
    assert policy_answer(donor, "biomat-use").code == "withdrawn"


def test_bulk_with_only_unusable_pids_answers_each_with_an_error(biobank_a, catalogue, client):
    response = client.post(
        "/api/v1/consent/check/bulk", {"donors": ["!!", new_pid()], "purpose": "biomat-use"}, format="json"
    )
    assert response.status_code == 200
    assert [r["error"]["pointer"] for r in response.json()["results"]] == ["/donors/0", "/donors/1"]


def test_qc_warns_about_a_later_donor_level_withdrawal_in_the_merge_family(biobank_a, officer, checker, catalogue):
    a, b = make_donor(biobank_a), make_donor(biobank_a)
    paper(officer, checker, a, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    services.donor_withdraw(actor=officer, donor=a, level="no_further_use", effective=day(100), reason="Letter")
    merge(officer, b, a)
    late = paper(officer, checker, a, catalogue["samples"], signed_on=day(150), choices={"biomaterial": "accepted"})

    assert late.qc_warnings
    assert policy_answer(b, "biomat-use").code == "withdrawn"


def test_a_policy_version_that_changes_its_action_splits_the_fold(biobank_a, officer, checker):
    """FINDING (policy versions). consent-model.md: "An act on version 2 of a policy and an act on version 1 concern
    the same policy" and, for DUO, "the newest act per policy code decides". ``policy_create`` lets version 2 of
    ``bio`` change its action (use → transfer); the DUO path filters acts by the *version's* class and action before
    folding per code (consent/gate.py permitted_many: ``rows.filter(policy__data_class__in=…,
    policy__action=…)``), so after the donor withdrew ``bio`` (v2, through the newer form) a material-use question
    only sees the v1 acceptance and answers permitted, while the policy question says withdrawn. Either a new
    version must keep the code's class and action, or the fold must group by code first."""
    one = form(biobank_a, officer, "act-v1", [P("bio", terms=["GRU"], module="bio-a")])
    try:
        two = form(
            biobank_a, officer, "act-v2", [P("bio", action="transfer", terms=["GRU"], version="2", module="bio-b")]
        )
    except DomainError:
        return  # refused at the catalogue: fine
    donor = make_donor(biobank_a)
    paper(officer, checker, donor, one, signed_on=day(300), choices={"bio-a": "accepted"})
    newer = paper(officer, checker, donor, two, signed_on=day(200), choices={"bio-b": "accepted"})
    withdraw(officer, newer, "bio-b", on=day(100))

    assert policy_answer(donor, "bio").code == "withdrawn"
    assert duo(donor, HMB, data_class="material", action="use").answer == Answer.DENIED


def test_a_nul_character_in_the_purpose_is_a_400_not_a_500(biobank_a, catalogue, client):
    """A purpose containing NUL must not reach the database (DRF's CharField refuses it: 400)."""
    donor = make_donor(biobank_a)
    statuses = []
    for call in (
        lambda: client.get("/api/v1/consent/check", {"donor": donor.pid, "purpose": "biomat\x00use"}),
        lambda: client.post(
            "/api/v1/consent/check/bulk", {"donors": [donor.pid], "purpose": "biomat\x00use"}, format="json"
        ),
    ):
        try:
            statuses.append(call().status_code)
        except Exception as error:
            statuses.append(f"500 ({type(error).__name__}: {error})")
    assert statuses == [400, 400]


def test_one_policy_in_two_modules_of_one_form_the_more_restrictive_answer_wins(biobank_a, officer, checker):
    with in_the_past():
        policy = services.policy_create(
            actor=officer,
            biobank=biobank_a,
            code="shared",
            name="s",
            action="use",
            data_class="biomaterial",
            duo_terms=["GRU"],
        )
        m1 = services.module_create(
            actor=officer, biobank=biobank_a, code="m1", texts=texts("1", "1"), policies=[policy]
        )
        m2 = services.module_create(
            actor=officer, biobank=biobank_a, code="m2", texts=texts("2", "2"), policies=[policy]
        )
    template = form(biobank_a, officer, "twice", [], modules=[m1, m2])
    declined, unanswered = make_donor(biobank_a), make_donor(biobank_a)
    paper(officer, checker, declined, template, signed_on=day(300), choices={"m1": "accepted", "m2": "declined"})
    paper(officer, checker, unanswered, template, signed_on=day(300), choices={"m1": "accepted"})

    assert policy_answer(declined, "shared").code == "declined"
    assert duo(declined, HMB, data_class="material").answer == Answer.DENIED
    assert policy_answer(unanswered, "shared").answer == Answer.PERMITTED


def test_a_withdrawal_refused_because_of_a_form_later_invalidated_is_lost(biobank_a, officer, checker, catalogue):
    """FINDING (same cause as the "already declined" case). A withdrawal form is recorded for the donor by mistake
    (day 250); the donor's own withdrawal letter (day 200) is then refused as "already withdrawn"; the mistaken form
    is invalidated (four eyes) — and the gate answers permitted although the donor withdrew on day 200."""
    donor = make_donor(biobank_a)
    broad = paper(officer, checker, donor, catalogue["broad"], signed_on=day(300), choices=BIOMATERIAL_ONLY)
    mistaken = paper(
        officer, checker, donor, catalogue["withdrawal"], signed_on=day(250), choices={"biomaterial": "withdrawn"}
    )
    outcome = try_withdraw(lambda: withdraw(officer, broad, "biomaterial", on=day(200)))
    invalidate(officer, checker, mistaken)

    answer = policy_answer(donor, "biomat-use")
    assert answer.code == "withdrawn", (outcome, answer.code)
