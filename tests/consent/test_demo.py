"""The demo donors: registered through the real services, one held as a possible duplicate, idempotent."""

from __future__ import annotations

import pytest

from consent.demo import DEMO_DONORS, seed_demo_donors
from consent.models import Donor, DuplicateReview

pytestmark = pytest.mark.django_db


def test_the_demo_registers_its_donors_once_and_holds_the_near_duplicate(biobank_a):
    first = seed_demo_donors(biobank=biobank_a, actor=None)
    assert len(first) == len(DEMO_DONORS) == 20
    assert Donor.objects.filter(biobank=biobank_a).count() == 19
    review = DuplicateReview.objects.get()
    assert review.candidates.get().kind == "near"
    assert seed_demo_donors(biobank=biobank_a, actor=None) == []
    assert Donor.objects.count() == 19 and DuplicateReview.objects.count() == 1
