"""The browser URL matrix (issue 9, CI gate): every page of the portal times every persona, like the API's.

Every URL pattern outside ``/admin/`` and ``/api/`` (walked from the root resolver) has an entry in ``PAGES``:
what each persona gets for a GET of its OWN biobank's object (biobank A). The gate fails

* when a URL pattern has no entry, or an entry names a pattern that no longer exists;
* when a persona gets another status than the table's (200 a page, 302 a redirect — to sign in for anonymous —,
  403 a page of a biobank the person sees but may not use, 404 what the person may not even see, 405 a POST-only
  action);
* when an object of the FOREIGN biobank B answers anything but 404, by GET and by POST, under B's code and smuggled
  under A's code (there a person refused on A is refused first, with the same 403 for any id); a verb a page does not
  take answers 405 for own and foreign objects alike.

Run: ``pytest tests/web/test_url_matrix.py -q`` (the figures are printed with ``-s``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import URLResolver, get_resolver, include, path
from django_otp.plugins.otp_totp.models import TOTPDevice

from biobank.accounts.choices import Role
from biobank.accounts.models import RoleGrant
from biobank.audit.models import AuditOutbox
from tests.permission_world import ASKING_ADMIN, BROWSER_PERSONAS, Side, World, perms_on_own, world_of_two_biobanks

pytestmark = pytest.mark.django_db

EXCLUDED_PREFIXES = ("admin/", "api/", "static/", "media/")
PEOPLE_WITHOUT_BIOBANK = ("researcher", "donor")
SIGNED_IN = tuple(p for p in BROWSER_PERSONAS if p != "anonymous")
Row = dict[str, int]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    yield from world_of_two_biobanks(django_db_blocker, tmp_path_factory)


# The matrix world holds a granted request of the matrix researcher on each biobank (fulfilment_objects_of): its
# researcher and the biobank's reviewers read it; everyone else gets 404.
REQUEST_READERS = {"researcher": 200, "dac_member": 200, "dac_chair": 200}


def everyone(status: int) -> Row:
    return dict.fromkeys(BROWSER_PERSONAS, status)


def signed_in(status: int, anonymous: int = 302) -> Row:
    """``status`` for everyone signed in; anonymous is sent to sign in (or gets ``anonymous``)."""
    return {**dict.fromkeys(SIGNED_IN, status), "anonymous": anonymous}


def staff(act: str | set[str], ok: int = 200, *, outsiders: int = 404, overrides: Row | None = None) -> Row:
    """A page of one biobank: ``ok`` with (one of) ``act``; 403 for members without it (they see the biobank);
    ``outsiders`` (404: the biobank is invisible) for people without a biobank; anonymous signs in first."""
    acts = {act} if isinstance(act, str) else act
    row = {persona: ok if acts & perms_on_own(persona) else 403 for persona in Role.values}
    row |= dict.fromkeys(PEOPLE_WITHOUT_BIOBANK, outsiders) | {"anonymous": 302}
    return row | (overrides or {})


POST_ONLY = signed_in(405)  # GET of an action that only takes POST, whoever asks (anonymous signs in first)
# What a POST-only action needs: members of A without it are refused (403) before the object is looked up.
POST_NEEDS: dict[str, str] = {
    "consent/<slug:code>/templates/<int:template_id>/activate/": "manage_consent",
    "consent/<slug:code>/consents/<int:consent_id>/withdraw/": "manage_consent",
    "consent/<slug:code>/consents/<int:consent_id>/invalidate/": "manage_consent",
    "consent/<slug:code>/consents/<int:consent_id>/invalidate/decide/": "manage_consent",
    "biobanks/<slug:code>/members/requests/<int:grant_id>/approve/": "manage_members",
    "biobanks/<slug:code>/members/requests/<int:grant_id>/reject/": "manage_members",
    "specimens/<slug:code>/act/<slug:act>/<path:barcode>/": "change_specimens",
    "specimens/<slug:code>/imports/<int:import_id>/commit/": "change_specimens",
    # the donor may have no e-mail in the vault: the officer is sent back to the donor page with the message
    "consent/<slug:code>/donors/<str:pid>/invite/": "manage_consent",
    # without a state the data manager is sent back to the collection with the message naming the allowed states
    "catalogue/manage/<slug:code>/collections/<int:pk>/state/": "manage_catalog",
    # the endpoint is deactivated (later posts: sent back with "already inactive"); a pending delivery cannot be
    # sent again (sent back with the message)
    "requests/webhooks/<slug:code>/<int:endpoint_id>/deactivate/": "manage_api_tokens",
    "requests/webhooks/<slug:code>/deliveries/<int:delivery_id>/redeliver/": "manage_api_tokens",
}


# One entry per browser URL pattern: what each persona gets for a GET on biobank A's object.
PAGES: dict[str, Row] = {
    "healthz": everyone(200),
    "readyz": everyone(200),
    # --- forms ---
    "favicon.ico": everyone(301),  # to the static icon base.html names (issue 16, item 11)
    # --- end forms ---
    "accounts/login/": signed_in(302, anonymous=200),  # signed in: on to the dashboard
    "accounts/logout/": everyone(405),  # POST only
    # --- consent: the language switcher (Django's set_language, POST only) ---
    "i18n/setlang/": everyone(405),
    "accounts/password/reset/": everyone(200),
    "accounts/password/reset/sent/": everyone(200),
    "accounts/reset/<uidb64>/<token>/": everyone(200),  # an invalid link: the page says so
    "accounts/reset/done/": everyone(200),
    "accounts/password/change/": signed_in(200),
    "accounts/password/change/done/": signed_in(200),
    "accounts/profile/": signed_in(200),
    "accounts/signup/": signed_in(302, anonymous=200),
    "accounts/signup/sent/": everyone(200),
    "accounts/verify/<str:token>/": everyone(400),  # an invalid link
    "accounts/donor/": everyone(200),
    "accounts/donor/sent/": everyone(200),
    "accounts/donor/<uidb64>/<token>/": everyone(400),  # an invalid link
    # The second sign-in step (issue 9, item 4). The matrix's sessions are past it: the step sends them on.
    "accounts/mfa/": signed_in(302),
    "accounts/mfa/setup/": signed_in(200),  # nobody in the world has an authenticator yet: anyone may add one
    "accounts/mfa/recovery-codes/": POST_ONLY,
    # An admin of the person's biobank resets it; members without manage_members get 404 like outsiders (the page
    # looks the biobank up by that permission). The admin's own page says no (tests below).
    "accounts/mfa/reset/<slug:code>/<int:user_id>/": staff("manage_members", outsiders=404)
    | {role: 404 for role in Role.values if "manage_members" not in perms_on_own(role)},
    # The audit pages need view_audit in some biobank (refused before anything is read: 403 for everyone else).
    "audit/": staff("view_audit", outsiders=403),
    "audit/export.csv": staff("view_audit", outsiders=403),
    "audit/history/<str:object_type>/<str:object_id>/": staff("view_audit", outsiders=403),
    "consent/<slug:code>/templates/": staff("manage_consent"),
    "consent/<slug:code>/templates/<int:template_id>/": staff("manage_consent"),
    "consent/<slug:code>/templates/<int:template_id>/new-version/": staff("manage_consent"),
    "consent/<slug:code>/templates/<int:template_id>/activate/": POST_ONLY,
    # v1 has no earlier version to compare with: 404 for the officer too (tests/consent cover a real diff).
    "consent/<slug:code>/templates/<int:template_id>/diff/": staff("manage_consent", 404),
    "consent/<slug:code>/record/": staff("manage_consent"),
    "consent/<slug:code>/scans/new/": staff("manage_consent"),
    "consent/<slug:code>/scans/qc/": staff("manage_consent"),
    "consent/<slug:code>/scans/qc/<int:consent_id>/": staff("manage_consent"),
    "consent/<slug:code>/consents/<int:consent_id>/": staff("view_donors"),
    # Receipts show who signed: the officer is sent on (the receipt is made after commit), the steward states a
    # reason first (the form), other readers of the consent get 403.
    "consent/<slug:code>/consents/<int:consent_id>/receipt.pdf": staff(
        "view_donors", 403, overrides={Role.CONSENT_OFFICER: 302, Role.IDENTITY_STEWARD: 200}
    ),
    # The consent was signed on screen: it has no scan (404 to those who may see it).
    "consent/<slug:code>/consents/<int:consent_id>/scan/": staff("view_donors", 404),
    "consent/<slug:code>/consents/<int:consent_id>/withdraw/": POST_ONLY,
    "consent/<slug:code>/consents/<int:consent_id>/invalidate/": POST_ONLY,
    "consent/<slug:code>/consents/<int:consent_id>/invalidate/decide/": POST_ONLY,
    "consent/<slug:code>/donors/": staff("view_donors"),
    "consent/<slug:code>/donors/new/": staff("manage_consent"),
    "consent/<slug:code>/donors/<str:pid>/": staff("view_donors"),
    "consent/<slug:code>/donors/<str:pid>/identity/": staff("view_identity"),
    "consent/<slug:code>/donors/<str:pid>/merge/": staff("manage_consent"),
    "consent/<slug:code>/donors/<str:pid>/withdraw/": staff("manage_consent"),
    "consent/<slug:code>/duplicates/": staff({"manage_consent", "view_identity"}),
    "consent/<slug:code>/duplicates/<int:review_id>/": staff({"manage_consent", "view_identity"}),
    "consent/<slug:code>/identity/lookup/": staff("view_identity"),
    "consent/<slug:code>/policies/": staff("manage_consent"),
    "consent/<slug:code>/policies/new/": staff("manage_consent"),
    "consent/<slug:code>/modules/": staff("manage_consent"),
    "consent/<slug:code>/modules/new/": staff("manage_consent"),
    "consent/<slug:code>/templates/new/": staff("manage_consent"),
    "": signed_in(200),
    "biobanks/<slug:code>/": staff("view_biobank"),
    "biobanks/<slug:code>/members/": staff("view_biobank"),
    "biobanks/<slug:code>/members/add/": staff("manage_members"),
    "biobanks/<slug:code>/members/<int:user_id>/": staff("manage_members"),
    "biobanks/<slug:code>/members/<int:user_id>/roles/": staff("manage_members"),
    "biobanks/<slug:code>/members/<int:user_id>/remove/": staff("manage_members"),
    "biobanks/<slug:code>/members/requests/<int:grant_id>/approve/": POST_ONLY,
    "biobanks/<slug:code>/members/requests/<int:grant_id>/reject/": POST_ONLY,
    "biobanks/<slug:code>/tokens/": staff("manage_api_tokens"),
    "biobanks/<slug:code>/tokens/new/": staff("manage_api_tokens"),
    "biobanks/<slug:code>/tokens/<int:token_id>/revoke/": staff("manage_api_tokens"),
    "specimens/<slug:code>/imports/": staff("change_specimens"),
    "specimens/<slug:code>/imports/template/": staff("change_specimens"),
    "specimens/<slug:code>/imports/<int:import_id>/": staff("change_specimens"),
    "specimens/<slug:code>/imports/<int:import_id>/status/": staff("change_specimens"),
    "specimens/<slug:code>/imports/<int:import_id>/commit/": POST_ONLY,
    # storage (specimens/views/storage.py): reading needs view_specimens, changing change_specimens
    "specimens/<slug:code>/storage/": staff("view_specimens"),
    "specimens/<slug:code>/storage/new/": staff("change_specimens"),
    "specimens/<slug:code>/storage/<int:unit_id>/": staff("view_specimens"),
    "specimens/<slug:code>/storage/<int:unit_id>/edit/": staff("change_specimens"),
    "specimens/<slug:code>/storage/<int:unit_id>/bulk/": staff("change_specimens"),
    "specimens/<slug:code>/storage/<int:unit_id>/free/": staff("view_specimens"),
    "specimens/<slug:code>/storage/<int:unit_id>/cells/<str:position>/": staff("change_specimens"),
    "collections/": signed_in(200),
    # the public catalogue (catalog/public/): everyone, signed in or not; the matrix world's collection is a draft
    # of a biobank without a published profile, so its public pages are 404 for everyone
    "catalogue/": everyone(200),
    "catalogue/search/": everyone(200),
    "catalogue/search.csv": everyone(200),
    "catalogue/cart/": everyone(200),
    "catalogue/collections/<int:pk>/": everyone(404),
    "catalogue/biobanks/<slug:code>/": everyone(404),
    "catalogue/networks/<int:network_id>/": everyone(404),
    # the header search: anyone signed in may ask; it finds only what they may see (specimens/views/search.py)
    "specimens/scan/": signed_in(200),
    # Creating needs manage_catalog somewhere (403 for everyone else, whatever they see).
    "collections/new/": staff("manage_catalog", outsiders=403),
    # Editing: 403 for those who see the collection (view_catalog) but may not change it, 404 for the others.
    "collections/<int:pk>/edit/": {
        **staff("manage_catalog"),
        **{r: 404 for r in Role.values if not {"view_catalog", "manage_catalog"} & perms_on_own(r)},
    },
    # The technician's specimen pages (specimens/views/): reading needs view_specimens, acting change_specimens.
    "specimens/<slug:code>/": staff("view_specimens"),
    "specimens/<slug:code>/export/": staff("view_specimens"),
    # dynamic consent, staff side (consent/views/portal_staff.py; issue 13)
    "consent/<slug:code>/donors/<str:pid>/invite/": POST_ONLY,
    "consent/<slug:code>/campaigns/": staff("view_donors"),
    "consent/<slug:code>/campaigns/new/": staff("manage_consent"),
    "consent/<slug:code>/campaigns/<int:campaign_id>/": staff("view_donors"),
    "consent/<slug:code>/messages/": staff("manage_consent"),
    "consent/<slug:code>/messages/<slug:kind>/<slug:language>/": staff("manage_consent"),
    "specimens/<slug:code>/withdrawals/": staff("view_specimens"),
    "specimens/<slug:code>/scan/": staff("view_specimens", 302),  # no code scanned: back to the list
    "specimens/<slug:code>/register/": staff("change_specimens"),
    "specimens/<slug:code>/labels/": staff("change_specimens"),
    "specimens/<slug:code>/worklists/": staff("view_specimens"),
    "specimens/<slug:code>/worklists/<slug:worklist>/": staff("view_specimens"),
    "specimens/<slug:code>/s/<path:barcode>/": staff("view_specimens"),
    "specimens/<slug:code>/act/<slug:act>/<path:barcode>/": POST_ONLY,
    # Catalogue management (catalog/editing/): reading needs view_catalog, every form and action manage_catalog.
    "catalogue/manage/directory/export/": staff("manage_catalog", outsiders=403),
    "catalogue/manage/directory/import/": staff("manage_catalog", outsiders=403),
    "catalogue/manage/": signed_in(200),  # the biobanks whose catalogue the person sees (maybe none)
    "catalogue/manage/<slug:code>/": staff("view_catalog"),
    "catalogue/manage/<slug:code>/profile/": staff("manage_catalog"),
    "catalogue/manage/<slug:code>/collections/<int:pk>/": staff("manage_catalog"),
    "catalogue/manage/<slug:code>/collections/<int:pk>/state/": POST_ONLY,
    "catalogue/manage/<slug:code>/diseases/": staff("manage_catalog"),
    "catalogue/manage/<slug:code>/persons/new/": staff("manage_catalog"),
    "catalogue/manage/<slug:code>/persons/<int:person_id>/": staff("manage_catalog"),
    "catalogue/manage/<slug:code>/networks/new/": staff("manage_catalog"),
    "catalogue/manage/<slug:code>/networks/<int:network_id>/": staff("manage_catalog"),
    "catalogue/manage/<slug:code>/resources/new/": staff("manage_catalog"),
    "catalogue/manage/<slug:code>/resources/<int:resource_id>/": staff("manage_catalog"),
    # The donor portal (consent/portal/): only a person with a donor account, on their own objects; the matrix's
    # donor persona has no account (tests/consent/portal cover a real one), staff get 404 like anyone else.
    "my/": signed_in(404),
    "my/welcome/<str:token>/": everyone(400),  # an invalid link
    "my/consents/<int:consent_id>/": signed_in(404),
    "my/consents/<int:consent_id>/receipt.pdf": signed_in(404),
    "my/choices/<slug:module_code>/": signed_in(404),
    "my/reconsent/<int:template_id>/": signed_in(404),
    "my/withdraw/": signed_in(404),
    "my/withdraw/done/": signed_in(404),
    "my/history/": signed_in(404),
    "my/projects/": signed_in(404),
    "my/messages/": signed_in(404),
    "my/messages/<int:message_id>/": signed_in(404),
    "my/preferences/": signed_in(404),
    # --- access requests: notifications (anyone's own) and webhooks (access_requests/views/{notifications,webhooks}.py)
    "requests/notifications/": signed_in(200),
    "requests/notifications/read/": POST_ONLY,
    "requests/notifications/<int:notification_id>/open/": POST_ONLY,
    "requests/webhooks/<slug:code>/": staff("manage_api_tokens"),
    "requests/webhooks/<slug:code>/<int:endpoint_id>/deactivate/": POST_ONLY,
    "requests/webhooks/<slug:code>/deliveries/<int:delivery_id>/redeliver/": POST_ONLY,
    # --- access requests: entitle (agreements, entitlements, reports) ---
    # Any member reads the biobank's agreement versions (publishing is the admin's and the DAC chair's, a 403).
    "requests/agreements/<slug:code>/": staff("view_biobank"),
    "requests/agreements/<slug:code>/<int:pk>/": signed_in(404),  # the matrix world has no agreement version
    # The matrix world has no access request: every request page is a 404 for everyone signed in.
    "requests/<int:pk>/resources/<int:resource_pk>/conditions/": signed_in(404),
    "requests/<int:pk>/resources/<int:resource_pk>/decline/": POST_ONLY,
    "requests/<int:pk>/access/": signed_in(404) | REQUEST_READERS,
    "requests/<int:pk>/resources/<int:resource_pk>/grant/": POST_ONLY,
    "requests/<int:pk>/entitlements/<int:entitlement_pk>/revoke/": POST_ONLY,
    "requests/<int:pk>/renew/": POST_ONLY,
    "requests/<int:pk>/close/": POST_ONLY,
    "requests/<int:pk>/reports/": signed_in(404) | REQUEST_READERS,
    "requests/<int:pk>/compliance.pdf": signed_in(404)
    | {"researcher": 403, "dac_member": 403, "dac_chair": 403, "auditor": 200},  # committee seats: none in the world
    "requests/sign/<str:token>/": everyone(404),  # a one-time link: no account needed, an unknown token is a 404
    # --- wizard (access_requests/views/researcher.py, wizard.py): the researcher's pages. The matrix world has no
    # request, so a request's pages are 404 for everyone; the wizard is for researchers (the matrix's has no profile
    # yet: sent to it first), staff are refused; the team link is a one-time link (any token: the same page).
    "requests/": signed_in(200),
    "requests/profile/": signed_in(200),
    "requests/new/": signed_in(403) | {"researcher": 302},
    "requests/team/<str:token>/": signed_in(200),
    "requests/<int:pk>/": signed_in(404) | REQUEST_READERS,
    "requests/<int:pk>/edit/<slug:step>/": signed_in(404) | {"researcher": 302},  # active: not editable
    "requests/<int:pk>/withdraw/": POST_ONLY,
    "requests/<int:pk>/attachments/<int:attachment_id>/": signed_in(404),
    # --- committee (access_requests/views/committee_*.py): the matrix world has no access requests, so every
    # resource and request id is a 404 page for whoever asks; the committee page is the admin's and the DAC chair's
    "requests/committees/<slug:code>/": staff({"manage_members", "decide_requests"}),
    "requests/review/": signed_in(200),
    "requests/review/<int:pk>/": signed_in(404) | {"dac_member": 200, "dac_chair": 200},
    "requests/review/<int:pk>/letter.pdf": signed_in(404),
    "requests/review/<int:pk>/<slug:action>/": POST_ONLY,
    "requests/<int:pk>/messages/": POST_ONLY,
    # --- search ---
    # The global search (biobank/web/views/search.py): anyone signed in may ask; it finds only what they may see.
    "search/": signed_in(200),
}

# Pages that only answer GET (a POST is 405 for own and foreign objects alike).
GET_ONLY: set[str] = {
    "requests/notifications/",  # the list; marking read is its own POST action
    "catalogue/manage/",
    "catalogue/manage/<slug:code>/",
    "catalogue/manage/<slug:code>/diseases/",
    "audit/history/<str:object_type>/<str:object_id>/",
    "catalogue/collections/<int:pk>/",
    "catalogue/biobanks/<slug:code>/",
    "catalogue/networks/<int:network_id>/",
    "consent/<slug:code>/donors/",
    "consent/<slug:code>/donors/<str:pid>/",
    "consent/<slug:code>/duplicates/",
    "consent/<slug:code>/modules/",
    "consent/<slug:code>/policies/",
    "specimens/<slug:code>/",
    "specimens/<slug:code>/export/",
    "specimens/<slug:code>/scan/",
    "specimens/scan/",
    "specimens/<slug:code>/worklists/",
    "specimens/<slug:code>/s/<path:barcode>/",
    "specimens/<slug:code>/imports/template/",
    "specimens/<slug:code>/imports/<int:import_id>/",
    "specimens/<slug:code>/imports/<int:import_id>/status/",
    "specimens/<slug:code>/storage/",
    "specimens/<slug:code>/storage/<int:unit_id>/",
    "specimens/<slug:code>/storage/<int:unit_id>/free/",
    "my/",
    "my/consents/<int:consent_id>/",
    "my/consents/<int:consent_id>/receipt.pdf",
    "my/withdraw/done/",
    "my/history/",
    "my/projects/",
    "my/messages/",
    "my/messages/<int:message_id>/",
    "consent/<slug:code>/campaigns/",
    "consent/<slug:code>/campaigns/<int:campaign_id>/",
    "consent/<slug:code>/messages/",
    "requests/",
    "requests/<int:pk>/",
    "requests/<int:pk>/attachments/<int:attachment_id>/",
    "requests/review/<int:pk>/",
    "requests/review/<int:pk>/letter.pdf",
    "search/",  # --- search ---
}
# Pages whose second path parameter names a view of the biobank (a worklist), not an object that could be foreign.
NAMED_VIEWS = {
    "specimens/<slug:code>/worklists/<slug:worklist>/",
    "consent/<slug:code>/messages/<slug:kind>/<slug:language>/",  # a kind of donor message, in a language
}
# Not objects of a biobank: one-time links, the same answer for any value.
# notifications: the person's own; team and download links: the person's own token
NOT_BIOBANK_OBJECTS = ("accounts/", "my/welcome/", "requests/notifications/", "requests/team/", "requests/download/")
# Under accounts/ but naming a biobank and one of its members: probed like the biobank pages.
MEMBER_PAGES_UNDER_ACCOUNTS = ("accounts/mfa/reset/",)


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


# --- access requests: fulfilment (access_requests/views/fulfilment.py) ---
def _fulfilment_row(*acts: str) -> Row:
    """A resource-scoped page: 200 with one of ``acts`` on A, 404 for everyone else (the resource is invisible)."""
    row = {p: 200 if set(acts) & perms_on_own(p) else 404 for p in Role.values}
    return row | dict.fromkeys(PEOPLE_WITHOUT_BIOBANK, 404) | {"anonymous": 302}


PAGES.update(
    {
        "requests/fulfilment/<int:pk>/": _fulfilment_row("review_requests", "change_specimens"),
        "requests/fulfilment/shipments/<int:pk>/packing-list.pdf": _fulfilment_row(
            "review_requests", "change_specimens"
        ),
        # the request's researcher and its reviewers
        "requests/<int:pk>/releases/": _fulfilment_row("review_requests") | {"researcher": 200},
        "requests/download/<str:token>/<str:file>": signed_in(404),  # a made-up link
    }
)
GET_ONLY.add("requests/fulfilment/shipments/<int:pk>/packing-list.pdf")


def browser_routes() -> set[str]:
    # A regular expression pattern starts with "^" (the API's catch-all ``^api/`` for unknown paths).
    return {route for route in _walk(get_resolver()) if not route.removeprefix("^").startswith(EXCLUDED_PREFIXES)}


ROUTES = sorted(browser_routes())
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def import_job_of(side: Side) -> Any:
    """An uploaded import file of ``side``'s biobank (its check runs after commit, which a test never reaches)."""
    from specimens.services.imports import import_upload

    data = f"donor_pid,collection,sample_type,quantity,unit\n{side.donor.pid_display},{side.collection.code},SER,1,mL\n"
    return import_upload(actor=None, biobank=side.biobank, data=data.encode(), file_name="matrix.csv")


def campaign_of(side: Side) -> Any:
    """A re-consent campaign of ``side``'s biobank (no donors: the page shows its empty progress)."""
    from consent.models import ReconsentCampaign

    campaign = ReconsentCampaign.objects.filter(biobank=side.biobank).first()
    return campaign or ReconsentCampaign.objects.create(
        biobank=side.biobank, template=side.template, title="Matrix campaign", created_by=side.officer
    )


def catalogue_objects_of(side: Side) -> dict[str, int]:
    """A contact person, a network (with the biobank as member) and a research resource of ``side``'s biobank."""
    from catalog import services as catalog
    from catalog.models import Network, Person, ResearchResource

    biobank, local = side.biobank, f"DE_matrix{side.biobank.pk}"
    person = Person.objects.filter(biobank=biobank).first() or catalog.person_save(
        actor=None, biobank=biobank, bbmri_id=f"bbmri-eric:contactID:{local}", email="c@example.org", country="DE"
    )
    network = Network.objects.filter(member_biobanks=biobank).first() or catalog.network_save(
        actor=None, bbmri_id=f"bbmri-eric:networkID:{local}", name=local, description="Matrix network.",
        contact=person, member_biobanks=[biobank],
    )  # fmt: skip
    resource = ResearchResource.objects.filter(biobank=biobank).first() or catalog.research_resource_save(
        actor=None, biobank=biobank, bbmri_id=f"bbmri-eric:studyID:{local}", title=local, contact=person
    )
    return {"person_id": person.pk, "network_id": network.pk, "resource_id": resource.pk}


def webhook_of(side: Side) -> dict[str, int]:
    """A webhook endpoint of ``side``'s biobank with one pending delivery."""
    from django.utils import timezone

    from access_requests.models import WebhookDelivery, WebhookEndpoint

    endpoint = WebhookEndpoint.objects.filter(biobank=side.biobank).first() or WebhookEndpoint.objects.create(
        biobank=side.biobank, url="https://partner.example.org/hook", secret="0" * 64, created_by=side.admin
    )
    delivery = endpoint.deliveries.first() or WebhookDelivery.objects.create(
        endpoint=endpoint, event="request.submitted", payload={}, next_attempt_at=timezone.now()
    )
    return {"endpoint_id": endpoint.pk, "delivery_id": delivery.pk}


def fulfilment_objects_of(side: Side, route: str) -> dict[str, Any]:
    """A granted request of the matrix researcher on ``side``'s biobank with a prepared shipment; ``pk`` is the
    resource, the shipment or the request, as the route names it."""
    from access_requests.models import RequestResource, Shipment
    from biobank.accounts.models import User
    from tests.access_requests.factories import make_request

    resource = RequestResource.objects.filter(biobank=side.biobank).first()
    if resource is None:
        researcher = User.objects.get(email="matrix-researcher@example.org")
        request = make_request(researcher, [side.biobank], status="active", resource_status="access_granted")
        resource = request.resources.get()
    shipment = Shipment.objects.filter(resource=resource).first() or Shipment.objects.create(
        resource=resource, address="Lab", created_by=side.admin
    )
    if route.startswith("requests/fulfilment/shipments/"):
        pk = shipment.pk
    elif route.startswith(("requests/fulfilment/", "requests/review/")):  # these pages name the resource
        pk = resource.pk
    else:
        pk = resource.request_id
    return {"pk": pk, "file": "csv"}


def fill(route: str, side: Side, *, code_of: Side | None = None) -> str:
    """The URL of ``route`` naming ``side``'s objects (``code_of``: take the biobank code from another side)."""
    values: dict[str, Any] = side.path_values()
    values |= {
        "code": (code_of or side).biobank.code,
        "object_type": "catalog.collection",
        "object_id": side.collection.pk,
        "uidb64": "MQ",
        "token": "not-a-valid-link",
        "worklist": "to_process",
        "act": "thaw",
        "network_id": 999999,  # no network in the matrix world: the public page is a 404
        "module_code": side.module.code,
        "message_id": 999999,  # no donor message in the matrix world
        "resource_pk": 999999,  # no access request in the matrix world
        "entitlement_pk": 999999,
        "step": "project",  # a step of the request wizard
        "attachment_id": 999999,  # no request attachment in the matrix world
        "action": "vote",  # a committee action on a resource (access_requests/views/committee_review.py)
    }
    if "<int:import_id>" in route:
        values["import_id"] = import_job_of(side).pk
    if "<int:campaign_id>" in route:
        values["campaign_id"] = campaign_of(side).pk
    if "<int:endpoint_id>" in route or "<int:delivery_id>" in route:
        values |= webhook_of(side)
    values.setdefault("notification_id", 999999)  # nobody's: a person opens only their own
    values |= {"kind": "donor_invitation", "language": "en"}
    if route.startswith("catalogue/manage/"):
        values |= catalogue_objects_of(side)
    if route.startswith("requests/"):
        values |= fulfilment_objects_of(side, route)
    return "/" + PARAMETER.sub(lambda match: str(values[match.group(1)]), route)


def get(world: World, persona: str, url: str, method: str = "GET") -> Any:
    cache.clear()  # sign-in and form rate limits: the matrix asks many pages for one person
    client: Callable[..., Any] = getattr(world.client(persona), method.lower())
    return client(url)


# --- the gate ------------------------------------------------------------------------------------------------------


def test_every_browser_url_has_an_entry_in_the_matrix_and_every_entry_a_url():
    missing = sorted(set(ROUTES) - set(PAGES))
    stale = sorted(set(PAGES) - set(ROUTES))

    assert not missing, f"browser URLs without an entry in PAGES (add one): {missing}"
    assert not stale, f"entries of PAGES no URL pattern has any more (remove them): {stale}"
    assert all(set(row) == set(BROWSER_PERSONAS) for row in PAGES.values())


def test_the_gate_notices_a_page_without_an_entry(monkeypatch):
    root = get_resolver()
    extra = path("", include([path("unlisted/<int:pk>/", lambda request, pk: None)]))
    monkeypatch.setattr(
        sys.modules[__name__], "get_resolver", lambda: SimpleNamespace(url_patterns=[*root.url_patterns, extra])
    )

    assert browser_routes() - set(PAGES) == {"unlisted/<int:pk>/"}


def test_the_walk_reaches_included_url_modules_and_leaves_out_admin_and_api():
    assert "consent/<slug:code>/donors/<str:pid>/" in ROUTES  # two levels of include()
    assert not [route for route in ROUTES if route.removeprefix("^").startswith(("admin/", "api/"))]


def test_figures(capsys):
    with capsys.disabled():
        print(
            f"\nBrowser matrix: {len(PAGES)} URLs x {len(BROWSER_PERSONAS)} personas = "
            f"{len(PAGES) * len(BROWSER_PERSONAS)} checks; foreign-object probes: "
            f"{len(FOREIGN_CASES) * len(FOREIGN_PERSONAS)}"
        )
    assert len(OWN_CASES) == len(PAGES) * len(BROWSER_PERSONAS)


# --- own biobank: the table ----------------------------------------------------------------------------------------

OWN_CASES = [(route, persona) for route in ROUTES if route in PAGES for persona in BROWSER_PERSONAS]
OWN_ROUTES = [route for route in ROUTES if route in PAGES]


@pytest.mark.parametrize("route", OWN_ROUTES, ids=[f"/{r}" for r in OWN_ROUTES])
def test_each_persona_gets_the_tables_status_on_its_own_biobanks_page(world, route):
    """One test per URL, every persona in it (one failure lists every persona that is off)."""
    url = fill(route, world.a)
    wrong = {}

    for persona in BROWSER_PERSONAS:
        response = get(world, persona, url)
        if response.status_code != PAGES[route][persona]:
            wrong[persona] = (response.status_code, PAGES[route][persona])
        if persona == "anonymous" and response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), url

    assert not wrong, f"GET {url}: persona -> (got, expected) {wrong}"


# --- own biobank: the POST-only actions ---------------------------------------------------------------------------

POST_PERSONAS = (*BROWSER_PERSONAS, ASKING_ADMIN)


def post_expected(route: str, persona: str) -> int:
    """302 (done, or sent back with the service's message) with the permission, 403 without, 404 outside A."""
    if persona == "anonymous":
        return 302
    if persona in PEOPLE_WITHOUT_BIOBANK:
        return 404
    if POST_NEEDS[route] not in perms_on_own(persona):
        return 403
    if route.endswith("/invalidate/decide/"):
        return 404  # no invalidation of A's consent was asked for: nothing to decide
    # --- forms ---
    if route.endswith("/consents/<int:consent_id>/withdraw/"):
        return 200  # an empty withdrawal: the consent's page again, the errors at the fields (issue 16, item 7)
    # --- end forms ---
    return 302


POST_CASES = [(route, persona) for route in POST_NEEDS for persona in POST_PERSONAS]


@pytest.mark.parametrize(("route", "persona"), POST_CASES, ids=[f"POST /{r} {p}" for r, p in POST_CASES])
def test_each_persona_gets_the_tables_status_for_a_post_only_action_on_its_own_biobank(world, route, persona):
    response = get(world, persona, fill(route, world.a), "POST")

    assert response.status_code == post_expected(route, persona), (persona, route)
    world.a.grant.refresh_from_db()
    four_eyes_kept = route.endswith("/approve/") and persona == ASKING_ADMIN
    if four_eyes_kept or post_expected(route, persona) != 302 or persona == "anonymous":
        assert world.a.grant.status == RoleGrant.Status.PENDING  # refused, or the asker's own approval (four eyes)


# --- foreign biobank: 404 ------------------------------------------------------------------------------------------

# People without a biobank get 404 on A's objects already (the table): the probes are for members of A.
FOREIGN_PERSONAS = tuple(Role.values)


def _foreign_cases() -> list[tuple[str, str, str]]:
    cases = []
    for route in ROUTES:
        if not PARAMETER.search(route):
            continue
        if route.startswith(NOT_BIOBANK_OBJECTS) and not route.startswith(MEMBER_PAGES_UNDER_ACCOUNTS):
            continue
        variants = ["foreign biobank"]
        if "<slug:code>" in route and route.count("<") > 1 and route not in NAMED_VIEWS:
            variants.append("foreign object under own code")
        methods = [m for m in ("GET", "POST") if not (m == "GET" and PAGES[route] == POST_ONLY)]
        methods = [m for m in methods if not (m == "POST" and route in GET_ONLY)]
        cases += [(route, variant, method) for variant in variants for method in methods]
    return cases


FOREIGN_CASES = _foreign_cases()


def _foreign_expected(route: str, variant: str, method: str, persona: str) -> set[int]:
    """404; under A's code a member refused on A's own object may get that same 403 (it says nothing of the id)."""
    own = PAGES[route][persona]
    if method == "POST" and route in POST_NEEDS:
        own = 200 if POST_NEEDS[route] in perms_on_own(persona) else 403
    if route.startswith("audit/history/"):
        return {own}  # a filter on the auditor's events, not a lookup: B's events must not show (checked below)
    if variant == "foreign object under own code" and own == 403:
        return {403, 404}
    return {404}


@pytest.mark.parametrize(
    ("route", "variant", "method"), FOREIGN_CASES, ids=[f"{m} /{r} {v}" for r, v, m in FOREIGN_CASES]
)
def test_an_object_of_a_foreign_biobank_is_404_for_every_persona(world, route, variant, method):
    code_of = world.a if variant == "foreign object under own code" else None
    url = fill(route, world.b, code_of=code_of)
    wrong = {}

    for persona in FOREIGN_PERSONAS:
        response = get(world, persona, url, method)
        expected = _foreign_expected(route, variant, method, persona)
        if response.status_code not in expected:
            wrong[persona] = (response.status_code, expected)
        if response.status_code == 200:  # the auditor's history filter: nothing of B's collection shows
            assert world.b.admin.email.encode() not in response.content, (persona, url)

    assert not wrong, f"{method} {url}: persona -> (got, expected) {wrong}"


UNTAKEN = [(route, "POST") for route in sorted(GET_ONLY)] + [
    (route, "GET") for route in ROUTES if PARAMETER.search(route) and PAGES.get(route) == POST_ONLY
]


@pytest.mark.parametrize(("route", "method"), UNTAKEN, ids=[f"{m} /{r}" for r, m in UNTAKEN])
def test_a_verb_the_page_does_not_take_answers_405_for_own_and_foreign_objects_alike(world, route, method):
    own = get(world, Role.BIOBANK_ADMIN, fill(route, world.a), method)
    foreign = get(world, Role.BIOBANK_ADMIN, fill(route, world.b), method)

    assert (own.status_code, foreign.status_code) == (405, 405)


# --- the MFA reset: another member of one's own biobank, never oneself, never a foreign person ----------------------


def test_an_admin_resets_another_members_mfa_never_their_own_nor_a_foreign_persons(world):
    admin = world.users[Role.BIOBANK_ADMIN]
    for person in (admin, world.a.member, world.b.member):
        TOTPDevice.objects.create(user=person, name="phone", confirmed=True)
    reason = {"reason": "Lost phone, identity checked in person"}
    client = world.client(Role.BIOBANK_ADMIN)  # posts a form, like the browser (format="multipart")
    reset = "/accounts/mfa/reset/{}/{}/"

    # A member's roles page links to the reset; the admin's own page does not.
    assert (
        reset.format("biobank-a", world.a.member.pk).encode()
        in client.get(f"/biobanks/biobank-a/members/{world.a.member.pk}/roles/").content
    )
    assert b"/accounts/mfa/reset/" not in client.get(f"/biobanks/biobank-a/members/{admin.pk}/roles/").content
    # Oneself: the page says no and a POST with a reason is refused.
    assert b"You cannot reset your own" in client.get(reset.format("biobank-a", admin.pk)).content
    assert client.post(reset.format("biobank-a", admin.pk), reason, format="multipart").status_code == 403
    # A person of B, under B's code and under A's: 404 even with a valid reason.
    assert client.post(reset.format("biobank-b", world.b.member.pk), reason, format="multipart").status_code == 404
    assert client.post(reset.format("biobank-a", world.b.member.pk), reason, format="multipart").status_code == 404
    assert set(TOTPDevice.objects.values_list("user_id", flat=True)) == {admin.pk, world.a.member.pk, world.b.member.pk}
    assert not AuditOutbox.objects.filter(action="mfa.reset").exists()

    response = client.post(reset.format("biobank-a", world.a.member.pk), reason, format="multipart")

    assert (response.status_code, response["Location"]) == (302, "/biobanks/biobank-a/members/")
    assert set(TOTPDevice.objects.values_list("user_id", flat=True)) == {admin.pk, world.b.member.pk}
    assert list(AuditOutbox.objects.filter(action="mfa.reset").values_list("actor_label", flat=True)) == [admin.email]
