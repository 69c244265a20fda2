"""The biobank admin's dashboard in a browser: its charts drawn, their data tables open, no sideways scrolling at 1280
and 820 px (issue 16, build 1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from biobank.accounts.choices import Role
from specimens.models import Specimen
from tests.access_requests.factories import make_request, make_researcher
from tests.accounts.factories import DEMO_PASSWORD, make_biobank, make_member
from tests.e2e.conftest import sign_in
from tests.specimens.factories import consented_donor, make_collection, make_specimen, make_storage_box

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def biobank():
    biobank = make_biobank(code="central", name="Central Biobank")
    make_member(biobank, Role.BIOBANK_ADMIN, email="admin@example.org")
    collection = make_collection(biobank)
    donor = consented_donor(biobank)
    box = make_storage_box(biobank, rows=2, columns=3)
    for column, days in enumerate((2, 40, 75, 130), start=1):
        specimen = make_specimen(
            collection=collection, donor=donor, facts={"received_at": timezone.now() - timedelta(days=days)}
        )
        Specimen.objects.filter(pk=specimen.pk).update(box=box, box_row=1 + column // 3, box_column=1 + column % 3)
    make_request(make_researcher(), [biobank], status="submitted")
    return biobank


@pytest.mark.parametrize("width", [1280, 820])
def test_the_admin_dashboard_shows_its_charts_without_sideways_scrolling(page, biobank, screenshot, width):
    page.set_viewport_size({"width": width, "height": 1000})
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    page.goto("/")
    expect(page.get_by_role("img", name="Freezer utilisation")).to_be_visible()
    expect(page.get_by_role("img", name="Specimens received per month (last 12 months)")).to_be_visible()
    expect(page.get_by_role("img", name="Access requests by status")).to_be_visible()
    expect(page.get_by_role("img", name="Consents by status")).to_be_visible()

    page.get_by_text("Data table: Freezer utilisation").click()
    expect(page.get_by_role("cell", name="67 % (4/6)")).to_be_visible()

    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px at {width} px"
    screenshot(page, f"dashboard-admin-{width}")
