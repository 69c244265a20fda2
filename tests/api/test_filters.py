"""The API's filter backend (biobank.api.filters): a request naming none of the view's filters skips django-filter
and gets the same answer; one that names a filter is filtered and validated as before."""

from __future__ import annotations

import django_filters
import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from biobank.accounts.choices import Role
from biobank.api.filters import FilterBackend
from specimens.api.specimen_filters import SpecimenFilterSet
from specimens.models import Specimen
from tests.accounts.factories import make_member
from tests.specimens.factories import consented_donor, make_specimen

pytestmark = pytest.mark.django_db


@pytest.fixture
def tech(biobank_a) -> APIClient:
    client = APIClient()
    client.force_login(make_member(biobank_a, Role.TECHNICIAN, email="tech@example.org"))
    return client


@pytest.fixture
def two(collection_a, biobank_a):
    collection, donor = collection_a, consented_donor(biobank_a)
    first = make_specimen(collection=collection, donor=donor)
    second = make_specimen(collection=collection, donor=donor)
    Specimen.objects.filter(pk=second.pk).update(status="destroyed")
    return first, second


def test_a_page_without_filters_is_the_whole_list_and_builds_no_filterset(tech, two, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a FilterSet was built for a request that names no filter")

    monkeypatch.setattr(SpecimenFilterSet, "__init__", refuse)

    response = tech.get("/api/v1/specimens/", {"page_size": 10})

    assert response.status_code == 200
    assert {row["barcode"] for row in response.json()["results"]} == {two[0].barcode, two[1].barcode}


def test_a_filter_still_filters(tech, two):
    response = tech.get("/api/v1/specimens/", {"status": "destroyed", "page_size": 10})

    assert response.status_code == 200
    assert [row["barcode"] for row in response.json()["results"]] == [two[1].barcode]


def test_a_bad_filter_value_is_still_a_400_naming_the_filter(tech, two):
    response = tech.get("/api/v1/specimens/", {"status": "lost-in-space"})

    assert response.status_code == 400
    assert "status" in response.content.decode()


class _Required(django_filters.FilterSet):
    code = django_filters.CharFilter(field_name="barcode", required=True)

    class Meta:
        model = Specimen
        fields: list[str] = []


class _View:
    filterset_class = _Required


def test_a_filterset_with_a_required_filter_is_never_skipped(two):
    request = Request(APIRequestFactory().get("/api/v1/specimens/", {"page_size": 10}))

    with pytest.raises(ValidationError) as raised:  # django-filter's own 400, not an unfiltered list
        FilterBackend().filter_queryset(request, Specimen.objects.all(), _View())

    assert "code" in raised.value.detail
