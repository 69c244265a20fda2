"""Every GET-able page of the portal as every demo persona (issue 9, item 18): the crawl behind tests/web/test_csp.py
and tests/web/test_no_external_urls.py.

The URL patterns come from Django's resolver, so a new page is crawled without anyone listing it; its path
parameters are filled from the demo data of ``seed_demo``. A parameter this module does not know fails the crawl
(``MissingParameter``) instead of quietly leaving the new page out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from biobank.accounts.mfa import MFA_SESSION_KEY, VERIFIED

# Not pages: probes, downloads, the admin (superusers only; Django's own templates) and the REST API (JSON).
SKIPPED_PREFIXES = ("admin/", "api/v1/", "healthz", "readyz", "favicon.ico")
SKIPPED_NAMES = {
    "accounts:logout",
    "set_language",  # --- consent: the language switcher, POST only ---
    "audit:export",
    "catalogue:export",
    "consent:receipt",
    "consent:scan",
    "access_requests:compliance",
    "access_requests:decision_letter",
    "schema",
    "specimens:specimen_export",
    "access_requests:download",  # a release file (FileResponse), not a page
    "access_requests:packing_list",  # a PDF
}

SAME_HOSTS = {"testserver", "localhost", "127.0.0.1"}


class MissingParameter(AssertionError):
    """A URL pattern has a path parameter the crawl cannot fill: add it to ``parameter_values``."""


@dataclass
class Route:
    name: str
    pattern: str  # Django route syntax, e.g. "consent/<slug:code>/donors/<str:pid>/"

    @property
    def parameters(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>", self.pattern)

    def url(self, values: dict[str, str]) -> str:
        missing = [name for name in self.parameters if name not in values]
        if missing:
            raise MissingParameter(f"{self.name} ({self.pattern}) needs a value for {missing} in tests/web/pages.py")
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), self.pattern)


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner or "")
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else entry.name or ""
            yield Route(name=name, pattern=prefix + str(entry.pattern))


def page_routes() -> list[Route]:
    """Every URL pattern of the site that answers a browser with a page."""
    return [
        route
        for route in _walk(get_resolver().url_patterns)
        if not route.pattern.startswith(SKIPPED_PREFIXES) and route.name not in SKIPPED_NAMES
    ]


def seed() -> dict[str, str]:
    """The demo data (``seed_demo``) and a value for every path parameter of the site's pages."""
    from access_requests.models import Entitlement, RequestResource
    from biobank.accounts.models import ApiToken, Biobank, Membership, RoleGrant, User
    from biobank.audit.models import AuditEvent
    from catalog.models import Collection, Network, Person, ResearchResource
    from consent.models import Consent, Donor, DonorMessage, DuplicateReview, ReconsentCampaign, Template
    from specimens.models import ImportJob, Specimen, StorageUnit

    call_command("seed_demo", stdout=StringIO())
    biobank = Biobank.objects.get(code="ukrm-biobank")
    member = Membership.objects.filter(biobank=biobank).order_by("pk").first()
    consent = Consent.objects.filter(donor__biobank=biobank).order_by("pk").first()
    donor = Donor.objects.filter(biobank=biobank, merged_into__isnull=True).order_by("pk").first()
    # A later version, so its diff page has something to compare; an active consent form to sign.
    template = Template.objects.filter(biobank=biobank).order_by("-number", "pk").first()
    signable = Template.objects.filter(biobank=biobank, status="active", type="consent").order_by("pk").first()
    researcher = User.objects.get(email="researcher@example.org")
    assert member and consent and donor and template and signable, "seed_demo no longer seeds what the crawl needs"
    language = signable.texts.order_by("pk").values_list("language", flat=True).first()
    specimen = Specimen.objects.filter(biobank=biobank).order_by("pk").first()

    def first_pk(queryset: Any) -> str:
        # A page for a missing object (404) is a page too: the crawl checks it all the same.
        row = queryset.order_by("pk").first()
        return str(row.pk) if row else "999999"

    return {
        "code": biobank.code,
        "membership_id": str(member.pk),
        "user_id": str(member.user_id),
        "grant_id": first_pk(RoleGrant.objects.filter(biobank=biobank)),
        "token_id": first_pk(ApiToken.objects.filter(biobank=biobank)),
        "pk": first_pk(Collection.objects.filter(biobank=biobank)),
        # the catalogue management's contact persons, networks and research resources (404 pages when none)
        "person_id": first_pk(Person.objects.filter(biobank=biobank)),
        "network_id": first_pk(Network.objects.filter(member_biobanks=biobank)),
        "resource_id": first_pk(ResearchResource.objects.filter(biobank=biobank)),
        "import_id": first_pk(ImportJob.objects.filter(biobank=biobank)),
        "pid": donor.pid_display,
        "consent_id": str(consent.pk),
        "template_id": str(template.pk),
        "review_id": first_pk(DuplicateReview.objects.filter(biobank=biobank)),
        "seq": str(AuditEvent.objects.order_by("seq").values_list("seq", flat=True).first() or 1),
        # a box of the demo storage (a 404 page while the demo seeds none), and its first cell
        "unit_id": first_pk(StorageUnit.objects.filter(biobank=biobank, kind="box")),
        "position": "A1",
        "object_type": "consent.donor",
        "object_id": str(donor.pk),
        # A real password-reset link of the researcher, and links that are no longer (or never were) valid.
        "uidb64": urlsafe_base64_encode(force_bytes(researcher.pk)),
        "token": default_token_generator.make_token(researcher),
        # Step 2 of the capture (the signature pad) is the capture URL with the chosen donor, form and language.
        "capture_query": f"?pid={donor.pid_display}&template={signable.pk}&language={language}",
        # A specimen page (a 404 page while the demo has no specimens), a worklist, an action (POST only: 405).
        "barcode": specimen.barcode if specimen else "NO-SPECIMEN-1",
        "worklist": "to_process",
        "act": "thaw",
        # dynamic consent, staff side: a re-consent campaign (a 404 page while the demo has none), a donor message
        "campaign_id": first_pk(ReconsentCampaign.objects.filter(biobank=biobank)),
        "kind": "donor_invitation",
        "language": "en",
        # the donor portal (/my/): a part of a consent, a donor message (404 pages for anyone without it)
        "module_code": "recontact",
        "message_id": first_pk(DonorMessage.objects.all()),
        # --- access requests: notifications and webhooks (POST-only actions: 405 pages) ---
        "notification_id": "999999",
        "endpoint_id": "999999",
        "delivery_id": "999999",
        # access requests (entitle): a resource and an entitlement of the demo's requests (404 pages when none)
        "resource_pk": first_pk(RequestResource.objects.all()),
        "entitlement_pk": first_pk(Entitlement.objects.all()),
        # access requests (wizard): a wizard step and an attachment (404 pages for anyone without them)
        "step": "project",
        "attachment_id": "999999",
        # the committee's review screen and its actions (POST only: 405) on a resource of an access request
        "action": "vote",
    }


def page_urls(values: dict[str, str]) -> list[str]:
    """The URL of every page route, and the pages only a query string reaches."""
    urls = [route.url(values) for route in page_routes()]
    # --- search --- the global search's "nothing found" page (an empty /search/ asks for a text)
    urls.append("/search/?q=nothing-is-called-this")
    return [*urls, f"/consent/{values['code']}/record/{values['capture_query']}"]


def personas() -> list[tuple[str, Any]]:
    """Anonymous, then every demo login: each staff role, steward, auditor, researcher, donor and the superuser."""
    from biobank.accounts.management.commands.seed_demo import DEMO_USERS
    from biobank.accounts.models import User

    people = [(person.description, User.objects.get(email=person.email)) for person in DEMO_USERS]
    return [("anonymous", None), *people]


@dataclass
class Page:
    persona: str
    url: str
    status: int
    content_type: str
    headers: dict[str, str]
    body: str

    @property
    def is_html(self) -> bool:
        return self.content_type.startswith("text/html")


def crawl(values: dict[str, str]) -> list[Page]:
    """GET every page as every persona; HTML answers of any status are pages (a 403 or 404 page is shown too)."""
    urls = page_urls(values)
    pages: list[Page] = []
    for persona, user in personas():
        client = Client()
        if user is not None:
            client.force_login(user)
            # Past the second sign-in step (this session-scoped crawl runs before the per-test conftest patch).
            session = client.session
            session[MFA_SESSION_KEY] = VERIFIED
            session.save()
        for url in urls:
            response = client.get(url)
            pages.append(
                Page(
                    persona=persona,
                    url=url,
                    status=response.status_code,
                    content_type=response.get("Content-Type", ""),
                    headers=dict(response.headers),
                    body=response.content.decode("utf-8", "replace"),
                )
            )
    return pages


# --- what a page loads -----------------------------------------------------------------------------------------------

# Attributes through which a browser fetches something on its own (a plain <a href> is a link, not a load).
LOADING_ATTRIBUTES = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "form": ("action",),
    "base": ("href",),
}
# <link rel=...> values that make the browser fetch or connect (stylesheet, icon, fonts by preload, preconnect).
LOADING_LINK_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload", "prefetch",
                     "preconnect", "dns-prefetch", "manifest", "prerender"}  # fmt: skip


class Markup(HTMLParser):
    """The loads, inline scripts and styles, and event-handler attributes of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.loads: list[str] = []
        self.resources: list[str] = []  # scripts and style sheets, whose own content the scan reads too
        self.inline_scripts: list[dict[str, str]] = []  # attributes of each <script> without src
        self.style_elements: list[dict[str, str]] = []  # attributes of each <style>
        self.style_texts: list[str] = []
        self.style_attributes: list[str] = []
        self.handlers: list[str] = []
        self.javascript_urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}=…>")
            if name == "style":
                self.style_attributes.append(f"<{tag} style={value!r}>")
            if value.strip().lower().startswith("javascript:"):
                self.javascript_urls.append(f"<{tag} {name}={value!r}>")
        if tag == "script" and "src" not in values:
            self.inline_scripts.append(values)
        if tag == "script" and values.get("src"):
            self.resources.append(values["src"])
        if tag == "style":
            self.style_elements.append(values)
            self._in_style = True
        rels = set(values.get("rel", "").lower().split())
        if tag == "link" and LOADING_LINK_RELS & rels:
            self.loads.append(values.get("href", ""))
        if tag == "link" and "stylesheet" in rels:
            self.resources.append(values.get("href", ""))
        for name in LOADING_ATTRIBUTES.get(tag, ()):
            if name in values:
                self.loads.extend(_srcset(values[name]) if name == "srcset" else [values[name]])
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.loads.append(values.get("content", "").partition("url=")[2])

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style_texts.append(data)


def parse(html: str) -> Markup:
    markup = Markup()
    markup.feed(html)
    markup.close()
    return markup


def _srcset(value: str) -> list[str]:
    return [candidate.strip().split()[0] for candidate in value.split(",") if candidate.strip()]


CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.IGNORECASE | re.DOTALL)


def css_loads(css: str) -> list[str]:
    """Targets of ``url( )`` and ``@import "…"`` in a style sheet."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    return [match.group(2) if match.group(2) is not None else match.group(4) for match in CSS_URL.finditer(css)]


def is_foreign(url: str) -> bool:
    """True for an absolute or protocol-relative URL to another host (data: and same-site paths are not)."""
    match = re.match(r"^\s*(?:(https?):)?//([^/:?#\s]+)", url, re.IGNORECASE)
    return bool(match) and match.group(2).lower() not in SAME_HOSTS


def static_file(url: str) -> Path | None:
    """The file behind a /static/ URL (the tests never run collectstatic, so ask the finders)."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith(settings.STATIC_URL):
        return None
    found = finders.find(path[len(settings.STATIC_URL) :])
    return Path(found) if found else None
