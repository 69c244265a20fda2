"""The consent gate in one SQL statement (``consent.gate_sql``) answers what ``consent.gate.permitted_many`` answers.

A property test over random timelines (acts written as ``PolicyState`` rows, merges, invalidations, policies with
several versions and DUO terms, random dates, purposes and flags), then one table test per rule of the fold.

The database sets ``recorded_at`` (``consent_clock()``, moved here with ``set_database_clock``): acts of one consent
share their recorded time (one signature); different consents and staff withdrawals are recorded at different
times, so no two acts on different versions of a code tie on every key (``timeline.decide`` would then take
whichever the database returned first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from consent import gate, gate_sql, services
from consent.models import Consent, ConsentInvalidation, Donor, PolicyState
from tests.consent.clock import set_database_clock
from tests.consent.factories import make_donor

pytestmark = pytest.mark.django_db

BASE = date(2025, 1, 1)
RECORDED = datetime(2025, 6, 1, tzinfo=UTC)

# (code, version, data_class, action, duo_terms, duo_disease): several versions of one code differ in their terms.
POLICIES = [
    ("sql-bio", "1", "biomaterial", "use", ["GRU"], ""),
    ("sql-bio", "2", "biomaterial", "use", ["HMB", "PUB"], ""),
    ("sql-ds", "1", "biomaterial", "use", ["DS"], "E11"),
    ("sql-ds", "2", "biomaterial", "use", ["NRES"], ""),
    ("sql-npu", "1", "biomaterial", "use", ["HMB", "NPU"], ""),
    ("sql-poa", "1", "biomaterial", "use", ["POA", "NPOA"], ""),
    ("sql-data", "1", "medical_data", "use", ["GRU", "NMDS"], ""),
    ("sql-data", "2", "medical_data", "store", ["HMB"], ""),
    ("sql-store", "1", "biomaterial", "store", ["GRU"], ""),
]


@pytest.fixture
def world(biobank_a, officer, checker, catalogue):
    """The timeline catalogue (consent, withdrawal and refusal forms) and the policies above, through the services."""
    template = catalogue["broad"]
    policies = [
        services.policy_create(
            actor=officer,
            biobank=biobank_a,
            code=code,
            version=version,
            name=f"{code} v{version}",
            data_class=data_class,
            action=action,
            duo_terms=terms,
            duo_disease=disease,
        )
        for code, version, data_class, action, terms, disease in POLICIES
    ]
    return {
        "biobank": biobank_a,
        "templates": catalogue,
        "module": template.modules.first(),
        "policies": policies,
        "officer": officer,
        "checker": checker,
    }


@dataclass
class Timeline:
    donors: int
    merges: list[int | None]  # donor i merged into donor i + 1 + merges[i] (kept within the list)
    consents: list[tuple[int, str]]  # the donor each form belongs to, and its type
    acts: list[dict]
    invalidations: list[tuple[int, str]]  # (consent index, status)


STATES = ["accepted", "declined", "refused", "withdrawn", "unknown"]
# What a form of each type can record (the database refuses the rest): a consent form accepts, declines or leaves
# unanswered; a withdrawal form withdraws; a refusal form refuses.
FORM_STATE = {
    "consent": lambda state: state if state in ("accepted", "declined", "unknown") else "declined",
    "withdrawal": lambda state: "withdrawn",
    "refusal": lambda state: "refused",
}


def act_strategy(states: tuple[str, ...], policies: list[int]) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {
            "donor": st.integers(0, 4),
            "consent": st.sampled_from([None, 0, 1, 2, 3, 0, 1, 2, 3]),  # None: a donor-level staff withdrawal
            "staff": st.sampled_from([False] * 7 + [True]),  # with a consent: withdrawn by staff through it
            "policy": st.sampled_from(policies),
            "version": st.integers(0, 1),
            "state": st.sampled_from(states),
            "from": st.integers(0, 15),
            "days": st.sampled_from([None, None, None, 0, 5, 15, 30]),  # an acceptance's validity in days
        }
    )


@st.composite
def timelines(draw) -> Timeline:
    donors = draw(st.integers(1, 3))
    return Timeline(
        donors=donors,
        merges=draw(st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=donors, max_size=donors)),
        consents=draw(
            st.lists(
                st.tuples(st.integers(0, donors - 1), st.sampled_from(["broad"] * 6 + ["withdrawal", "refusal"])),
                min_size=1,
                max_size=4,
            )
        ),
        # Per timeline a palette of states and a few policies, so that "permitted" comes up as often as "denied".
        acts=draw(
            st.lists(
                act_strategy(
                    draw(st.sampled_from([("accepted",), ("accepted", "accepted", "unknown", "declined"), STATES])),
                    draw(st.lists(st.integers(0, len(POLICIES) - 1), min_size=1, max_size=3)),
                ),
                min_size=2,
                max_size=7,
            )
        ),
        invalidations=draw(
            st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["approved", "pending", "rejected"])), max_size=2)
        ),
    )


def build(world: dict, timeline: Timeline) -> list[int]:
    """Write the timeline; the donor ids (merged ones included)."""
    officer, checker, policies = world["officer"], world["checker"], world["policies"]
    donors = [make_donor(world["biobank"]) for _ in range(timeline.donors)]
    for index, step in enumerate(timeline.merges):
        if step is not None and index + 1 + step < len(donors):
            target = donors[index + 1 + step]
            Donor.objects.filter(pk=donors[index].pk).update(status="merged", merged_into=target)
    consents = [
        Consent.objects.create(
            biobank=world["biobank"],
            donor=donors[owner],
            template=world["templates"][kind],
            language="en",
            source="electronic",
            status="valid",
            signed_on=BASE,
            recorded_by=officer,
            countersigned_by=officer,
        )
        for owner, kind in timeline.consents
    ]
    slots = iter(range(len(consents), 10_000))  # consent k is recorded at slot k; each staff act at its own
    for act in timeline.acts:
        consent = consents[act["consent"] % len(consents)] if act["consent"] is not None else None
        donor = consent.donor if consent is not None else donors[act["donor"] % len(donors)]
        # One signature carries one version of a code: the version follows the consent.
        code_policies = [p for p in policies if p.code == policies[act["policy"]].code]
        if consent is not None and not act["staff"]:
            policy = code_policies[consents.index(consent) % len(code_policies)]
            origin, state, slot = "signature", FORM_STATE[consent.template.type](act["state"]), consents.index(consent)
        else:
            policy = code_policies[act["version"] % len(code_policies)]
            origin, state, slot = "withdrawal", "withdrawn", next(slots)
        set_database_clock(RECORDED + timedelta(hours=slot))  # the database sets recorded_at
        valid_from = BASE + timedelta(days=act["from"])
        until = valid_from + timedelta(days=act["days"]) if act["days"] is not None and state == "accepted" else None
        PolicyState.objects.create(
            consent=consent,
            donor=donor,
            module=world["module"] if consent is not None else None,
            policy=policy,
            origin=origin,
            withdrawal_level="" if consent is not None else "no_further_use",
            state=state,
            valid_from=valid_from,
            valid_to=until,
        )
    for index, status in {i % len(consents): status for i, status in timeline.invalidations}.items():
        ConsentInvalidation.objects.create(
            consent=consents[index],
            status=status,
            reason="Wrong donor",
            requested_by=officer,
            decided_by=None if status == "pending" else checker,
            decided_at=None if status == "pending" else timezone.now(),
        )
    return [d.pk for d in donors]


def expected(donor_ids: list[int], at: date, **ask) -> set[int]:
    return {d for d, result in gate.permitted_many(donors=donor_ids, at=at, **ask).items() if result.allowed}


duo_questions = st.fixed_dictionaries(
    {
        "duo_purpose": st.sampled_from(["GRU", "HMB", "GRU", "HMB", "DS", "POA", "NRES"]),
        "data_class": st.sampled_from([None, "material", "material", "data", "biomaterial"]),
        "action": st.sampled_from([None, None, "use", "store"]),
        "disease": st.sampled_from(["", "E11", "E11.9", "C50"]),
        "for_profit": st.sampled_from([False, False, True]),
        "methods_development": st.sampled_from([False, False, True]),
    }
)
policy_questions = st.fixed_dictionaries({"policy": st.sampled_from(sorted({p[0] for p in POLICIES}))})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    timeline=timelines(),
    at=st.one_of(st.integers(10, 25), st.integers(0, 25)).map(lambda n: BASE + timedelta(days=n)),
    ask=st.one_of(duo_questions, duo_questions, policy_questions),
    asked=st.lists(st.integers(0, 9), min_size=1, max_size=4),
)
def test_it_permits_exactly_the_donors_the_python_gate_permits(world, timeline, at, ask, asked):
    with transaction.atomic():
        donors = build(world, timeline)
        ids = [donors[i % len(donors)] if i < 9 else 10**9 for i in asked]  # an unknown id now and then
        want = expected(ids, at, **ask)
        event(f"permitted {min(len(want), 2)} of {len(set(ids))}")
        assert gate_sql.permitted_donor_ids(donor_ids=ids, at=at, **ask) == want
        transaction.set_rollback(True)


# --- one table test per rule -----------------------------------------------------------------------------------------


def day(n: int) -> date:
    return BASE + timedelta(days=n)


class Timelines:
    """Writes acts one by one, each recorded one hour after the previous one unless ``with_`` names an earlier act
    (one signature)."""

    def __init__(self, world: dict):
        self.world = world
        self.slot = 0

    def donor(self, *, into: Donor | None = None) -> Donor:
        donor = make_donor(self.world["biobank"])
        if into is not None:
            self.merge(donor, into=into)
        return donor

    def merge(self, donor: Donor, *, into: Donor) -> None:
        Donor.objects.filter(pk=donor.pk).update(status="merged", merged_into=into)

    def form(self, donor: Donor, kind: str = "broad") -> Consent:
        officer = self.world["officer"]
        return Consent.objects.create(
            biobank=self.world["biobank"],
            donor=donor,
            template=self.world["templates"][kind],
            language="en",
            source="electronic",
            status="valid",
            signed_on=BASE,
            recorded_by=officer,
            countersigned_by=officer,
        )

    def act(
        self,
        consent: Consent | None,
        code: str,
        state: str,
        on: int,
        *,
        version: str = "1",
        until: int | None = None,
        donor: Donor | None = None,
        with_: PolicyState | None = None,
        staff: bool = False,
    ) -> PolicyState:
        policy = next(p for p in self.world["policies"] if p.code == code and p.version == version)
        self.slot += 1
        set_database_clock(with_.recorded_at if with_ is not None else RECORDED + timedelta(hours=self.slot))
        return PolicyState.objects.create(
            consent=consent,
            donor=consent.donor if consent is not None else donor,
            module=self.world["module"] if consent is not None else None,
            policy=policy,
            origin="withdrawal" if staff or consent is None else "signature",
            withdrawal_level="" if consent is not None else "no_further_use",
            state=state,
            valid_from=day(on),
            valid_to=day(until) if until is not None else None,
        )

    def sign(self, donor: Donor, code: str, state: str, on: int, **kwargs) -> PolicyState:
        return self.act(self.form(donor), code, state, on, **kwargs)

    def invalidate(self, consent: Consent, status: str = "approved") -> None:
        ConsentInvalidation.objects.create(
            consent=consent,
            status=status,
            reason="Wrong donor",
            requested_by=self.world["officer"],
            decided_by=None if status == "pending" else self.world["checker"],
        )


@pytest.fixture
def tl(world) -> Timelines:
    return Timelines(world)


GRU_MATERIAL = {"duo_purpose": "GRU", "data_class": "material"}


def permits(donors: list[Donor], on: int, **ask) -> set[int]:
    """The SQL gate's permitted donors, checked against the Python gate."""
    ids = [d.pk for d in donors]
    answer = gate_sql.permitted_donor_ids(donor_ids=ids, at=day(on), **ask)
    assert answer == expected(ids, day(on), **ask)
    return answer


def test_an_accepted_approving_policy_permits_and_no_consent_does_not(tl):
    signed, unsigned = tl.donor(), tl.donor()
    tl.sign(signed, "sql-bio", "accepted", 1)

    assert permits([signed, unsigned], 5, **GRU_MATERIAL) == {signed.pk}
    assert gate_sql.permitted_donor_ids(donor_ids=[10**9], duo_purpose="GRU") == set()


def test_a_merge_family_answers_with_all_its_acts_both_ways_and_transitively(tl):
    current = tl.donor()
    merged = tl.donor(into=current)
    sibling = tl.donor(into=current)
    older = tl.donor(into=merged)
    tl.sign(sibling, "sql-bio", "accepted", 1)

    assert permits([current, merged, older], 5, **GRU_MATERIAL) == {current.pk, merged.pk, older.pk}
    tl.act(None, "sql-bio", "withdrawn", 3, donor=older)
    assert permits([current, sibling], 5, **GRU_MATERIAL) == set()


def test_only_acts_effective_by_the_asked_date_count(tl):
    donor = tl.donor()
    tl.sign(donor, "sql-bio", "accepted", 10)

    assert permits([donor], 9, **GRU_MATERIAL) == set()
    assert permits([donor], 10, **GRU_MATERIAL) == {donor.pk}


def test_an_approved_invalidation_removes_the_forms_signed_acts_but_not_a_staff_withdrawal_through_it(tl):
    donor, other = tl.donor(), tl.donor()
    form, kept = tl.form(donor), tl.form(other)
    tl.act(form, "sql-bio", "accepted", 1)
    tl.act(kept, "sql-bio", "accepted", 1)
    tl.invalidate(kept, "rejected")
    assert permits([donor, other], 5, **GRU_MATERIAL) == {donor.pk, other.pk}

    tl.invalidate(form)
    assert permits([donor], 5, **GRU_MATERIAL) == set()
    withdrawn = tl.form(other)
    tl.act(withdrawn, "sql-bio", "accepted", 2)
    tl.act(withdrawn, "sql-bio", "withdrawn", 3, staff=True)
    tl.invalidate(withdrawn)
    assert permits([other], 5, **GRU_MATERIAL) == set()


def test_a_decisive_act_wins_over_a_later_unanswered_one_and_unanswered_alone_does_not_permit(tl):
    donor, silent = tl.donor(), tl.donor()
    tl.sign(donor, "sql-bio", "accepted", 1)
    tl.sign(donor, "sql-bio", "unknown", 5)
    tl.sign(silent, "sql-bio", "unknown", 1)

    assert permits([donor, silent], 8, **GRU_MATERIAL) == {donor.pk}


def test_the_latest_effective_date_decides_then_the_latest_recorded(tl):
    withdrew, came_back, same_day = tl.donor(), tl.donor(), tl.donor()
    tl.sign(withdrew, "sql-bio", "accepted", 1)
    tl.act(None, "sql-bio", "withdrawn", 5, donor=withdrew)
    tl.act(None, "sql-bio", "withdrawn", 1, donor=came_back)
    tl.sign(came_back, "sql-bio", "accepted", 5)
    tl.act(None, "sql-bio", "withdrawn", 5, donor=same_day)
    tl.sign(same_day, "sql-bio", "accepted", 5)  # recorded later on the same effective date

    assert permits([withdrew, came_back, same_day], 8, **GRU_MATERIAL) == {came_back.pk, same_day.pk}


def test_in_one_signature_the_more_restrictive_act_and_then_the_shorter_validity_decide(tl):
    restrictive, shorter = tl.donor(), tl.donor()
    form = tl.form(restrictive)
    first = tl.act(form, "sql-bio", "accepted", 1)
    tl.act(form, "sql-bio", "declined", 1, with_=first)
    form = tl.form(shorter)
    first = tl.act(form, "sql-bio", "accepted", 1)
    tl.act(form, "sql-bio", "accepted", 1, until=10, with_=first)

    assert permits([restrictive, shorter], 8, **GRU_MATERIAL) == {shorter.pk}
    assert permits([shorter], 11, **GRU_MATERIAL) == set()  # expired after its last day


def test_only_codes_of_the_asked_class_and_action_answer_every_version_of_them_folded(tl):
    donor, data_withdrawn = tl.donor(), tl.donor()
    tl.sign(donor, "sql-bio", "accepted", 1)
    tl.sign(donor, "sql-store", "declined", 1)  # biomaterial, store: not asked by a use question
    tl.sign(data_withdrawn, "sql-bio", "accepted", 1)
    tl.act(None, "sql-data", "withdrawn", 2, version="2", donor=data_withdrawn)  # v2 stores, v1 uses: the code answers

    assert permits([donor, data_withdrawn], 5, **GRU_MATERIAL) == {donor.pk, data_withdrawn.pk}
    assert permits([donor, data_withdrawn], 5, duo_purpose="HMB") == {donor.pk}  # v2's HMB covers HMB
    assert permits([donor], 5, duo_purpose="GRU", data_class="material", action="store") == set()


def test_duo_terms_abstain_deny_or_approve_as_the_python_gate_says(tl):
    abstains, ds_other, commercial = tl.donor(), tl.donor(), tl.donor()
    tl.sign(abstains, "sql-bio", "accepted", 1, version="2")  # HMB + PUB: a committee decides
    tl.sign(ds_other, "sql-npu", "accepted", 1)  # HMB + NPU
    tl.sign(ds_other, "sql-ds", "declined", 1)  # DS E11 declined: does not cover a C50 question
    tl.sign(commercial, "sql-npu", "accepted", 1)

    assert permits([abstains, ds_other, commercial], 5, duo_purpose="HMB", data_class="material") == {
        ds_other.pk,
        commercial.pk,
    }
    assert permits([ds_other], 5, duo_purpose="DS", disease="C50", data_class="material") == {ds_other.pk}
    assert permits([ds_other], 5, duo_purpose="DS", disease="E11.9", data_class="material") == set()
    assert permits([commercial], 5, duo_purpose="HMB", data_class="material", for_profit=True) == set()


def test_a_policy_question_permits_an_accepted_code(tl):
    donor, declined = tl.donor(), tl.donor()
    tl.sign(donor, "sql-store", "accepted", 1)
    tl.sign(declined, "sql-store", "declined", 1)

    assert permits([donor, declined], 5, policy="sql-store") == {donor.pk}


def test_it_embeds_as_a_subquery_and_takes_a_donor_queryset(tl):
    donor, other = tl.donor(), tl.donor()
    tl.sign(donor, "sql-bio", "accepted", 1)
    sql, params = gate_sql.permitted_donor_ids_sql(
        donors_sql="SELECT id FROM consent_donor WHERE id = ANY(%s)",
        donors_params=[[donor.pk, other.pk]],
        at=day(5),
        **GRU_MATERIAL,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM consent_donor d WHERE d.id IN ({sql})", params)
        assert cursor.fetchone()[0] == 1

    queryset = Donor.objects.filter(pk__in=[donor.pk, other.pk])
    assert gate_sql.permitted_donor_ids(queryset=queryset, at=day(5), **GRU_MATERIAL) == {donor.pk}
    with pytest.raises(ValueError):
        gate_sql.permitted_donor_ids(duo_purpose="GRU")
