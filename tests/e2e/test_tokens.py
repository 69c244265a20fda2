"""A biobank admin creates an API token and sees the secret exactly once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from biobank.accounts.choices import Role
from biobank.accounts.models import ApiToken, hash_token
from tests.accounts.factories import DEMO_PASSWORD, make_biobank, make_member
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def biobank():
    biobank = make_biobank(code="central", name="Central Biobank")
    make_member(biobank, Role.BIOBANK_ADMIN, email="admin@example.org")
    return biobank


def test_an_admin_creates_a_token_and_sees_the_secret_once(page, biobank, screenshot):
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API tokens").click()
    page.get_by_role("link", name="Create a token").click()
    page.get_by_label("Name").fill("Hospital LIS")
    page.get_by_label("See specimens and storage").check()
    page.get_by_label("See pseudonymous donors and their consents").check()  # an admin gives only what they hold
    page.get_by_role("button", name="Create the token").click()

    secret = page.get_by_label("Token").input_value()
    assert secret.startswith("bbp_")
    token = ApiToken.objects.get()
    assert token.key_hash == hash_token(secret)
    assert sorted(token.permissions) == ["view_donors", "view_specimens"]
    expect(page.get_by_text("This is the only time it is shown")).to_be_visible()
    screenshot(page, "token-created-1280")

    page.get_by_role("link", name="back to the tokens").click()
    expect(page.get_by_role("cell", name="Hospital LIS")).to_be_visible()
    assert secret not in page.content()
    assert secret[:10] in page.content()  # only the prefix, to recognise it


def test_a_token_form_with_errors_names_them_and_creates_nothing(page, biobank, screenshot):
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    page.goto("/biobanks/central/tokens/new/")
    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Create the token").click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_text("Choose at least one permission.")).to_be_visible()
    expect(summary.get_by_text("Name: This field is required.")).to_be_visible()
    assert not ApiToken.objects.exists()
    screenshot(page, "token-form-errors")
