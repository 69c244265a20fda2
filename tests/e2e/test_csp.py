"""The real browser under the Content-Security-Policy (issue 9, item 18): the main pages, the signature pad, htmx and
Swagger UI work with no CSP violation, and the browser asks no other host for anything."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from biobank.accounts.choices import Role
from tests.accounts.factories import DEMO_PASSWORD, make_biobank, make_member
from tests.consent.factories import make_catalogue, make_donor
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class Watch:
    """Console messages about the CSP, script errors, and every request the page makes to another host."""

    def __init__(self, page, live_server_url: str) -> None:
        self.host = urlsplit(live_server_url).netloc
        self.violations: list[str] = []
        self.foreign: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.violations.append(f"script error: {error}"))
        page.on("request", self._request)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.violations.append(message.text)

    def _request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.host:
            self.foreign.append(request.url)


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    biobank = make_biobank(code="central", name="Central Biobank")
    officer = make_member(biobank, Role.CONSENT_OFFICER, email="officer@example.org")
    make_member(biobank, Role.AUDITOR, email="auditor@example.org")
    make_catalogue(biobank, actor=officer)
    return make_donor(biobank)


def test_the_main_pages_run_under_the_policy_without_a_violation_or_a_request_elsewhere(page, live_server, world):
    watch = Watch(page, live_server.url)

    sign_in(page, "officer@example.org", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_be_visible()  # home (dashboard)
    page.goto("/consent/central/donors/")
    expect(page.get_by_role("link", name=world.pid_display)).to_be_visible()
    page.goto(f"/consent/central/record/?pid={world.pid}")
    page.get_by_role("button", name="Show the form").click()
    pad = page.locator("canvas[data-signature-pad]")  # signature-pad.js, a static file
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 200, box["y"] + 90)
    page.mouse.up()
    expect(page.get_by_text("Drawing captured.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "auditor@example.org", DEMO_PASSWORD)
    page.goto("/audit/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(f"/consent/central/donors/{world.pid_display}/")  # its History tab comes in by htmx
    expect(page.locator("section.audit-history")).to_be_visible()

    page.goto("/api/docs/")  # Swagger UI: bundle, style sheet and init script from this server
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Biobank Portal API")
    expect(page.locator(".opblock").first).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert watch.violations == []
    assert watch.foreign == []


def test_the_watch_sees_a_violation_when_a_page_injects_an_inline_style(page, live_server, db):
    """The check above can fail: an inline <style> is refused by the browser and reported on the console."""
    watch = Watch(page, live_server.url)
    page.goto("/accounts/login/")

    page.evaluate("""() => {
        const style = document.createElement("style");
        style.textContent = "body { background: red }";
        document.head.appendChild(style);
    }""")
    page.wait_for_timeout(200)

    assert any("style-src" in message for message in watch.violations), watch.violations
