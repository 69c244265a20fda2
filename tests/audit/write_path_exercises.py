"""One way to exercise each write of the portal with valid data as the right person (issue 9, item 11).

Each function takes ``f`` (fixtures by attribute: ``f.admin_a``, ``f.client``...) and performs the write through
the real URL or command, asserting that it succeeded; ``test_write_paths_audited`` checks the event it left.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from biobank.accounts import mfa
from biobank.accounts import services as account_services
from biobank.accounts.choices import Role
from biobank.accounts.models import Membership, RoleGrant, User
from biobank.accounts.signin import donor_login_link, researcher_register, researcher_verification_link
from biobank.audit.services import checkpoint_write
from consent import services as consent_services
from consent.models import Consent, DuplicateReview
from tests.accounts.factories import DEMO_PASSWORD, UserFactory, make_member
from tests.audit.conftest import as_superuser
from tests.audit.factories import chain_of
from tests.consent.factories import make_catalogue, make_donor, new_pid, record, texts

NEW_PASSWORD = "a-new-long-passphrase-2026"


class Fixtures:
    """Pytest fixtures by attribute, created on first use."""

    def __init__(self, request: Any) -> None:
        self._request = request

    def __getattr__(self, name: str) -> Any:
        return self._request.getfixturevalue(name)


def _ok(response: Any, *codes: int) -> Any:
    assert response.status_code in (codes or (200, 201, 202, 204, 302)), (
        response.status_code,
        response.content[:500],
    )
    return response


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _web(f: Fixtures, user: User) -> Any:
    f.client.force_login(user)
    return f.client


def _superuser() -> User:
    return User.objects.create_superuser(email="root@example.org", password=DEMO_PASSWORD)


# --- accounts: sign-in, sign-up, passwords, profile -------------------------------------------------------------


def login(f: Fixtures) -> None:
    _ok(f.client.post(reverse("accounts:login"), {"username": f.admin_a.email, "password": DEMO_PASSWORD}), 302)


def logout(f: Fixtures) -> None:
    _ok(_web(f, f.admin_a).post(reverse("accounts:logout")), 302)


def password_reset_request(f: Fixtures) -> None:
    _ok(f.client.post(reverse("accounts:password_reset"), {"email": f.admin_a.email}), 302)


def password_reset_confirm(f: Fixtures) -> None:
    user = f.admin_a
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = reverse("accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
    form_url = _ok(f.client.get(link), 302)["Location"]  # Django moves the token into the session first
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    _ok(f.client.post(form_url, data), 302)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def password_change(f: Fixtures) -> None:
    data = {"old_password": DEMO_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    _ok(_web(f, f.admin_a).post(reverse("accounts:password_change"), data), 302)
    assert User.objects.get(pk=f.admin_a.pk).check_password(NEW_PASSWORD)


def profile(f: Fixtures) -> None:
    _ok(_web(f, f.admin_a).post(reverse("accounts:profile"), {"full_name": "Ada Admin-Lovelace"}), 302)


def signup(f: Fixtures) -> None:
    data = {
        "email": "new.researcher@example.org",
        "full_name": "Rita Researcher",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    _ok(f.client.post(reverse("accounts:signup"), data), 302)
    assert User.objects.filter(email="new.researcher@example.org", is_active=False).exists()


def verify_email(f: Fixtures) -> None:
    with transaction.atomic():
        user = researcher_register(actor=None, email="r@example.org", full_name="R", password=NEW_PASSWORD)
    assert user is not None
    _ok(f.client.get(researcher_verification_link(user).removeprefix("http://testserver")), 200)
    assert User.objects.get(pk=user.pk).is_active


def donor_link_request(f: Fixtures) -> None:
    _ok(f.client.post(reverse("accounts:donor_link"), {"email": f.donor.email}), 302)


def set_language(f: Fixtures) -> None:
    _ok(f.client.post(reverse("set_language"), {"language": "de", "next": "/"}), 302)


def donor_link_confirm(f: Fixtures) -> None:
    link = donor_login_link(f.donor)
    _ok(f.client.post(link[link.index("/accounts/") :]), 302)


# --- accounts: the second sign-in step (issue 9, item 4) ----------------------------------------------------------


def _code_of(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _enrolled(user: User) -> TOTPDevice:
    """A confirmed authenticator, made through the real services (the event is left before the exercise)."""
    device = mfa.mfa_setup_device(user=user)
    mfa.mfa_enrol_confirm(actor=user, token=_code_of(device))
    device.refresh_from_db()
    device.last_t = -1  # the code used to enrol may be entered again at the step within the same 30 seconds
    device.save(update_fields=["last_t"])
    return device


def mfa_setup(f: Fixtures) -> None:
    client = _web(f, f.admin_a)
    _ok(client.get(reverse("accounts:mfa_setup")), 200)  # makes the unconfirmed authenticator and shows its key
    device = TOTPDevice.objects.get(user=f.admin_a, confirmed=False)
    _ok(client.post(reverse("accounts:mfa_setup"), {"code": _code_of(device)}), 200)  # the recovery codes, once
    assert mfa.mfa_device(user=f.admin_a) is not None


def mfa_verify(f: Fixtures) -> None:
    device = _enrolled(f.admin_a)
    client = _web(f, f.admin_a)
    session = client.session  # signed in with the password only: the second step is owed
    session[mfa.MFA_SESSION_KEY] = mfa.PENDING
    session.save()
    _ok(client.post(reverse("accounts:mfa_verify"), {"code": _code_of(device)}), 302)
    assert client.session[mfa.MFA_SESSION_KEY] == mfa.VERIFIED


def mfa_recovery_codes_regenerate(f: Fixtures) -> None:
    _enrolled(f.admin_a)
    _ok(_web(f, f.admin_a).post(reverse("accounts:mfa_recovery_codes")), 200)


def mfa_reset(f: Fixtures) -> None:
    _enrolled(f.technician_a)
    url = reverse("accounts:mfa_reset", args=["biobank-a", f.technician_a.pk])
    _ok(_web(f, f.admin_a).post(url, {"reason": "Phone lost, identity checked in person"}), 302)
    assert mfa.mfa_device(user=f.technician_a) is None


# --- the Django admin ------------------------------------------------------------------------------------------


def admin_login(f: Fixtures) -> None:
    _superuser()
    data = {"username": "root@example.org", "password": DEMO_PASSWORD, "next": "/admin/"}
    _ok(f.client.post(reverse("admin:login"), data), 302)


def admin_logout(f: Fixtures) -> None:
    _ok(_web(f, _superuser()).post(reverse("admin:logout")), 200, 302)


def admin_password_change(f: Fixtures) -> None:
    data = {"old_password": DEMO_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    _ok(_web(f, _superuser()).post(reverse("admin:password_change"), data), 302)
    assert User.objects.get(email="root@example.org").check_password(NEW_PASSWORD)


# --- biobank administration (pages and API) --------------------------------------------------------------------


def _pending_grant(f: Fixtures) -> RoleGrant:
    person = UserFactory()
    grant = account_services.membership_grant(
        actor=f.admin_a, biobank=f.biobank_a, user=person, role=Role.IDENTITY_STEWARD
    )
    assert isinstance(grant, RoleGrant)
    return grant


def _second_admin(f: Fixtures) -> User:
    return make_member(f.biobank_a, Role.BIOBANK_ADMIN, email="second-admin@example.org")


def web_member_add(f: Fixtures) -> None:
    data = {"email": "new.person@example.org", "full_name": "New Person", "roles": [Role.TECHNICIAN]}
    _ok(_web(f, f.admin_a).post(reverse("web:member_add", args=["biobank-a"]), data), 302)


def web_member_edit(f: Fixtures) -> None:
    url = reverse("web:member_edit", args=["biobank-a", f.technician_a.pk])
    _ok(_web(f, f.admin_a).post(url, {"roles": [Role.TECHNICIAN, Role.DATA_MANAGER]}), 302)


def web_member_remove(f: Fixtures) -> None:
    url = reverse("web:member_remove", args=["biobank-a", f.technician_a.pk])
    _ok(_web(f, f.admin_a).post(url), 302)
    assert not Membership.objects.filter(user=f.technician_a).exists()


def web_role_grant_approve(f: Fixtures) -> None:
    grant = _pending_grant(f)
    _ok(_web(f, _second_admin(f)).post(reverse("web:role_grant_approve", args=["biobank-a", grant.pk])), 302)


def web_role_grant_reject(f: Fixtures) -> None:
    grant = _pending_grant(f)
    _ok(_web(f, _second_admin(f)).post(reverse("web:role_grant_reject", args=["biobank-a", grant.pk])), 302)


def web_token_create(f: Fixtures) -> None:
    expires = (timezone.localdate() + timedelta(days=30)).isoformat()
    data = {"name": "National node", "permissions": ["view_catalog"], "expires_on": expires}
    _ok(_web(f, f.admin_a).post(reverse("web:token_create", args=["biobank-a"]), data), 201)


def _token(f: Fixtures) -> Any:
    token, _secret = account_services.api_token_create(
        actor=None,
        biobank=f.biobank_a,
        name="LIS",
        permissions=["view_biobank"],
        expires_at=timezone.now() + timedelta(days=30),
    )
    return token


def web_token_revoke(f: Fixtures) -> None:
    token = _token(f)
    _ok(_web(f, f.admin_a).post(reverse("web:token_revoke", args=["biobank-a", token.pk])), 302)


def web_collection_create(f: Fixtures) -> None:
    data = {"biobank": "biobank-a", "code": "lung-2024", "name": "Lung 2024"}
    _ok(_web(f, f.data_manager_a).post(reverse("catalog:collection_create"), data), 302)


def web_collection_edit(f: Fixtures) -> None:
    url = reverse("catalog:collection_edit", args=[f.collection_a.pk])
    _ok(_web(f, f.data_manager_a).post(url, {"name": "Breast cancer 2019-2021", "description": "More."}), 302)


def api_member_add(f: Fixtures) -> None:
    body = {"email": "api.person@example.org", "role": "technician", "full_name": "Api Person"}
    _ok(_api(f.admin_a).post("/api/v1/biobanks/biobank-a/members/", body, format="json"), 201)


def api_member_remove(f: Fixtures) -> None:
    membership = Membership.objects.get(user=f.technician_a)
    _ok(_api(f.admin_a).delete(f"/api/v1/biobanks/biobank-a/members/{membership.pk}/"), 204)


def api_role_grant_approve(f: Fixtures) -> None:
    grant = _pending_grant(f)
    _ok(_api(_second_admin(f)).post(f"/api/v1/biobanks/biobank-a/role-grants/{grant.pk}/approve/"), 200, 201)


def api_role_grant_reject(f: Fixtures) -> None:
    grant = _pending_grant(f)
    _ok(_api(_second_admin(f)).post(f"/api/v1/biobanks/biobank-a/role-grants/{grant.pk}/reject/"), 200)


def api_collection_create(f: Fixtures) -> None:
    body = {"biobank": "biobank-a", "code": "x1-2024", "name": "X"}
    _ok(_api(f.data_manager_a).post("/api/v1/collections/", body, format="json"), 201)


def api_collection_update(f: Fixtures) -> None:
    client, url = _api(f.data_manager_a), f"/api/v1/collections/{f.collection_a.pk}/"
    etag = client.get(url)["ETag"]
    _ok(client.patch(url, {"description": "Fresh frozen"}, format="json", HTTP_IF_MATCH=etag), 200)


def api_consent_check_bulk(f: Fixtures) -> None:
    client = APIClient()
    client.force_authenticate(f.consent_officer_a)  # no sign-in: that would be a write of its own
    body = {"donors": [new_pid()], "purpose": "DUO:0000042", "data_class": "biomaterial", "action": "use"}
    _ok(client.post("/api/v1/consent/check/bulk", body, format="json"), 200)


def api_sprec_derive(f: Fixtures) -> None:
    """The public SPREC derivation computes a code and stores nothing (issue 11, item 2)."""
    body = {"kind": "fluid", "sample_type": "SER", "primary_container": "SST", "second_centrifugation": "none"}
    _ok(APIClient().post("/api/v1/sprec/derive/", body, format="json"), 200)


def api_unknown_path(f: Fixtures) -> None:
    """The catch-all under /api/ answers every method with a problem+json 404 and touches nothing."""
    client = APIClient()
    for method in ("post", "put", "patch", "delete"):
        response = _ok(getattr(client, method)("/api/v1/no-such-resource/", {"name": "x"}, format="json"), 404)
        assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]


# --- consent: catalogue, capture, documents, donors --------------------------------------------------------------

PAID = {
    "given_names": "Paul",
    "family_name": "Weber",
    "date_of_birth": "1981-11-02",
    "sex": "male",
    "hospital_id": "MRN-777",
}


def _officer_and_template(f: Fixtures, *, activate: bool = True) -> tuple[User, Any]:
    officer = f.consent_officer_a
    return officer, make_catalogue(f.biobank_a, actor=officer, activate=activate)


def _scanned(f: Fixtures) -> Consent:
    officer, template = _officer_and_template(f)
    return consent_services.consent_scan_upload(
        actor=officer,
        informed_by=officer,
        informed_place="Outpatient clinic",
        donor=make_donor(f.biobank_a),
        template=template,
        language="en",
        choices={"data": "accepted"},
        signed_on=timezone.localdate(),
        file=ContentFile(b"%PDF-1.4 scanned form", name="form.pdf"),
    )


def _recorded(f: Fixtures) -> Consent:
    officer, template = _officer_and_template(f)
    with f.django_capture_on_commit_callbacks(execute=True):  # the receipt is made after commit
        return record(officer, make_donor(f.biobank_a), template)


def _consent_url(name: str, consent: Consent) -> str:
    return reverse(f"consent:{name}", args=["biobank-a", consent.pk])


def consent_policy_create(f: Fixtures) -> None:
    data = {
        "code": "biomat-use",
        "version": "1",
        "name": "Use biomaterial",
        "description": "Samples may be used for medical research.",
        "duo_terms": "HMB",
        "action": "use",
        "data_class": "biomaterial",
        "purpose": "research",
        "validity": "P5Y",
    }
    _ok(_web(f, f.consent_officer_a).post(reverse("consent:policy_create", args=["biobank-a"]), data), 302)


def consent_module_create(f: Fixtures) -> None:
    policy = consent_services.policy_create(
        actor=None, biobank=f.biobank_a, code="mdat", name="Data", action="store", data_class="medical_data"
    )
    data = {
        "code": "biomaterial",
        "title_en": "Biomaterial",
        "text_en": "Your samples may be stored and used.",
        "title_de": "Biomaterial",
        "text_de": "Ihre Proben dürfen gelagert und genutzt werden.",
        "policies": [policy.pk],
        "default_state": "none",
        "validity": "",
    }
    _ok(_web(f, f.consent_officer_a).post(reverse("consent:module_create", args=["biobank-a"]), data), 302)


def consent_template_create(f: Fixtures) -> None:
    policy = consent_services.policy_create(
        actor=None, biobank=f.biobank_a, code="mdat", name="Data", action="store", data_class="medical_data"
    )
    module = consent_services.module_create(
        actor=None, biobank=f.biobank_a, code="data", texts=texts("Patient data", "Your data."), policies=[policy]
    )
    data = {
        "code": "biobank-consent",
        "type": "consent",
        "version_label": "v1",
        "title_en": "Biobank consent",
        "text_en": "I agree that my samples are kept in the biobank.",
        "modules": [module.pk],
        "consent_validity": "P10Y",
    }
    _ok(_web(f, f.consent_officer_a).post(reverse("consent:template_create", args=["biobank-a"]), data), 302)


def consent_template_new_version(f: Fixtures) -> None:
    officer, template = _officer_and_template(f)
    data = {
        "version_label": "v2",
        "title_en": "Broad consent",
        "text_en": "I agree that my data may be used for medical research.",
        "title_de": "Breite Einwilligung",
        "text_de": "Ich willige ein.",
    }
    url = reverse("consent:template_new_version", args=["biobank-a", template.pk])
    _ok(_web(f, officer).post(url, data), 302)


def consent_template_activate(f: Fixtures) -> None:
    officer, template = _officer_and_template(f, activate=False)
    _ok(_web(f, officer).post(reverse("consent:template_activate", args=["biobank-a", template.pk])), 302)


def consent_capture(f: Fixtures) -> None:
    officer, template = _officer_and_template(f)
    data = {
        "pid": make_donor(f.biobank_a).pid,
        "template": template.pk,
        "language": "en",
        "module_data": "accepted",
        "module_biomaterial": "declined",
        "signer_name": "Erika M",
        "informed_by": officer.pk,
        "informed_place": "Ward 3",
        "witness": officer.pk,
        "countersigned": "on",
    }
    _ok(_web(f, officer).post(reverse("consent:capture", args=["biobank-a"]), data), 302)


def consent_scan_upload(f: Fixtures) -> None:
    officer, template = _officer_and_template(f)
    data = {
        "pid": make_donor(f.biobank_a).pid,
        "template": template.pk,
        "language": "en",
        "signed_on": timezone.localdate().isoformat(),
        "accepted": "data, biomaterial",
        "scan": SimpleUploadedFile("form.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100),
        "informed_by": officer.pk,
        "informed_place": "Ward 3",
    }
    _ok(_web(f, officer).post(reverse("consent:scan_upload", args=["biobank-a"]), data), 302)


def consent_qc_decide(f: Fixtures) -> None:
    consent = _scanned(f)
    colleague = make_member(f.biobank_a, Role.CONSENT_OFFICER, email="colleague@example.org")
    _ok(_web(f, colleague).post(_consent_url("qc_decide", consent), {"decision": "approve"}), 302)


def consent_receipt(f: Fixtures) -> None:
    consent = _recorded(f)
    _ok(_web(f, f.steward_a).post(_consent_url("receipt", consent), {"reason": "Donor asked for a copy"}), 200)


def consent_scan(f: Fixtures) -> None:
    consent = _scanned(f)
    _ok(_web(f, f.steward_a).post(_consent_url("scan", consent), {"reason": "Checking the signature"}), 200)


def consent_withdraw_module(f: Fixtures) -> None:
    consent = _recorded(f)
    data = {
        "module": consent.template.modules.get(code="biomaterial").pk,
        "effective": timezone.localdate().isoformat(),
        "reason": "Letter of the donor",
    }
    _ok(_web(f, f.consent_officer_a).post(_consent_url("withdraw_module", consent), data), 302)


def consent_invalidation_request(f: Fixtures) -> None:
    consent = _recorded(f)
    data = {"invalidate-reason": "Form of another patient"}
    _ok(_web(f, f.consent_officer_a).post(_consent_url("invalidation_request", consent), data), 302)


def consent_invalidation_decide(f: Fixtures) -> None:
    consent = _recorded(f)
    consent_services.consent_invalidation_request(
        actor=f.consent_officer_a, consent=consent, reason="Form of another patient"
    )
    second = make_member(f.biobank_a, Role.CONSENT_OFFICER, email="second@example.org")
    data = {"decide-decision": "approve", "decide-note": ""}
    _ok(_web(f, second).post(_consent_url("invalidation_decide", consent), data), 302)


def _donor_url(name: str, pid: str) -> str:
    return reverse(f"consent:{name}", args=["biobank-a", pid])


def consent_donor_register(f: Fixtures) -> None:
    data = {**PAID, "national_id": "", "email": "", "phone": "", "address": ""}
    _ok(_web(f, f.consent_officer_a).post(reverse("consent:donor_register", args=["biobank-a"]), data), 302)


def consent_donor_identity(f: Fixtures) -> None:
    url = _donor_url("donor_identity", f.donor_a.pid_display)
    _ok(_web(f, f.steward_a).post(url, {"reason": "Recall for an incidental finding"}), 200)


def consent_identity_lookup(f: Fixtures) -> None:
    data = {"action": "pid", "pid-pid": f.donor_a.pid_display, "pid-reason": "Label check"}
    _ok(_web(f, f.steward_a).post(reverse("consent:identity_lookup", args=["biobank-a"]), data), 200)


def consent_donor_merge(f: Fixtures) -> None:
    other = f.register(given_names="Other", family_name="Person", hospital_id="H-1", national_id="", email="").donor
    data = {"target": other.pid_display, "reason": "Same MRN in the HIS"}
    _ok(_web(f, f.consent_officer_a).post(_donor_url("donor_merge", f.donor_a.pid_display), data), 302)


def consent_donor_withdraw(f: Fixtures) -> None:
    officer, template = _officer_and_template(f)
    record(officer, f.donor_a, template)  # a withdrawal needs a consent to withdraw from
    data = {"level": "no_further_use", "effective": timezone.localdate().isoformat(), "reason": "Phone call"}
    _ok(_web(f, officer).post(_donor_url("donor_withdraw", f.donor_a.pid_display), data), 302)


def consent_duplicate_review(f: Fixtures) -> None:
    f.donor_a  # noqa: B018  (the registered donor the new registration may duplicate)
    registration = f.register(family_name="Schmitt", date_of_birth=date(1970, 7, 3))
    review = registration.review or DuplicateReview.objects.get()
    data = {"action": "decide", "decision": "different_person", "reason": "Deciding the registration"}
    url = reverse("consent:duplicate_review", args=["biobank-a", review.pk])
    _ok(_web(f, f.steward_a).post(url, data), 302)


def api_donor_register(f: Fixtures) -> None:
    body = {"biobank": "biobank-a", **PAID}
    _ok(_api(f.consent_officer_a).post("/api/v1/donors/", body, format="json"), 201)


def api_donor_identity(f: Fixtures) -> None:
    url = f"/api/v1/donors/{f.donor_a.pid_display}/identity/"
    _ok(_api(f.steward_a).post(url, {"reason": "Recall for an incidental finding"}, format="json"), 200)


# --- management commands ------------------------------------------------------------------------------------------


def command_createsuperuser(f: Fixtures) -> None:
    f.monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", NEW_PASSWORD)
    call_command("createsuperuser", interactive=False, email="root@example.org", verbosity=0)


def command_changepassword(f: Fixtures) -> None:
    f.monkeypatch.setattr(
        "django.contrib.auth.management.commands.changepassword.Command._get_pass",
        lambda self, prompt="Password: ": NEW_PASSWORD,
    )
    call_command("changepassword", f.admin_a.email, stdout=io.StringIO())
    assert User.objects.get(pk=f.admin_a.pk).check_password(NEW_PASSWORD)


def command_sync_roles(f: Fixtures) -> None:
    group = f.technician_a.groups.get()
    group.user_set.clear()  # damage done outside the portal, e.g. by SQL
    call_command("sync_roles", stdout=io.StringIO())
    assert f.technician_a.groups.filter(pk=group.pk).exists()


def command_biobank_deactivate(f: Fixtures) -> None:
    call_command("biobank_deactivate", f.biobank_a.code, reason="Closed by the board", stdout=io.StringIO())


def command_seed_demo(f: Fixtures) -> None:
    f.settings.DEMO_MODE = True
    call_command("seed_demo", stdout=io.StringIO())


def command_vault_rotate(f: Fixtures) -> None:
    f.donor_a  # noqa: B018  (an identity in the vault to re-encrypt)
    call_command("keys_add", "encryption", stdout=io.StringIO())
    call_command("vault_rotate", stdout=io.StringIO())


def command_mfa_reset(f: Fixtures) -> None:
    researcher = UserFactory(email="researcher@example.org", is_researcher=True)  # in no biobank: reset here
    _enrolled(researcher)
    _superuser()
    out = io.StringIO()
    call_command("mfa_reset", researcher.email, by="root@example.org", reason="Phone lost", stdout=out)
    assert mfa.mfa_device(user=researcher) is None


def command_verify_audit_chain(f: Fixtures) -> None:
    chain_of(3)
    out = io.StringIO()
    call_command("verify_audit_chain", stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith("OK"), out.getvalue()


def command_audit_reanchor(f: Fixtures) -> None:
    """As in ``test_audit_reanchor``: checkpoints at 10 and 15, a restore from a backup taken at 12, two events
    since."""
    chain_of(10)
    checkpoint_write()
    chain_of(5)
    checkpoint_write()
    as_superuser("DELETE FROM audit_auditevent WHERE seq > %s", [12])
    chain_of(2)
    out = io.StringIO()
    call_command("audit_reanchor", "--reason", "Restored from the nightly backup", "--operator", "ops", stdout=out)
    assert "Re-anchored at seq" in out.getvalue(), out.getvalue()
