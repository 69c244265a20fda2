"""The gate through the API, as a partner system asks it: merges (any PID of the person), DUO questions with what is
used and how (for-profit, commercial, disease, methods), conditions in bulk answers."""

from __future__ import annotations

import pytest

from consent import services
from tests.accounts.factories import bearer, make_token
from tests.consent.factories import make_donor, media_root, record  # noqa: F401
from tests.consent.timeline_helpers import BIOMATERIAL_ONLY, day, paper, withdraw

pytestmark = pytest.mark.django_db

CHECK, BULK = "/api/v1/consent/check", "/api/v1/consent/check/bulk"


@pytest.fixture
def client(biobank_a):
    return bearer(make_token(biobank_a, "view_biobank", "view_donors"))


def test_a_partner_asking_with_the_pid_of_a_merged_donor_sees_a_withdrawal_recorded_after_the_merge(
    biobank_a, officer, checker, catalogue, client
):
    a, b = make_donor(biobank_a), make_donor(biobank_a)
    consent = paper(officer, checker, a, catalogue["broad"], signed_on=day(200), choices=BIOMATERIAL_ONLY)
    services.donor_merge(actor=officer, source=a, target=b, reason="Same person (duplicate registration)")
    consent.refresh_from_db()
    withdraw(officer, consent, "biomaterial", on=day(10))

    answer = client.get(CHECK, {"donor": a.pid, "purpose": "biomat-use"}).json()

    assert (answer["answer"], answer["code"]) == ("denied", "withdrawn")
    assert (answer["donor"], answer["current_donor"]) == (a.pid, b.pid)


def test_a_merge_chain_answers_the_same_for_every_pid_in_bulk(biobank_a, officer, checker, catalogue, client):
    a, b, c = (make_donor(biobank_a) for _ in range(3))
    paper(officer, checker, a, catalogue["broad"], signed_on=day(200), choices=BIOMATERIAL_ONLY)
    services.donor_merge(actor=officer, source=a, target=b, reason="Same person (duplicate registration)")
    services.donor_merge(actor=officer, source=b, target=c, reason="Same person (duplicate registration)")

    results = client.post(BULK, {"donors": [a.pid, b.pid, c.pid], "purpose": "biomat-use"}, format="json").json()

    assert [r["answer"] for r in results["results"]] == ["permitted"] * 3
    assert {r["current_donor"] for r in results["results"]} == {c.pid}


@pytest.fixture
def npu_donor(biobank_a, officer):
    """A donor who accepted biomaterial use for HMB, by not-for-profit organisations only (DUO NPU)."""
    policy = services.policy_create(
        actor=officer,
        biobank=biobank_a,
        code="biomat-use-npu",
        name="Use biomaterial, not-for-profit only",
        action="use",
        data_class="biomaterial",
        duo_terms=["HMB", "NPU"],
    )
    module = services.module_create(
        actor=officer, biobank=biobank_a, code="npu", texts={"en": {"title": "NPU", "text": "x"}}, policies=[policy]
    )
    template = services.template_create(
        actor=officer,
        biobank=biobank_a,
        code="npu-form",
        version_label="v1",
        texts={"en": {"title": "Form", "text": "Not for profit."}},
        modules=[module],
    )
    template = services.template_activate(actor=officer, template=template)
    donor = make_donor(biobank_a)
    record(officer, donor, template, choices={"npu": "accepted"})
    return donor


@pytest.mark.parametrize(
    ("flags", "answer"),
    [
        ({}, "permitted"),
        ({"for_profit_organisation": "true"}, "denied"),
        ({"commercial_use": "true"}, "denied"),  # as DUOS: NPU and NCU are one commercial-use restriction
    ],
)
def test_a_for_profit_or_commercial_purpose_is_denied_on_npu(npu_donor, client, flags, answer):
    query = {"donor": npu_donor.pid, "purpose": "DUO:0000006", "data_class": "material", **flags}

    assert client.get(CHECK, query).json()["answer"] == answer


def test_bulk_answers_carry_the_conditions_a_committee_decides(biobank_a, officer, catalogue, client):
    donor = make_donor(biobank_a)
    record(officer, donor, catalogue["broad"], choices={"data": "accepted", "research": "accepted"})

    body = {"donors": [donor.pid], "purpose": "DUO:0000006", "data_class": "data"}
    result = client.post(BULK, body, format="json").json()["results"][0]

    assert (result["code"], result["conditions"]) == ("needs_committee", ["DUO:0000019"])
