"""Every write of the portal leaves an audit event (issue 9, item 11).

The test walks every URL pattern of the project and every management command of its apps (``write_paths.py``).
Each route that can write (a POST, PUT, PATCH or DELETE handler) and each command must have an entry below naming a
way to exercise it with valid data as the right person and the audit action it must leave — a new endpoint or
command fails this test until it gets one. A few routes answer POST without changing any record (an e-mail is
sent, or a question answered); for them the test proves that no row was written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from biobank.audit.models import AuditEvent, AuditOutbox
from catalog import services as catalog_services
from tests.accounts.factories import UserFactory
from tests.audit import write_path_exercises as ex
from tests.audit import write_path_exercises_access_requests_wizard as wizard_ex
from tests.audit import write_path_exercises_catalog as cx
from tests.audit import write_path_exercises_committee as committee_ex
from tests.audit import write_path_exercises_consent_staff as consent_staff_ex
from tests.audit import write_path_exercises_donor_api as donor_api_ex
from tests.audit import write_path_exercises_duo as duo_ex
from tests.audit import write_path_exercises_entitle as entitle_ex
from tests.audit import write_path_exercises_fulfil as fulfil_ex
from tests.audit import write_path_exercises_notify as notify_ex
from tests.audit import write_path_exercises_specimens as sx
from tests.audit import write_path_exercises_specimens_api as sax
from tests.audit import write_path_exercises_storage as storage_ex
from tests.audit.write_paths import project_commands, writing_routes
from tests.consent.donor_fixtures import donor_a, register  # noqa: F401  (fixtures of the consent exercises)
from tests.consent.portal_fixtures import jane  # noqa: F401  (the donor of the portal exercises)
from tests.pseudonyms.keyfiles import point_key_files_to
from tests.specimens.imports import exercises as imports_ex

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Audited:
    """A write: ``run`` performs it; ``action`` is the event it must leave."""

    run: Callable[[ex.Fixtures], Any]
    action: str


@dataclass(frozen=True)
class ChangesNothing:
    """A POST that writes no record (sends an e-mail, answers a question): proven by the SQL it runs once the
    ``fixtures`` it uses exist."""

    run: Callable[[ex.Fixtures], Any]
    why: str
    fixtures: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotData:
    """A command that changes no table of the portal (files, database roles); ``why`` says what it does change."""

    why: str


# The routes that write, keyed "<namespace:name> <METHOD>" as write_paths.writing_routes() finds them.
ROUTES: dict[str, Audited | ChangesNothing] = {
    # sign-in and account self-service (issue 9, item 11: sign-up, verification, profile, passwords)
    "accounts:login POST": Audited(ex.login, "auth.login"),
    "accounts:logout POST": Audited(ex.logout, "auth.logout"),
    "accounts:password_reset POST": ChangesNothing(ex.password_reset_request, "e-mails a reset link", ("admin_a",)),
    "accounts:password_reset_confirm POST": Audited(ex.password_reset_confirm, "user.password_reset"),
    "accounts:password_change POST": Audited(ex.password_change, "user.password_change"),
    "accounts:profile POST": Audited(ex.profile, "user.update"),
    "accounts:signup POST": Audited(ex.signup, "user.register"),
    "accounts:researcher_verify GET": Audited(ex.verify_email, "user.verify_email"),
    "accounts:donor_link POST": ChangesNothing(ex.donor_link_request, "e-mails a one-time sign-in link", ("donor",)),
    "set_language POST": ChangesNothing(ex.set_language, "sets the language cookie (issue 16's switcher)"),
    "accounts:donor_link_confirm POST": Audited(ex.donor_link_confirm, "auth.login"),
    # the second sign-in step (issue 9, item 4)
    "accounts:mfa_setup POST": Audited(ex.mfa_setup, "mfa.enrol"),
    "accounts:mfa_verify POST": Audited(ex.mfa_verify, "mfa.verify"),
    "accounts:mfa_recovery_codes POST": Audited(ex.mfa_recovery_codes_regenerate, "mfa.recovery_codes_regenerate"),
    "accounts:mfa_reset POST": Audited(ex.mfa_reset, "mfa.reset"),
    # the Django admin: every model admin is read-only, so only the site's own views write
    "admin:login POST": Audited(ex.admin_login, "auth.login"),
    "admin:logout POST": Audited(ex.admin_logout, "auth.logout"),
    "admin:password_change POST": Audited(ex.admin_password_change, "user.password_change"),
    # biobank administration
    "web:member_add POST": Audited(ex.web_member_add, "membership.grant"),
    "web:member_edit POST": Audited(ex.web_member_edit, "membership.grant"),
    "web:member_remove POST": Audited(ex.web_member_remove, "membership.revoke"),
    "web:role_grant_approve POST": Audited(ex.web_role_grant_approve, "role_grant.approve"),
    "web:role_grant_reject POST": Audited(ex.web_role_grant_reject, "role_grant.reject"),
    "web:token_create POST": Audited(ex.web_token_create, "api_token.create"),
    "web:token_revoke POST": Audited(ex.web_token_revoke, "api_token.revoke"),
    "catalog:collection_create POST": Audited(ex.web_collection_create, "collection.create"),
    "catalog:collection_edit POST": Audited(ex.web_collection_edit, "collection.update"),
    # catalogue management (catalog/editing/)
    "catalog_directory:export POST": Audited(cx.web_directory_export, "directory.export"),
    "catalog_directory:import POST": Audited(cx.web_directory_import, "directory.import"),
    "catalog_manage:profile POST": Audited(cx.web_profile, "biobank_profile.save"),
    "catalog_manage:collection POST": Audited(cx.web_collection, "collection.describe"),
    "catalog_manage:collection_state POST": Audited(cx.web_collection_state, "collection.publish"),
    "catalog_manage:person_new POST": Audited(cx.web_person_new, "catalog_person.save"),
    "catalog_manage:person POST": Audited(cx.web_person, "catalog_person.save"),
    "catalog_manage:network_new POST": Audited(cx.web_network_new, "catalog_network.save"),
    "catalog_manage:network POST": Audited(cx.web_network, "catalog_network.save"),
    "catalog_manage:resource_new POST": Audited(cx.web_resource_new, "research_resource.save"),
    "catalog_manage:resource POST": Audited(cx.web_resource, "research_resource.save"),
    "api-member-list POST": Audited(ex.api_member_add, "membership.grant"),
    "api-member-detail DELETE": Audited(ex.api_member_remove, "membership.revoke"),
    "api-role-grant-approve POST": Audited(ex.api_role_grant_approve, "role_grant.approve"),
    "api-role-grant-reject POST": Audited(ex.api_role_grant_reject, "role_grant.reject"),
    "api-collection-list POST": Audited(ex.api_collection_create, "collection.create"),
    "api-collection-detail PATCH": Audited(ex.api_collection_update, "collection.update"),
    # consent: catalogue, capture, documents, donors
    "consent:policy_create POST": Audited(ex.consent_policy_create, "consent_policy.create"),
    "consent:module_create POST": Audited(ex.consent_module_create, "consent_module.create"),
    "consent:template_create POST": Audited(ex.consent_template_create, "consent_template.create"),
    "consent:template_new_version POST": Audited(ex.consent_template_new_version, "consent_template.create"),
    "consent:template_activate POST": Audited(ex.consent_template_activate, "consent_template.activate"),
    "consent:capture POST": Audited(ex.consent_capture, "consent.record"),
    "consent:scan_upload POST": Audited(ex.consent_scan_upload, "consent.scan_upload"),
    "consent:qc_decide POST": Audited(ex.consent_qc_decide, "consent.qc_approve"),
    "consent:receipt POST": Audited(ex.consent_receipt, "consent.receipt_read"),
    "consent:scan POST": Audited(ex.consent_scan, "consent.scan_read"),
    "consent:withdraw_module POST": Audited(ex.consent_withdraw_module, "consent.withdraw_module"),
    "consent:invalidation_request POST": Audited(ex.consent_invalidation_request, "consent.invalidation_request"),
    "consent:invalidation_decide POST": Audited(ex.consent_invalidation_decide, "consent.invalidation_approve"),
    "consent:donor_register POST": Audited(ex.consent_donor_register, "donor.register"),
    "consent:donor_identity POST": Audited(ex.consent_donor_identity, "donor.identity_view"),
    "consent:identity_lookup POST": Audited(ex.consent_identity_lookup, "donor.identity_view"),
    "consent:donor_merge POST": Audited(ex.consent_donor_merge, "donor.merge"),
    "consent:donor_withdraw POST": Audited(ex.consent_donor_withdraw, "donor.withdraw"),
    "consent:duplicate_review POST": Audited(ex.consent_duplicate_review, "duplicate_review.decide"),
    # consent: dynamic consent, staff side (issue 13)
    "consent:donor_invite POST": Audited(consent_staff_ex.donor_invite, "donor.portal_invite"),
    "consent:campaign_new POST": Audited(consent_staff_ex.campaign_new, "consent.campaign_create"),
    "consent:message_edit POST": Audited(consent_staff_ex.message_edit, "consent.message_template_save"),
    # the donor's own API (consent/api/portal.py)
    "api-me-choices POST": Audited(donor_api_ex.api_me_choice_change, "consent.withdraw_module"),
    "api-me-withdrawals POST": Audited(donor_api_ex.api_me_withdraw, "donor.portal_withdraw"),
    "api-me-preferences PUT": Audited(donor_api_ex.api_me_preferences_put, "donor.portal_preferences"),
    "api-me-preferences PATCH": Audited(donor_api_ex.api_me_preferences_patch, "donor.portal_preferences"),
    # --- wizard: the researcher's requests (access_requests/views/, access_requests/api/requests.py) ---
    "access_requests:profile POST": Audited(wizard_ex.profile_save, "access_request.profile_created"),
    "access_requests:wizard_new POST": Audited(wizard_ex.wizard_new, "access_request.request.created"),
    "access_requests:wizard_step POST": Audited(wizard_ex.wizard_step, "access_request.request.edited"),
    "access_requests:withdraw POST": Audited(wizard_ex.withdraw_page, "access_request.request.withdrawn"),
    "access_requests:team_confirm POST": Audited(wizard_ex.team_confirm, "access_request.team.confirmed"),
    "api-access-request-list POST": Audited(wizard_ex.api_create, "access_request.request.created"),
    "api-access-request-detail PATCH": Audited(wizard_ex.api_patch, "access_request.request.edited"),
    "api-access-request-submit POST": Audited(wizard_ex.api_submit, "access_request.request.submitted"),
    "api-access-request-withdraw POST": Audited(wizard_ex.api_withdraw, "access_request.request.withdrawn"),
    "api-access-request-resubmit POST": Audited(wizard_ex.api_resubmit, "access_request.request.under_review"),
    # the donor's own writes in the donor portal (issue 13)
    "donor_portal:welcome POST": Audited(consent_staff_ex.portal_welcome, "donor.portal_sign_in"),
    "donor_portal:choice_change POST": Audited(consent_staff_ex.portal_choice_change, "consent.withdraw_module"),
    "donor_portal:reconsent POST": Audited(consent_staff_ex.portal_reconsent, "consent.donor_reconsent"),
    "donor_portal:withdraw POST": Audited(consent_staff_ex.portal_withdraw, "donor.portal_withdraw"),
    "donor_portal:preferences POST": Audited(consent_staff_ex.portal_preferences, "donor.portal_preferences"),
    "api-donor-list POST": Audited(ex.api_donor_register, "donor.register"),
    "api-donor-identity POST": Audited(ex.api_donor_identity, "donor.identity_view"),
    "api-consent-check-bulk POST": ChangesNothing(
        ex.api_consent_check_bulk, "asks the consent gate (a read)", ("consent_officer_a", "biobank_a")
    ),
    "api-sprec-derive POST": ChangesNothing(ex.api_sprec_derive, "computes a SPREC code from facts (issue 11)"),
    # the public DUO match (access_requests/api/duo.py, issue 14): a question answered, nothing stored
    "api-duo-match POST": ChangesNothing(duo_ex.api_duo_match, "matches a purpose against DUO terms (a read)"),
    "api-duo-match-slash POST": ChangesNothing(duo_ex.api_duo_match_slash, "the same match, with the slash"),
    # the public catalogue's cart lives in the visitor's session (issue 12)
    "catalogue:cart POST": ChangesNothing(
        cx.cart_change, "keeps the selection in the visitor's session", ("collection_a",)
    ),
    # specimens: the technician's pages (register, the actions of a specimen page, worklist scans, labels)
    "specimens:specimen_register POST": Audited(sx.specimen_register, "specimen.register"),
    "specimens:specimen_action POST": Audited(sx.specimen_action, "specimen.event"),
    "specimens:worklist POST": Audited(sx.worklist_scan, "specimen.event"),
    "specimens:labels POST": Audited(sx.labels_print, "specimen.labels"),
    "specimens:shipment_decisions POST": Audited(sx.shipment_decision, "specimen.withdrawal_decision"),
    # specimens (issue 11, item 7: the API for partner systems)
    "api-specimen-list POST": Audited(sax.api_specimen_register, "specimen.register"),
    "api-specimen-detail PATCH": Audited(sax.api_specimen_update, "specimen.update"),
    "api-specimen-aliquots POST": Audited(sax.api_specimen_aliquots, "specimen.aliquot"),
    "api-specimen-derivatives POST": Audited(sax.api_specimen_derivatives, "specimen.derive"),
    "api-specimen-pool-list POST": Audited(sax.api_specimen_pool, "specimen.pool"),
    "api-specimen-reserve POST": Audited(sax.api_specimen_reserve, "specimen.status"),
    "api-specimen-release POST": Audited(sax.api_specimen_release, "specimen.status"),
    "api-specimen-ship POST": Audited(sax.api_specimen_ship, "specimen.status"),
    "api-specimen-return POST": Audited(sax.api_specimen_return, "specimen.status"),
    "api-specimen-consume POST": Audited(sax.api_specimen_consume, "specimen.status"),
    "api-specimen-dispose POST": Audited(sax.api_specimen_dispose, "specimen.status"),
    "api-specimen-unblock POST": Audited(sax.api_specimen_unblock, "specimen.status"),
    "api-specimen-events POST": Audited(sax.api_specimen_event, "specimen.event"),
    # specimen imports: the upload is recorded; the import records one event per specimen
    "specimens:import_list POST": Audited(imports_ex.web_import_upload, "specimen.import_upload"),
    "specimens:import_commit POST": Audited(imports_ex.web_import_commit, "specimen.import"),
    "api-specimen-import-list POST": Audited(imports_ex.api_import_upload, "specimen.import_upload"),
    "api-specimen-import-commit POST": Audited(imports_ex.api_import_commit, "specimen.import"),
    # specimens: storage units and placements (issue 11, item 3)
    "specimens:storage_unit_create POST": Audited(storage_ex.web_storage_unit_create, "storage.create"),
    "specimens:storage_unit_edit POST": Audited(storage_ex.web_storage_unit_edit, "storage.update"),
    "specimens:box_cell POST": Audited(storage_ex.web_box_cell_place, "specimen.place"),
    "specimens:box_bulk POST": Audited(storage_ex.web_box_bulk, "specimen.place"),
    "api-storage-unit-list POST": Audited(storage_ex.api_storage_unit_create, "storage.create"),
    "api-storage-unit-detail PATCH": Audited(storage_ex.api_storage_unit_update, "storage.update"),
    "api-storage-unit-placements POST": Audited(storage_ex.api_bulk_place, "specimen.place"),
    "api-placement-place POST": Audited(storage_ex.api_place, "specimen.place"),
    "api-placement-move POST": Audited(storage_ex.api_move, "specimen.move"),
    "api-placement-unplace POST": Audited(storage_ex.api_unplace, "specimen.unplace"),
    # the public catalogue's writes (catalog/api/catalogue_views.py)
    "api-catalog-biobank-detail PATCH": Audited(cx.api_catalog_biobank_update, "biobank_profile.save"),
    "api-catalog-collection-detail PATCH": Audited(cx.api_catalog_collection_describe, "collection.describe"),
    "api-catalog-collection-state POST": Audited(cx.api_catalog_collection_state, "collection.publish"),
    # access requests: conditions, agreements, entitlements, reports (issue 14, items 6, 7, 9)
    "access_requests:agreement_list POST": Audited(
        entitle_ex.web_agreement_publish, "access_request.agreement_published"
    ),
    "access_requests:conditions POST": Audited(entitle_ex.web_conditions_accept, "access_request.agreement.accepted"),
    "access_requests:conditions_decline POST": Audited(
        entitle_ex.web_conditions_decline, "access_request.resource.conditions_declined"
    ),
    "access_requests:sign POST": Audited(entitle_ex.web_sign, "access_request.resource.conditions_accepted"),
    "access_requests:grant POST": Audited(entitle_ex.web_grant, "access_request.entitlement.granted"),
    "access_requests:revoke POST": Audited(entitle_ex.web_revoke, "access_request.entitlement.revoked"),
    "access_requests:renew POST": Audited(entitle_ex.web_renew, "access_request.entitlement.renewed"),
    "access_requests:close POST": Audited(entitle_ex.web_close, "access_request.request.closed"),
    "access_requests:reports POST": Audited(entitle_ex.web_report, "access_request.report.submitted"),
    "api-access-request-accept-conditions POST": Audited(
        entitle_ex.api_accept_conditions, "access_request.agreement.accepted"
    ),
    "api-access-request-grant POST": Audited(entitle_ex.api_grant, "access_request.entitlement.granted"),
    "api-access-request-revoke POST": Audited(entitle_ex.api_revoke, "access_request.entitlement.revoked"),
    "api-access-request-renew POST": Audited(entitle_ex.api_renew, "access_request.entitlement.renewed"),
    "api-access-request-close POST": Audited(entitle_ex.api_close, "access_request.request.closed"),
    "api-access-request-reports POST": Audited(entitle_ex.api_report, "access_request.report.submitted"),
    # access requests: the committee (access_requests/views/committee_*.py, access_requests/api/review.py)
    "access_requests:committee_manage POST": Audited(
        committee_ex.web_committee_manage, "access_request.committee_create"
    ),
    "access_requests:review_act POST": Audited(committee_ex.web_review_act, "access_request.vote.cast"),
    "access_requests:message_post POST": Audited(committee_ex.web_message_post, "access_request.message.posted"),
    "api-access-request-review-start POST": Audited(
        committee_ex.api_review_start, "access_request.request.under_review"
    ),
    "api-access-request-changes-request POST": Audited(
        committee_ex.api_changes_request, "access_request.request.changes_requested"
    ),
    "api-access-request-conflict POST": Audited(committee_ex.api_conflict, "access_request.conflict.declared"),
    "api-access-request-assign POST": Audited(committee_ex.api_assign, "access_request.reviewer.assigned"),
    "api-access-request-vote POST": Audited(committee_ex.api_vote, "access_request.vote.cast"),
    "api-access-request-decide POST": Audited(committee_ex.api_decide, "access_request.resource.conditions_indicated"),
    "api-access-request-messages POST": Audited(committee_ex.api_message, "access_request.message.posted"),
    # access requests: fulfilment (access_requests/views/fulfilment.py, access_requests/api/fulfilment.py)
    "api-request-releases POST": Audited(fulfil_ex.api_release_build, "access_request.release.queued"),
    "api-request-shipments POST": Audited(fulfil_ex.api_shipment_prepare, "access_request.shipment.prepared"),
    "api-release-download-link POST": Audited(fulfil_ex.api_download_link, "access_request.release.download_link"),
    "api-shipment-ship POST": Audited(fulfil_ex.api_shipment_ship, "access_request.shipment.shipped"),
    "api-shipment-receive POST": Audited(fulfil_ex.api_shipment_receive, "access_request.shipment.received"),
    "api-shipment-return POST": Audited(fulfil_ex.api_shipment_return, "access_request.shipment.returned"),
    "api-shipment-consume POST": Audited(fulfil_ex.api_shipment_consume, "access_request.shipment.consumed"),
    "api-shipment-cancel POST": Audited(fulfil_ex.api_shipment_cancel, "access_request.shipment.cancelled"),
    "access_requests:fulfilment POST": Audited(fulfil_ex.web_fulfilment, "access_request.release.queued"),
    "access_requests:request_releases POST": Audited(
        fulfil_ex.web_request_releases, "access_request.release.download_link"
    ),
    "access_requests:download GET": Audited(fulfil_ex.web_download, "access_request.release.downloaded"),
    # the catch-all under /api/: any unknown path and method is a problem+json 404 (issue 9, item 19)
    "api-unknown-path POST": ChangesNothing(ex.api_unknown_path, "answers 404 for a path no API route matches"),
    # access requests: notifications and webhooks (access_requests/views/{notifications,webhooks}.py)
    "access_requests:notification_open POST": Audited(notify_ex.notification_open, "access_request.notifications_read"),
    "access_requests:notifications_read_all POST": Audited(
        notify_ex.notifications_read_all, "access_request.notifications_read"
    ),
    "access_requests:webhooks POST": Audited(notify_ex.webhook_create, "access_request.webhook_create"),
    "access_requests:webhook_deactivate POST": Audited(
        notify_ex.webhook_deactivate, "access_request.webhook_deactivate"
    ),
    "access_requests:webhook_redeliver POST": Audited(notify_ex.webhook_redeliver, "access_request.webhook_redeliver"),
}

# Routes that write on GET, which no walk of handlers can see: the e-mailed confirmation link.
WRITES_ON_GET = {"accounts:researcher_verify GET", "access_requests:download GET"}  # and a release download

COMMANDS: dict[str, Audited | NotData] = {
    "createsuperuser": Audited(ex.command_createsuperuser, "user.create"),
    "changepassword": Audited(ex.command_changepassword, "user.password_change"),
    "sync_roles": Audited(ex.command_sync_roles, "role_group.sync"),
    "biobank_deactivate": Audited(ex.command_biobank_deactivate, "biobank.deactivate"),
    "seed_demo": Audited(ex.command_seed_demo, "biobank.create"),
    "vault_rotate": Audited(ex.command_vault_rotate, "identity_vault.rotate"),
    "mfa_reset": Audited(ex.command_mfa_reset, "mfa.reset"),
    "mfa_demo_code": NotData("prints the current code of the published demo key (demo mode only); reads no table"),
    "keys_add": NotData("appends a key to a key file outside the database (rotation step 1; vault_rotate follows)"),
    "load_vocabularies": NotData(
        "replaces the shipped code lists' copy (VocabularyTerm) with catalog/data's files: reference data, no record "
        "of a person, biobank, donor or specimen"
    ),
    "db_roles": NotData("grants privileges to the application's PostgreSQL role; no row of the portal changes"),
    "verify_audit_chain": Audited(ex.command_verify_audit_chain, "audit.verified"),
    "audit_reanchor": Audited(ex.command_audit_reanchor, "audit.reanchor"),
    "export_directory": Audited(cx.command_export_directory, "directory.export"),
    "import_directory": Audited(cx.command_import_directory, "directory.import"),
    "donor_portal_link": Audited(consent_staff_ex.command_donor_portal_link, "donor.portal_invite"),
    "recompute_facts": NotData(
        "recomputes the catalogue's derived facts (catalog_collectionfact) from the inventory; no record changes"
    ),
}

WRITES = {"INSERT", "UPDATE", "DELETE"}
NOT_RECORDS = ("django_session", "accounts_outgoingemail")  # a session, the e-mail outbox: not records of the portal


@pytest.fixture(autouse=True)
def _keys_and_media(settings, tmp_path):
    point_key_files_to(settings, tmp_path)
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def donor(db):
    user = UserFactory(email="donor@example.org", is_donor=True)
    user.set_unusable_password()
    user.save()
    return user


@pytest.fixture
def collection_a(biobank_a):
    return catalog_services.collection_create(actor=None, biobank=biobank_a, code="breast-2019", name="Breast")


def _all_writing_routes() -> set[str]:
    return set(writing_routes()) | WRITES_ON_GET


def test_every_writing_route_has_an_entry_and_every_entry_a_route():
    routes = _all_writing_routes()
    assert sorted(routes - ROUTES.keys()) == [], "add these writing routes to ROUTES with the event they record"
    assert sorted(ROUTES.keys() - routes) == [], "these ROUTES entries name no writing route any more"


def test_every_command_of_the_project_has_an_entry_and_every_entry_a_command():
    commands = set(project_commands())
    assert sorted(commands - COMMANDS.keys()) == [], "add these commands to COMMANDS with the event they record"
    assert sorted(COMMANDS.keys() - commands) == [], "these COMMANDS entries name no command any more"


def _exercise(request: Any, entry: Audited | ChangesNothing) -> tuple[list[str], list[str]]:
    """Run the entry's write; the actions recorded and the SQL writes to tables other than the outbox."""
    start = AuditOutbox.objects.order_by("-id").values_list("id", flat=True).first() or 0
    chained = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    with CaptureQueriesContext(connection) as queries:
        entry.run(ex.Fixtures(request))
    actions = list(AuditOutbox.objects.filter(id__gt=start).values_list("action", flat=True))
    actions += AuditEvent.objects.filter(seq__gt=chained).values_list("action", flat=True)  # drained meanwhile
    written = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().split(" ", 1)[0].upper() in WRITES
        and "audit_audit" not in q["sql"]
        and not any(table in q["sql"] for table in NOT_RECORDS)
    ]
    return actions, written


@pytest.mark.parametrize("key", sorted(k for k, v in ROUTES.items() if isinstance(v, Audited)))
def test_each_writing_route_records_its_event(request, key):
    entry = ROUTES[key]
    assert isinstance(entry, Audited)
    actions, _written = _exercise(request, entry)
    assert entry.action in actions, f"{key} left {actions}, not {entry.action}"


@pytest.mark.parametrize("key", sorted(k for k, v in ROUTES.items() if isinstance(v, ChangesNothing)))
def test_each_post_that_is_not_a_change_writes_no_row(request, key):
    entry = ROUTES[key]
    assert isinstance(entry, ChangesNothing)
    for name in entry.fixtures:
        request.getfixturevalue(name)
    _actions, written = _exercise(request, entry)
    assert written == [], f"{key} ({entry.why}) wrote {written}"


@pytest.mark.parametrize("name", sorted(k for k, v in COMMANDS.items() if isinstance(v, Audited)))
def test_each_command_that_changes_data_records_its_event(request, name):
    entry = COMMANDS[name]
    assert isinstance(entry, Audited)
    actions, _written = _exercise(request, entry)
    assert entry.action in actions, f"manage.py {name} left {actions}, not {entry.action}"


def test_the_walk_names_a_new_write_that_has_no_entry(settings):
    """What makes the table complete: a write added without an entry is found (reads and redirects are not)."""
    settings.ROOT_URLCONF = "tests.audit.urls_with_unlisted_writes"

    unlisted = set(writing_routes()) - ROUTES.keys()

    assert unlisted == {"unlisted-function POST", "unlisted-class DELETE"}
