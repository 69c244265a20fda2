"""Feasibility counts: the criteria in SQL, then the consent gate per donor and the collection's DUO terms; a donor
whose consent declines use or who withdrew is not counted; researchers see rounded counts, committees exact ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from access_requests.feasibility import feasibility, shown_count
from access_requests.services.requests import request_create
from consent.models import Donor
from specimens.models import Specimen
from tests.access_requests.factories import make_researcher
from tests.access_requests.wizard_factories import published_collection
from tests.specimens.factories import consented_donor, make_specimen
from tests.specimens.withdrawal_helpers import withdraw

pytestmark = pytest.mark.django_db
COLLECTED = dt.datetime(2020, 5, 1, 9, 0, tzinfo=dt.UTC)


def donor_with(collection, *, sex="female", birth_year=1970, sample_type="PL1", diagnosis="", count=1, **choices):
    donor = consented_donor(collection.biobank, **choices)
    Donor.objects.filter(pk=donor.pk).update(sex=sex, birth_year=birth_year)
    for _ in range(count):
        specimen = make_specimen(collection=collection, donor=donor, sample_type=sample_type, diagnosis=diagnosis)
        Specimen.objects.filter(pk=specimen.pk).update(collected_at=COLLECTED)
    return donor


def ask(collection, **fields):
    values = {"title": "T", "purpose_kind": "hmb", "material": [
        {"material_type": "PLASMA", "amount": "1", "unit": "mL", "samples": 1}]} | fields  # fmt: skip
    return request_create(actor=make_researcher(), collection_ids=[collection.pk], **values)


def counts(request):
    (row,) = feasibility(request=request)
    return row.donors, row.specimens


def test_it_counts_donors_and_specimens_whose_consent_permits_the_purpose(biobank_a):
    collection = published_collection(biobank_a)
    donor_with(collection, count=2)
    donor_with(collection)
    donor_with(collection, use="declined")
    assert counts(ask(collection)) == (2, 3)


def test_a_withdrawn_donor_is_not_counted(biobank_a):
    collection = published_collection(biobank_a)
    donor_with(collection)
    gone = donor_with(collection)
    withdraw(gone)
    assert counts(ask(collection)) == (1, 1)


def test_the_date_asked_about_counts(biobank_a):
    collection = published_collection(biobank_a)
    donor_with(collection)
    request = ask(collection)
    (row,) = feasibility(request=request, at=timezone.localdate() - dt.timedelta(days=3650))
    assert row.donors == 0  # nobody had consented ten years ago


def test_the_criteria_narrow_the_count(biobank_a):
    collection = published_collection(biobank_a)
    donor_with(collection, sex="female", birth_year=1970, diagnosis="E11.9")
    donor_with(collection, sex="male", birth_year=1970, diagnosis="E11.9")
    donor_with(collection, sex="female", birth_year=2000, diagnosis="E11.9")  # 20 at collection
    donor_with(collection, sex="female", birth_year=1970, diagnosis="C50.9")
    donor_with(collection, sex="female", birth_year=1970, diagnosis="E11.9", sample_type="SER")
    request = ask(
        collection, criteria={"material_types": ["PLASMA"], "sexes": ["female"], "age_min": 40, "age_max": 60,
                              "diagnoses": ["E11"]},
    )  # fmt: skip
    assert counts(request) == (1, 1)


def test_a_collection_whose_duo_terms_deny_the_purpose_counts_zero(biobank_a):
    collection = published_collection(biobank_a, data_use=["DUO:0000007"], diseases=["C50"])  # DS breast cancer
    donor_with(collection)
    (row,) = feasibility(request=ask(collection, purpose_kind="general_research"))
    assert (row.donors, row.duo) == (0, "deny")


def test_a_collection_without_terms_is_counted_and_flagged_for_the_committee(biobank_a):
    collection = published_collection(biobank_a)
    donor_with(collection)
    (row,) = feasibility(request=ask(collection))
    assert row.donors == 1 and row.needs_committee


def test_researchers_see_rounded_counts_and_committees_exact_ones():
    assert [shown_count(n, exact=False) for n in (0, 1, 9, 10, 14, 15, 123)] == ["0", "< 10", "< 10", "10", "10",
                                                                                 "20", "120"]  # fmt: skip
    assert shown_count(7, exact=True) == "7"


def test_the_counts_take_a_fixed_number_of_queries(biobank_a, django_assert_max_num_queries):
    collection = published_collection(biobank_a)
    for _ in range(3):
        donor_with(collection)
    request = ask(collection)
    with django_assert_max_num_queries(10):
        feasibility(request=request)
    for _ in range(5):
        donor_with(collection)
    with django_assert_max_num_queries(10):
        (row,) = feasibility(request=request)
    assert row.donors == 8


def test_counts_equal_the_gate_asked_donor_by_donor_over_several_collections(biobank_a):
    """The one-statement count against a reference: the criteria in the ORM, then ``permitted_donor_ids`` for each
    collection's donors — with donors in two collections, declined uses, a withdrawal and non-matching material."""
    import random

    from consent.gate_sql import permitted_donor_ids

    first, second = published_collection(biobank_a), published_collection(biobank_a)
    rng = random.Random(15)
    for number in range(10):
        donor = donor_with(first, count=rng.randint(1, 3), use="declined" if number % 4 == 3 else "accepted")
        if number % 3 == 0:
            for _ in range(rng.randint(1, 2)):
                make_specimen(collection=second, donor=donor, sample_type=rng.choice(["PL1", "SER"]))
        if number == 5:
            withdraw(donor)
    request = request_create(actor=make_researcher(), collection_ids=[first.pk, second.pk], title="T",
                             purpose_kind="hmb", material=[{"material_type": "PLASMA", "amount": "1", "unit": "mL",
                                                            "samples": 1}])  # fmt: skip

    rows = {row.collection_id: (row.donors, row.specimens) for row in feasibility(request=request)}

    for collection in (first, second):
        matching = Specimen.objects.filter(collection=collection, status="available", material_type="Plasma")
        allowed = permitted_donor_ids(
            donor_ids=set(matching.values_list("donor_id", flat=True)), duo_purpose="HMB", data_class="biomaterial",
            action="use",
        )  # fmt: skip
        expected = (len(allowed), matching.filter(donor_id__in=allowed).count())
        assert rows[collection.pk] == expected
    assert rows[first.pk][0] > 0 and rows[second.pk][0] > 0


def test_specimens_still_on_a_donor_merged_into_another_are_not_counted(biobank_a):
    collection = published_collection(biobank_a)
    survivor = donor_with(collection)
    duplicate = donor_with(collection, count=2)
    Donor.objects.filter(pk=duplicate.pk).update(status="merged", merged_into=survivor)

    assert counts(ask(collection)) == (1, 1)  # the survivor and its specimen; the merged record stands for no one


def test_the_criteria_on_the_donor_and_the_merged_donors_combine(biobank_a):
    collection = published_collection(biobank_a)
    donor_with(collection, sex="female", birth_year=1970)
    donor_with(collection, sex="male", birth_year=1970)
    merged = donor_with(collection, sex="female", birth_year=1970)
    Donor.objects.filter(pk=merged.pk).update(status="merged", merged_into=donor_with(collection, sex="male"))

    assert counts(ask(collection, criteria={"sexes": ["female"], "age_min": 40})) == (1, 1)
