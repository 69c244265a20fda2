"""A consent officer's pages load without console errors or failed requests (issue 16, item 11): no background
history request that answers 403, no favicon 404; the staff dashboard names each landmark once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from biobank.accounts.choices import Role
from tests.accounts.factories import DEMO_PASSWORD, make_biobank, make_member
from tests.consent.factories import make_catalogue, make_donor, record
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Landmarks of one kind must differ by name (axe "landmark-unique"); computed as axe does for these elements.
LANDMARKS = """() => {
  const role = (el) => {
    const explicit = el.getAttribute('role');
    if (explicit) return explicit;
    const tag = el.tagName.toLowerCase();
    const named = el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby');
    if (tag === 'section') return named ? 'region' : null;
    return {nav: 'navigation', aside: 'complementary', main: 'main', form: null}[tag] || null;
  };
  const text = (id) => document.getElementById(id)?.textContent.trim() || '';
  const name = (el) => el.getAttribute('aria-label') ||
    (el.getAttribute('aria-labelledby') || '').split(/\\s+/).map(text).join(' ');
  return [...document.querySelectorAll('nav, aside, main, section, [role]')]
    .map((el) => [role(el), name(el)])
    .filter(([r]) => ['navigation', 'complementary', 'main', 'region', 'search', 'form'].includes(r))
    .map(([r, n]) => r + '|' + n.replace(/\\s+/g, ' ').trim());
}"""


@pytest.fixture
def consent(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    biobank = make_biobank(code="central", name="Central Biobank")
    officer = make_member(biobank, Role.CONSENT_OFFICER, email="officer@example.org")
    consent = record(officer, make_donor(biobank), make_catalogue(biobank, actor=officer))
    consent.refresh_from_db()
    return consent


def test_consent_and_template_pages_of_a_consent_officer_have_no_console_errors(page, consent):
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on(
        "response", lambda response: response.status >= 400 and problems.append(f"{response.status} {response.url}")
    )
    sign_in(page, "officer@example.org", DEMO_PASSWORD)

    page.goto(f"/consent/central/consents/{consent.pk}/")
    expect(page.get_by_role("heading", name=f"Consent of {consent.donor.pid}")).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.goto(f"/consent/central/templates/{consent.template_id}/")
    page.wait_for_load_state("networkidle")
    page.goto("/favicon.ico")  # browsers ask for it whatever the page names

    assert problems == []
    page.goto(f"/consent/central/consents/{consent.pk}/")
    icon = page.locator('link[rel="icon"]').get_attribute("href")
    assert page.request.get(icon).status == 200


def test_the_staff_dashboard_names_each_landmark_once(page, consent):
    sign_in(page, "officer@example.org", DEMO_PASSWORD)
    page.goto("/")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()

    landmarks = page.evaluate(LANDMARKS)
    duplicates = sorted({entry for entry in landmarks if landmarks.count(entry) > 1})
    assert duplicates == [], duplicates
