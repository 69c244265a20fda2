"""The auditor's trail at 1280, 1024 and 820 px (issue 16, problems 3 and 4): nothing wider than the window, every
column on screen, each event's changes opened from the keyboard, the quiet buttons readable (contrast 4.5:1), and
the consent catalogue's sideways-scrolling tables reachable by keyboard."""

from __future__ import annotations

import pytest
from django.db import transaction
from playwright.sync_api import expect

from biobank.accounts.choices import Role
from biobank.audit.services import audit_drain, audit_record
from tests.accounts.factories import DEMO_PASSWORD, make_biobank, make_member
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = [(1280, 900), (1024, 768), (820, 1180)]

# The contrast ratio of an element's text against the first opaque background behind it (WCAG 2.1, 1.4.3).
CONTRAST = """element => {
  const rgb = value => (value.match(/[\\d.]+/g) || []).map(Number);
  const background = node => {
    for (; node; node = node.parentElement) {
      const [r, g, b, a = 1] = rgb(getComputedStyle(node).backgroundColor);
      if (a > 0) return [r, g, b];
    }
    return [255, 255, 255];
  };
  const luminance = ([r, g, b]) => {
    const [R, G, B] = [r, g, b].map(c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  const fg = luminance(rgb(getComputedStyle(element).color)), bg = luminance(background(element));
  return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
}"""


@pytest.fixture
def world():
    biobank = make_biobank(code="central-biobank-of-the-network", name="Central Biobank")
    make_member(biobank, Role.AUDITOR, email="auditor@example.org")
    make_member(biobank, Role.CONSENT_OFFICER, email="officer@example.org")
    with transaction.atomic():
        for number in range(60):
            audit_record(
                actor="system:nightly-consistency-check-of-the-long-named-partner-system",
                action="collection.update",
                object_type="catalog.collection",
                object_id=f"{number}",
                biobank=biobank,
                reason="A reason written by a person who explains at some length why this had to change",
                changes={
                    "description": [
                        "An old description without spaces:" + "x" * 80,
                        "A new description that is much longer than any column of the table could hold " * 3,
                    ],
                    "name": [f"old {number}", f"new {number}"],
                },
            )
    audit_drain()
    return biobank


def no_sideways_overflow(page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth, window.innerWidth]"
    )
    assert widths[0] <= widths[1] <= widths[2], f"the page scrolls sideways: {widths}"
    too_wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
             .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
             .map(e => e.tagName + '.' + e.className)"""
    )
    assert too_wide == [], f"elements reach past the window: {too_wide[:10]}"


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_the_trail_fits_the_window_with_every_column_visible(page, world, width, height, screenshot):
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, "auditor@example.org", DEMO_PASSWORD)
    page.goto("/audit/")
    table = page.get_by_role("table", name="Audit events, newest first")
    expect(table).to_be_visible()
    expect(page.get_by_test_id("event-count")).to_contain_text("Events 1\u201350 of")
    no_sideways_overflow(page)

    client_width = page.evaluate("() => document.documentElement.clientWidth")
    for name in ("No.", "Time", "Actor", "Action", "Object", "Biobank", "Changes"):
        header = table.get_by_role("columnheader", name=name, exact=True)
        expect(header).to_be_visible()
        box = header.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= client_width, (name, box, client_width)
        assert box["width"] >= 40, (name, box)  # readable, not squeezed to nothing

    summary = table.locator("summary").first
    page.get_by_role("link", name="Clear filters").focus()
    for _ in range(10):  # from the filters, through the first row's links, to its changes
        page.keyboard.press("Tab")
        if summary.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("the first event's changes cannot be reached with the Tab key")
    details = table.locator("details").first
    assert details.get_attribute("open") is None
    page.keyboard.press("Enter")
    expect(details).to_have_attribute("open", "")
    expect(details.get_by_text("description", exact=True)).to_be_visible()
    no_sideways_overflow(page)  # the opened changes wrap inside their cell
    screenshot(page, f"audit-trail-{width}")
    page.keyboard.press("Space")
    assert details.get_attribute("open") is None


def test_the_quiet_buttons_are_readable(page, world):
    sign_in(page, "auditor@example.org", DEMO_PASSWORD)
    page.goto("/audit/")
    for name in ("Clear filters", "Older events"):
        button = page.get_by_role("link", name=name)
        expect(button).to_be_visible()
        ratio = button.evaluate(CONTRAST)
        assert ratio >= 4.5, f"{name}: contrast {ratio:.2f}:1"
    sign_out = page.get_by_role("button", name="Sign out")  # the same class in the dark header stays light
    assert sign_out.evaluate(CONTRAST) >= 4.5


@pytest.mark.parametrize("path", ["policies", "modules"])
def test_the_consent_catalogue_tables_scroll_by_keyboard(page, world, path):
    page.set_viewport_size({"width": 820, "height": 1180})
    sign_in(page, "officer@example.org", DEMO_PASSWORD)
    page.goto(f"/consent/{world.code}/{path}/")
    region = page.locator("main .card--flush")
    assert region.get_attribute("tabindex") == "0"
    assert region.get_attribute("role") == "region"
    assert region.get_attribute("aria-label")
    expect(page.get_by_role("region", name=region.get_attribute("aria-label"))).to_be_visible()
    region.focus()
    assert region.evaluate("element => element === document.activeElement")
