"""A reference model of what a donor's actions in the portal do to their answers (issue 13), against the services.

The model is written from the rules alone (docs/dynamic-consent.md): four parts of the broad consent — ``data``
(required; storing patient data), ``biomaterial`` (using samples), ``recontact`` and ``research`` (using data) — all
accepted at first. Declining an accepted part withdraws it; agreeing again signs a new consent carrying every other
answer (a withdrawn or declined part as declined); a part or a level withdrawn twice is refused; a level withdraws
what it covers (contact: recontact; access: all but storage; use: all) unless a stronger one stands; a new consent
lifts the standing level. Any sequence of actions must leave the portal's answers — and the gate's — as the model's.
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from biobank.errors import ConflictError, DomainError
from consent import gate
from consent.services.portal import donor_choice_change, donor_self_withdraw, module_states
from consent.services.portal.changes import _template_modules
from tests.consent.portal_fixtures import portal_donor

pytestmark = pytest.mark.django_db

PARTS = ("data", "biomaterial", "recontact", "research")
POLICY = {"data": "mdat-store", "biomaterial": "biomat-use", "recontact": "recontact", "research": "mdat-use-pub"}
REQUIRED = {"data"}
COVERS = {
    "no_further_contact": {"recontact"},
    "no_further_access": {"biomaterial", "recontact", "research"},
    "no_further_use": set(PARTS),
}
RANK = {"": 0, "no_further_contact": 1, "no_further_access": 2, "no_further_use": 3}
_people = itertools.count(1)


def letters(n: int, salt: int) -> str:
    """A name of letters only, different for every ``n`` (names are compared without digits)."""
    out = ""
    n = n * 7919 + salt
    while n:
        n, rest = divmod(n, 26)
        out += "bcdfghjklmnpqrstvwxzaeiouy"[rest]
    return out.capitalize()


class Model:
    def __init__(self) -> None:
        self.state = dict.fromkeys(PARTS, "accepted")
        self.standing = ""

    def apply(self, action: tuple[str, ...]) -> str:
        """The outcome the rules give: "ok", "unchanged", "required", "reconsent" or "conflict"."""
        kind = action[0]
        if kind == "change":
            _, part, choice = action
            if (choice == "accepted") == (self.state[part] == "accepted"):
                return "unchanged"
            if choice == "declined":
                if part in REQUIRED:
                    return "required"
                self.state[part] = "withdrawn"
                return "ok"
            if any(self.state[p] != "accepted" for p in REQUIRED - {part}):
                return "reconsent"
            self.state = {p: ("accepted" if s == "accepted" else "declined") for p, s in self.state.items()}
            self.state[part] = "accepted"
            self.standing = ""
            return "ok"
        if kind == "module":
            part = action[1]
            if self.state[part] == "withdrawn":
                return "conflict"
            self.state[part] = "withdrawn"
            return "ok"
        level = action[1]
        if RANK[self.standing] >= RANK[level] or all(self.state[p] == "withdrawn" for p in COVERS[level]):
            return "conflict"
        for part in COVERS[level]:
            self.state[part] = "withdrawn"
        self.standing = level
        return "ok"


ACTIONS = st.one_of(
    st.tuples(st.just("change"), st.sampled_from(PARTS), st.sampled_from(["accepted", "declined"])),
    st.tuples(st.just("module"), st.sampled_from(PARTS)),
    st.tuples(st.just("level"), st.sampled_from(list(COVERS))),
)


def run(p, action: tuple[str, ...], signer: str) -> str:
    try:
        if action[0] == "change":
            donor_choice_change(
                account=p.account, consent=p.consent, module_code=action[1], choice=action[2], signer_name=signer
            )
        elif action[0] == "module":
            donor_self_withdraw(account=p.account, consent=p.consent, module_code=action[1])
        else:
            donor_self_withdraw(account=p.account, level=action[1])
    except ConflictError as error:
        return "unchanged" if error.code == "unchanged" else "conflict"
    except DomainError as error:
        return {"mandatory_module": "required", "reconsent_needed": "reconsent"}.get(error.code, error.code)
    return "ok"


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(actions=st.lists(ACTIONS, min_size=1, max_size=7))
def test_the_portal_answers_as_the_reference_model_after_any_sequence_of_actions(biobank_a, consent_officer_a, actions):
    n = next(_people)
    p = portal_donor(
        biobank_a,
        consent_officer_a,
        email=f"donor{n}@example.org",
        given_names=letters(n, 11),
        family_name=letters(n, 977),
        date_of_birth=date(1930 + n % 70, 1 + n % 12, 1 + (n * 5) % 28),
        hospital_id=f"MRN-M{n:06d}",
        national_id=f"DE-M{n:08d}",
        phone=f"+49 30 {n:07d}",
        address=f"Modellweg {n}, Berlin",
    )
    model = Model()
    modules = _template_modules(p.template)
    today = timezone.localdate()
    for action in actions:
        expected = model.apply(action)
        assert run(p, action, f"{letters(n, 11)} {letters(n, 977)}") == expected, (actions, action)
        answers = {code: s.state for code, s in module_states(p.account, modules).items()}
        assert answers == model.state, (actions, action)
        for part, state in model.state.items():
            allowed = gate.permitted(donor=p.donor, policy=POLICY[part], at=today).allowed
            assert allowed == (state == "accepted"), (actions, part)
