"""A staff member sets up two-step sign-in in the browser at first sign-in, then signs in with a code (issue 9, 4)."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from biobank.accounts.choices import Role
from tests.accounts.factories import DEMO_PASSWORD, make_biobank, make_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def code_for(secret: str, offset_steps: int = 0) -> str:
    """What an authenticator app shows for the key printed on the page (base32, in groups of four)."""
    key = secret.replace(" ", "")
    key = b32decode(key + "=" * (-len(key) % 8))
    return f"{totp(key, drift=offset_steps):06d}"


def password_step(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_staff_member_enrols_at_first_sign_in_and_then_signs_in_with_a_code(page, screenshot):
    biobank = make_biobank(code="charite", name="Central Biobank")
    make_member(biobank, Role.IDENTITY_STEWARD, email="steward@example.org")
    password_step(page, "steward@example.org")
    page.wait_for_url("**/accounts/mfa/setup/**")
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(page.locator("figure.qr-code svg")).to_be_visible()  # drawn in the page, no external service
    secret = page.locator("#mfa-secret").inner_text()
    screenshot(page, "mfa-setup")
    page.get_by_label("Code").fill(code_for(secret))
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator("ol.recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}", c) for c in codes)
    page.get_by_role("link", name="I have saved them — continue").click()
    page.wait_for_url("**/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")

    page.get_by_role("button", name="Sign out").click()
    password_step(page, "steward@example.org")
    page.wait_for_url("**/accounts/mfa/?next=*")
    page.get_by_label("Code").fill("000000" if code_for(secret) != "000000" else "111111")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("This code is not right").first).to_be_visible()
    page.get_by_label("Code").fill(codes[0])  # the authenticator's code of this step was used to enrol
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/")
    expect(page.get_by_text("You signed in with a recovery code")).to_be_visible()
