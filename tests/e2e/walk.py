"""Who sees which pages of the demo world, and the checks every page passes (issue 16, build 2).

Shared by the accessibility test (tests/e2e/test_accessibility.py) and the screenshot tour (tests/e2e/tour.py):

* ``ROLES``: every demo login (seed_demo's ``DEMO_USERS``) and the anonymous visitor of the public catalogue;
* ``signed_in_context``: a browser context carrying the person's session — made once per role from Django's own
  session store, past the second sign-in step as passing it would leave it (the login form and MFA themselves are
  tested in tests/e2e/test_login.py and test_mfa.py);
* ``role_pages``: the main pages of a role — every link of its navigation, found on its dashboard, plus the main
  detail pages and forms reached from them (``Follow``), or built from the demo data (``demo_paths``);
* ``axe_problems``, ``overflow_problem``, ``keyboard_problems``: axe-core (vendored, tests/e2e/vendor/axe-core/) with
  the WCAG 2.0/2.1 A and AA rules, no sideways scrolling of the page, every main action reachable with Tab.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"critical", "serious"}
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "tablet": {"width": 820, "height": 1180}}
BIOBANK = "ukrm-biobank"


@dataclass(frozen=True)
class Role:
    key: str
    email: str | None  # None: the anonymous visitor


ROLES = [
    Role("anonymous", None),
    Role("admin", "admin@example.org"),
    Role("technician", "staff@example.org"),
    Role("consent-officer", "consent@example.org"),
    Role("data-manager", "data@example.org"),
    Role("dac-chair", "dac@example.org"),
    Role("dac-member", "dacmember@example.org"),
    Role("auditor", "auditor@example.org"),
    Role("steward", "steward@example.org"),
    Role("researcher", "researcher@example.org"),
    Role("donor", "donor@example.org"),
]


@dataclass(frozen=True)
class Follow:
    """The first link in the page's main content at ``path`` whose address matches ``href`` (a regular expression)."""

    path: str
    href: str


B = f"/{BIOBANK}"
# Beyond the navigation: the main detail pages and forms of each role. Paths are the demo biobank's.
EXTRA: dict[str, list[str | Follow]] = {
    "anonymous": [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/donor/",
        "/catalogue/search/",
        Follow("/catalogue/search/", r"^/catalogue/collections/\d+/$"),
        Follow("/catalogue/", r"^/catalogue/biobanks/[\w-]+/$"),
        "/catalogue/cart/",
    ],
    "admin": [
        f"/biobanks{B}/members/add/",
        Follow(f"/biobanks{B}/members/", r"/members/\d+/roles/$"),
        f"/biobanks{B}/tokens/new/",
        f"/catalogue/manage{B}/",
        f"/catalogue/manage{B}/profile/",
        "/accounts/mfa/setup/",
    ],
    "technician": [
        Follow(f"/specimens{B}/", r"^/specimens/[\w-]+/s/.+/$"),
        f"/specimens{B}/register/",
        f"/specimens{B}/worklists/to_process/",
        f"/specimens{B}/worklists/to_dispose/",
        Follow(f"/specimens{B}/storage/", r"^/specimens/[\w-]+/storage/\d+/$"),
        "box",
        f"/specimens{B}/storage/new/",
        "box_bulk",
        Follow(f"/specimens{B}/imports/", r"^/specimens/[\w-]+/imports/\d+/$"),
        f"/specimens{B}/labels/",
        f"/specimens{B}/withdrawals/",
    ],
    "consent-officer": [
        Follow(f"/consent{B}/donors/", r"^/consent/[\w-]+/donors/(?!new/)[^/]+/$"),
        f"/consent{B}/donors/new/",
        f"/consent{B}/duplicates/",
        "capture_sign",
        "consent",
        "donor_withdraw",
        Follow(f"/consent{B}/templates/", r"^/consent/[\w-]+/templates/\d+/$"),
        "template_diff",
        "template_new_version",
        f"/consent{B}/templates/new/",
        f"/consent{B}/policies/",
        f"/consent{B}/policies/new/",
        f"/consent{B}/modules/",
        f"/consent{B}/modules/new/",
        f"/consent{B}/scans/new/",
        f"/consent{B}/scans/qc/",
        f"/consent{B}/campaigns/new/",
        f"/consent{B}/messages/donor_invitation/de/",
    ],
    "data-manager": [
        "/collections/new/",
        Follow("/collections/", r"^/collections/\d+/edit/$"),
        f"/catalogue/manage{B}/",
        Follow(f"/catalogue/manage{B}/", r"^/catalogue/manage/[\w-]+/collections/\d+/$"),
        f"/catalogue/manage{B}/persons/new/",
        f"/catalogue/manage{B}/networks/new/",
        f"/catalogue/manage{B}/resources/new/",
    ],
    "dac-chair": [
        Follow("/requests/review/", r"^/requests/review/\d+/$"),
        f"/requests/committees{B}/",
        f"/requests/agreements{B}/",
        Follow(f"/requests/agreements{B}/", r"^/requests/agreements/[\w-]+/\d+/$"),
        "fulfilment",
    ],
    "dac-member": [Follow("/requests/review/", r"^/requests/review/\d+/$")],
    "auditor": ["donor_history"],
    "steward": [
        f"/consent{B}/identity/lookup/",
        Follow(f"/consent{B}/duplicates/", r"^/consent/[\w-]+/duplicates/\d+/$"),
        "donor_identity",
    ],
    "researcher": [
        Follow("/requests/", r"^/requests/\d+/$"),
        *(f"wizard_{step}" for step in ("project", "purpose", "material", "biobanks", "ethics", "team", "review")),
        "/requests/new/",
        "/requests/profile/",
        "/catalogue/search/",
        Follow("/catalogue/search/", r"^/catalogue/collections/\d+/$"),
        "/catalogue/cart/",
    ],
    "donor": [
        "/my/",
        Follow("/my/", r"^/my/consents/\d+/$"),
        Follow("/my/", r"^/my/choices/[\w-]+/$"),
        "/my/withdraw/",
        "/my/history/",
        "/my/projects/",
        "/my/messages/",
        "/my/preferences/",
    ],
}


def demo_paths() -> dict[str, str]:
    """Pages reached by a form or a button rather than a link, built from the demo data (named in ``EXTRA``)."""
    from access_requests.models import AccessRequest, RequestResource
    from consent.models import Consent, Donor, Template
    from specimens.models import StorageUnit

    donor = Donor.objects.filter(biobank__code=BIOBANK, merged_into__isnull=True).order_by("pk").first()
    consent = Consent.objects.filter(donor__biobank__code=BIOBANK).order_by("pk").first()
    signable = Template.objects.filter(biobank__code=BIOBANK, status="active", type="consent").order_by("pk").first()
    later = Template.objects.filter(biobank__code=BIOBANK, number__gt=1).order_by("pk").first()
    box = StorageUnit.objects.filter(biobank__code=BIOBANK, kind="box").order_by("pk").first()
    resource = RequestResource.objects.filter(biobank__code=BIOBANK).order_by("-pk").first()
    assert donor and consent and signable, "seed_demo no longer seeds what the walk needs"
    language = signable.texts.order_by("pk").values_list("language", flat=True).first()
    paths = {
        "capture_sign": f"/consent{B}/record/?pid={donor.pid_display}&template={signable.pk}&language={language}",
        "consent": f"/consent{B}/consents/{consent.pk}/",
        "donor_withdraw": f"/consent{B}/donors/{donor.pid_display}/withdraw/",
        "donor_identity": f"/consent{B}/donors/{donor.pid_display}/identity/",
        "donor_history": f"/audit/history/consent.donor/{donor.pk}/",
    }
    if later is not None:
        paths["template_diff"] = f"/consent{B}/templates/{later.pk}/diff/"
        paths["template_new_version"] = f"/consent{B}/templates/{later.pk}/new-version/"
    if box is not None:
        paths["box"] = f"/specimens{B}/storage/{box.pk}/"
        paths["box_bulk"] = f"/specimens{B}/storage/{box.pk}/bulk/"
    draft = AccessRequest.objects.filter(researcher__email="researcher@example.org", status="draft").order_by("pk")
    if draft.exists():
        for step in ("project", "purpose", "material", "biobanks", "ethics", "team", "review"):
            paths[f"wizard_{step}"] = f"/requests/{draft.first().pk}/edit/{step}/"
    if resource is not None:
        paths["fulfilment"] = f"/requests/fulfilment/{resource.pk}/"
    return paths


# --- signing in ------------------------------------------------------------------------------------------------------


def session_cookies(email: str, base_url: str) -> list[dict[str, Any]]:
    """The cookie of a fresh session of the person, past the second sign-in step (Django's own session store)."""
    from django.conf import settings
    from django.test import Client

    from biobank.accounts.mfa import MFA_SESSION_KEY, VERIFIED
    from biobank.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    session = client.session
    session[MFA_SESSION_KEY] = VERIFIED
    session.save()
    return [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": base_url}]


def new_context(browser: Any, base_url: str, viewport: dict[str, int], cookies: list[dict], **options: Any) -> Any:
    context = browser.new_context(base_url=base_url, viewport=viewport, locale="en-GB", **options)
    context.set_default_timeout(15_000)
    if cookies:
        context.add_cookies(cookies)
    return context


def signed_in_context(browser: Any, base_url: str, role: Role, viewport: dict[str, int], **options: Any) -> Any:
    cookies = session_cookies(role.email, base_url) if role.email else []
    return new_context(browser, base_url, viewport, cookies, **options)


# --- which pages -----------------------------------------------------------------------------------------------------

NAVIGATION_LINKS = "nav.sidebar a[href], nav.header-links a[href]"
# Not pages, and the pages of the admin's second biobank (the same pages as the first one's).
SKIPPED = re.compile(r"^/(admin|api)/|\.(pdf|csv|xlsx|zpl)$|/logout/|/vienna-ccb/")


def _local(href: str | None, base_url: str) -> str | None:
    if not href:
        return None
    path = href.removeprefix(base_url)
    if not path.startswith("/") or SKIPPED.search(path.split("?")[0]):
        return None
    return path.split("#")[0]


def _links(page: Any, selector: str, base_url: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "links => links.map(link => link.getAttribute('href'))")
    return [path for href in hrefs if (path := _local(href, base_url))]


def role_pages(page: Any, role: Role, base_url: str, paths: dict[str, str]) -> list[str]:
    """The role's navigation (read from its landing page), then its ``EXTRA`` pages; each once, in that order."""
    page.goto("/" if role.email else "/catalogue/")
    found = ["/" if role.email else "/catalogue/", *_links(page, NAVIGATION_LINKS, base_url)]
    for extra in EXTRA[role.key]:
        path = resolve(page, role, extra, base_url, paths)
        if path is not None:
            found.append(path)
    return list(dict.fromkeys(found))


def resolve(page: Any, role: Role, extra: str | Follow, base_url: str, paths: dict[str, str]) -> str | None:
    """The path of an ``EXTRA`` entry: as written, followed from its page, or named in ``paths`` (None: not seeded)."""
    if isinstance(extra, Follow):
        page.goto(extra.path)
        matching = [path for path in _links(page, "main a[href]", base_url) if re.search(extra.href, path)]
        assert matching, f"{role.key}: no link matching {extra.href} on {extra.path}; the demo data changed?"
        return matching[0]
    if extra.startswith("/"):
        return extra
    return paths.get(extra)


# --- the checks ------------------------------------------------------------------------------------------------------


def axe_problems(page: Any) -> list[tuple[str, str]]:
    """(rule, readable description with the failing nodes) of every serious or critical WCAG A/AA violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
            .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + (n.failureSummary ? ' — ' +
                    n.failureSummary.replace(/\\s+/g, ' ').slice(0, 200) : ''))})))""",
        WCAG_TAGS,
    )
    problems = []
    for violation in result:
        if violation["impact"] in FAILING_IMPACTS:
            nodes = "\n      ".join(violation["nodes"][:8])
            more = f" (+{len(violation['nodes']) - 8} more)" if len(violation["nodes"]) > 8 else ""
            text = f"{violation['id']} ({violation['impact']}): {violation['help']}{more}\n      {nodes}"
            problems.append((violation["id"], text))
    return problems


def overflow_problem(page: Any) -> str | None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        return f"the page scrolls sideways: {width[0]} px wide in a {width[1]} px window"
    return None


# The page's main actions: its primary buttons and the actions in its heading; each must take the focus from Tab.
MAIN_ACTIONS = (
    "main .button--primary, main .page-head__actions a[href], main .page-head__actions button, "
    "main form button[type=submit]:not([hidden])"
)
UNREACHABLE = """selector => [...document.querySelectorAll(selector)].filter(el => {
    if (el.disabled || !el.checkVisibility({visibilityProperty: true})) return false;  // not an action now
    if (el.closest('[aria-hidden="true"]')) return false;  // a form's hidden default button (Enter submits)
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) return false;
    return true;
}).map(el => {
    const label = (el.innerText || el.value || el.getAttribute('aria-label') || el.tagName).trim().slice(0, 40);
    if (el.tabIndex < 0) return `${label}: tabindex ${el.tabIndex}`;
    if (el.closest('[inert]')) return `${label}: inside an inert region`;
    el.focus();
    if (document.activeElement !== el) return `${label}: does not take the focus`;
    el.scrollIntoView({block: 'center', inline: 'nearest'});
    const rect = el.getBoundingClientRect();
    if (rect.right > window.innerWidth + 1 || rect.left < -1) {
        return `${label}: off screen (x ${Math.round(rect.left)} to ${Math.round(rect.right)})`;
    }
    return null;
}).filter(Boolean)"""


def keyboard_problems(page: Any) -> list[str]:
    problems = page.evaluate(UNREACHABLE, MAIN_ACTIONS)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    return problems


def tab_reaches_content(page: Any) -> str | None:
    """A real Tab from the top of the page: the skip link first, then into the page (the keyboard path exists).

    A page that puts the focus somewhere itself starts there instead: its first field (``autofocus``, the sign-in
    form), or an error summary or ``data-autofocus`` region (static/js/portal.js).
    """
    if page.evaluate("() => document.activeElement !== null && document.activeElement !== document.body"):
        return None
    page.keyboard.press("Tab")
    first = page.evaluate("() => document.activeElement && document.activeElement.className")
    if first != "skip-link":
        return f"the first Tab lands on {first!r}, not on the skip link"
    return None
