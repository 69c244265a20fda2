"""Property tests of the consent gate: over random timelines of acts, the gate answers what a small reference fold,
written here from ../shared/docs/consent-model.md alone, answers.

Two levels: the pure fold (``consent.timeline``) over generated acts, and the whole gate on PostgreSQL over timelines
built through the real services (paper forms approved in QC, withdrawals, invalidations) and asked at every date and
every moment of knowledge in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from biobank.accounts.choices import Role
from biobank.errors import ConflictError
from consent import gate, services
from consent.gate import Answer
from consent.timeline import Act, decide
from tests.accounts.factories import make_member
from tests.consent.factories import make_donor, media_root  # noqa: F401
from tests.consent.timeline_helpers import (
    day,
    paper,
    withdraw,
)

# --- the reference: the fold as the consent model states it ---------------------------------------------------------

DENY = {"declined", "refused", "withdrawn"}


def reference(acts: list[dict], *, at: date) -> str:
    """Per the model: of the decisive acts effective by ``at`` the latest effective one decides, then the later
    recorded, then the more restrictive; an acceptance past its last day is expired; only unanswered → unknown."""
    effective = [a for a in acts if a["effective"] <= at]
    if not effective:
        return "none"
    decisive = [a for a in effective if a["state"] != "unknown"]
    if not decisive:
        return "unknown"
    severity = ["withdrawn", "refused", "declined", "accepted"]

    def rank(a: dict) -> tuple:  # ties: the more restrictive state, then the shorter validity
        ends = a["valid_to"].toordinal() if a["valid_to"] is not None else 10**9
        return (a["effective"], a["recorded"], -severity.index(a["state"]), -ends)

    decisive.sort(key=rank)
    last = decisive[-1]
    if last["state"] == "accepted" and last["valid_to"] is not None and last["valid_to"] < at:
        return "expired"
    return last["state"]


BASE = date(2025, 1, 1)
STATES = ["accepted", "declined", "refused", "withdrawn", "unknown"]
acts_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "state": st.sampled_from(STATES),
            "effective": st.integers(0, 20).map(lambda n: BASE + timedelta(days=n)),
            "recorded": st.integers(0, 6),
            "valid_days": st.one_of(st.none(), st.integers(0, 15)),
        }
    ),
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(acts=acts_strategy, at=st.integers(0, 25).map(lambda n: BASE + timedelta(days=n)))
def test_the_fold_equals_the_reference_over_random_acts(acts, at):
    for act in acts:
        days = act.pop("valid_days")
        act["valid_to"] = (
            act["effective"] + timedelta(days=days) if days is not None and act["state"] == "accepted" else None
        )
    objects = [
        Act(
            i,
            1,
            i,
            1,
            "p",
            "1",
            "m",
            "signature",
            a["state"],
            a["effective"],
            a["valid_to"],
            datetime(2026, 1, 1, a["recorded"], tzinfo=UTC),
        )
        for i, a in enumerate(acts)
    ]

    decision = decide(objects, at)

    assert (decision.state if decision else "none") == reference(acts, at=at)


# --- the whole gate on PostgreSQL, timelines built through the services -----------------------------------------------


@dataclass
class Step:
    kind: str  # "paper", "withdraw", "invalidate"
    signed: int  # days before today (effective date)
    choice: str = "accepted"
    target: int = 0  # which earlier paper form (withdrawal through it / invalidation of it)


steps_strategy = st.lists(
    st.one_of(
        st.builds(
            Step, kind=st.just("paper"), signed=st.integers(5, 60), choice=st.sampled_from(["accepted", "declined"])
        ),
        st.builds(Step, kind=st.just("withdraw"), signed=st.integers(0, 60), target=st.integers(0, 5)),
        st.builds(Step, kind=st.just("invalidate"), signed=st.just(0), target=st.integers(0, 5)),
    ),
    min_size=1,
    max_size=6,
)


@pytest.fixture
def decider(biobank_a):
    """A third officer: invalidations are decided by neither the one who asked nor the one who recorded."""
    return make_member(biobank_a, Role.CONSENT_OFFICER, email="decider@example.org")


def _apply(step: Step, index: int, ctx: dict) -> None:
    """Carry one step out through the services and write what it did into the reference's log."""
    forms, log, invalidated = ctx["forms"], ctx["log"], ctx["invalidated"]
    if step.kind == "paper":
        choices = {"data": "accepted", "biomaterial": step.choice}
        signed = day(step.signed)
        forms.append(
            paper(ctx["officer"], ctx["checker"], ctx["donor"], ctx["template"], signed_on=signed, choices=choices)
        )
        log.append({"state": step.choice, "effective": signed, "recorded": index, "form": len(forms) - 1})
        return
    if not forms:
        return
    target = step.target % len(forms)
    if target in invalidated:
        return
    if step.kind == "withdraw":
        effective = max(day(step.signed), forms[target].signed_on)
        try:
            withdraw(ctx["officer"], forms[target], "biomaterial", on=effective)
        except ConflictError:
            return  # already denied on that day: nothing written, nothing in the reference either
        log.append({"state": "withdrawn", "effective": effective, "recorded": index, "form": None})
        return
    request = services.consent_invalidation_request(actor=ctx["checker"], consent=forms[target], reason="Wrong donor")
    services.consent_invalidation_decide(actor=ctx["decider"], invalidation=request, approve=True)
    invalidated[target] = index


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps_strategy, ask_days=st.lists(st.integers(0, 65), min_size=1, max_size=4))
def test_the_gate_equals_the_reference_over_random_timelines(
    biobank_a, officer, checker, decider, catalogue, steps, ask_days
):
    donor = make_donor(biobank_a)
    ctx = {
        "forms": [],
        "log": [],  # the reference's acts: state, effective, recorded (step index), form index
        "invalidated": {},  # form index → step index of its invalidation
        "officer": officer,
        "checker": checker,
        "decider": decider,
        "donor": donor,
        "template": catalogue["broad"],
    }
    moments = [timezone.now()]  # moments[i]: right after step i (0: before anything)
    for index, step in enumerate(steps, start=1):
        _apply(step, index, ctx)
        moments.append(timezone.now())
    for known_index, known in enumerate(moments):
        acts = [
            a
            for a in ctx["log"]
            if a["recorded"] <= known_index
            and not (a["form"] is not None and ctx["invalidated"].get(a["form"], 10**6) <= known_index)
        ]
        for offset in ask_days:
            at = day(offset)
            expected = reference([{**a, "valid_to": None} for a in acts], at=at)
            result = gate.permitted(donor=donor, policy="biomat-use", at=at, as_known_at=known)
            wanted = {"accepted": Answer.PERMITTED, "none": Answer.UNKNOWN}.get(expected, Answer.DENIED)
            assert result.answer == wanted, (steps, known_index, offset, expected, result.reason)
