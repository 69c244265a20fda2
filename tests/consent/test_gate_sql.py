"""The consent gate in one SQL statement (``consent.gate_sql``) answers what ``consent.gate.permitted_many`` answers.

A property test over random timelines (acts written as ``PolicyState`` rows, merges, invalidations, policies with
several versions and DUO terms, random dates, purposes and flags), then one table test per rule of the fold.

Acts of one consent share their recorded time (one signature); different consents and staff withdrawals are recorded
at different times, so no two acts on different versions of a code tie on every key (``timeline.decide`` would then
take whichever the database returned first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from consent import gate, gate_sql, services
from consent.models import Consent, ConsentInvalidation, Donor, PolicyState
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
act_strategy = st.fixed_dictionaries(
    {
        "donor": st.integers(0, 4),
        "consent": st.one_of(st.none(), st.integers(0, 3)),  # None: a staff withdrawal
        "staff": st.sampled_from([False, False, False, True]),  # with a consent: signed on it, or withdrawn by staff through it
        "policy": st.integers(0, len(POLICIES) - 1),
        "version": st.integers(0, 1),
        "state": st.sampled_from(["accepted"] * 5 + STATES),  # enough acceptances for "permitted" to come up
        "from": st.integers(0, 15),
        "days": st.one_of(st.none(), st.integers(0, 15)),
    }
)


@st.composite
def timelines(draw) -> Timeline:
    donors = draw(st.integers(1, 5))
    return Timeline(
        donors=donors,
        merges=draw(st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=donors, max_size=donors)),
        consents=draw(
            st.lists(
                st.tuples(st.integers(0, donors - 1), st.sampled_from(["broad"] * 4 + ["withdrawal", "refusal"])),
                min_size=1,
                max_size=4,
            )
        ),
        acts=draw(st.lists(act_strategy, max_size=12)),
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
            recorded_at=RECORDED + timedelta(hours=slot),
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
        "duo_purpose": st.sampled_from(["GRU", "HMB", "DS", "POA", "NRES"]),
        "data_class": st.sampled_from([None, "material", "data", "biomaterial"]),
        "action": st.sampled_from([None, "use", "store"]),
        "disease": st.sampled_from(["", "E11", "E11.9", "C50"]),
        "for_profit": st.booleans(),
        "methods_development": st.booleans(),
    }
)
policy_questions = st.fixed_dictionaries({"policy": st.sampled_from(sorted({p[0] for p in POLICIES}))})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    timeline=timelines(),
    at=st.integers(0, 25).map(lambda n: BASE + timedelta(days=n)),
    ask=st.one_of(duo_questions, duo_questions, policy_questions),
    asked=st.lists(st.integers(0, 5), min_size=1, max_size=6),
)
def test_it_permits_exactly_the_donors_the_python_gate_permits(world, timeline, at, ask, asked):
    with transaction.atomic():
        donors = build(world, timeline)
        ids = [donors[i] if i < len(donors) else 10**9 + i for i in asked]  # an unknown id now and then
        want = expected(ids, at, **ask)
        event(f"permitted {min(len(want), 2)} of {len(set(ids))}")
        assert gate_sql.permitted_donor_ids(donor_ids=ids, at=at, **ask) == want
        transaction.set_rollback(True)
