"""Two-step sign-in (issue 9, item 4): required for staff, optional for researchers, throttled, audited, resettable."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from biobank.accounts import mfa
from biobank.accounts.choices import Role
from biobank.accounts.lockout import SIGNIN_FAILURE_LIMIT
from biobank.audit.models import AuditOutbox
from biobank.errors import DomainError
from tests.accounts.factories import DEMO_PASSWORD, UserFactory, make_member, make_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_mfa")]

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:mfa_verify")
SETUP = reverse("accounts:mfa_setup")
PROFILE = reverse("accounts:profile")
REGENERATE = reverse("accounts:mfa_recovery_codes")


def code_of(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def wrong_code(device: TOTPDevice) -> str:
    right = int(code_of(device))
    return f"{(right + 500_000) % 1_000_000:06d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    """A confirmed authenticator and its recovery codes, made through the real services."""
    device = mfa.mfa_setup_device(user=user)
    codes = mfa.mfa_enrol_confirm(actor=user, token=code_of(device))
    device.refresh_from_db()
    device.last_t = -1  # the code used to enrol may be typed again at the sign-in step of the same test
    device.save(update_fields=["last_t"])
    return device, codes


def password_step(client: Client, user, address: str = "192.0.2.10"):
    return client.post(LOGIN, {"username": user.email, "password": DEMO_PASSWORD}, REMOTE_ADDR=address)


def events(action: str):
    return list(AuditOutbox.objects.filter(action=action).order_by("id"))


# Who must use it ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", Role.values)
def test_every_staff_role_and_the_identity_steward_must_use_mfa(biobank_a, role):
    person = make_member(biobank_a, role, email=f"{role}@example.org")
    assert mfa.mfa_required(user=person)


def test_researchers_and_donors_may_but_need_not_use_mfa(db):
    assert not mfa.mfa_required(user=UserFactory(is_researcher=True))
    assert not mfa.mfa_required(user=UserFactory(is_donor=True))


def test_superusers_must_use_mfa(db):
    assert mfa.mfa_required(user=UserFactory(is_superuser=True, is_staff=True))


# Enrolment at first sign-in ---------------------------------------------------------------------------------------


def test_a_staff_member_without_an_authenticator_is_sent_to_set_one_up_at_first_sign_in(client, technician_a):
    response = password_step(client, technician_a)
    assert response["Location"] == f"{VERIFY}?next=%2F"
    response = client.get(response["Location"])
    assert response["Location"] == f"{SETUP}?next=%2F"
    page = client.get(response["Location"]).content.decode()
    device = TOTPDevice.objects.get(user=technician_a, confirmed=False)
    assert mfa.secret_of(device) in page  # the key as text, for those who cannot scan
    assert "<svg" in page and "QR code to add the Biobank Portal" in page  # drawn here, no external service
    assert "<script" not in page.split("<main", 1)[1] and "style=" not in page  # nothing a strict CSP would block


def test_until_the_second_step_is_done_every_page_leads_to_it(client, technician_a):
    password_step(client, technician_a)
    for path in (reverse("web:dashboard"), PROFILE, reverse("admin:index")):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(f"{VERIFY}?next=")
    assert client.get(SETUP).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200
    assert client.post(reverse("accounts:logout"))["Location"] == LOGIN  # signing out stays possible


def test_enrolment_with_a_right_code_shows_ten_recovery_codes_once_and_finishes_the_sign_in(client, technician_a):
    password_step(client, technician_a)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=technician_a, confirmed=False)
    key_before = client.session.session_key
    response = client.post(SETUP, {"code": code_of(device), "next": "/accounts/profile/"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    codes = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</li>", response.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.session.session_key != key_before  # a new session key once the second step is done
    assert client.get(PROFILE).status_code == 200
    [event] = events("mfa.enrol")
    assert event.object_id == str(technician_a.pk) and event.details["recovery_codes"] == 10
    # Shown once: stored only as digests, and neither a reload nor the set-up page shows them again.
    assert not StaticToken.objects.filter(token__in=[c.replace("-", "") for c in codes]).exists()
    again = client.post(SETUP, {"code": code_of(device), "next": "/accounts/profile/"}, follow=True)
    assert not any(code in again.content.decode() for code in codes)
    assert "already set up" in again.content.decode()


def test_a_wrong_code_at_enrolment_is_refused_and_nothing_is_turned_on(client, technician_a):
    password_step(client, technician_a)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=technician_a, confirmed=False)
    response = client.post(SETUP, {"code": wrong_code(device)})
    assert response.status_code == 200 and "This code does not match" in response.content.decode()
    assert mfa.secret_of(device) in response.content.decode()  # the same key: the app entry stays valid
    assert mfa.mfa_device(user=technician_a) is None
    assert client.get(PROFILE).status_code == 302


# The second step with an authenticator -----------------------------------------------------------------------------


def test_a_staff_member_with_an_authenticator_enters_its_code_and_goes_where_they_were_going(client, technician_a):
    device, _ = enrolled(technician_a)
    response = client.post(
        LOGIN, {"username": technician_a.email, "password": DEMO_PASSWORD, "next": PROFILE}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"{VERIFY}?next=%2Faccounts%2Fprofile%2F"
    response = client.post(VERIFY, {"code": code_of(device), "next": PROFILE})
    assert response["Location"] == PROFILE
    assert client.get(PROFILE).status_code == 200
    assert events("mfa.verify")[-1].object_id == str(technician_a.pk)


def test_a_wrong_code_is_refused_audited_and_the_session_stays_unverified(client, technician_a):
    device, _ = enrolled(technician_a)
    password_step(client, technician_a)
    response = client.post(VERIFY, {"code": wrong_code(device)})
    assert response.status_code == 200 and "This code is not right" in response.content.decode()
    assert events("mfa.verify_failed")[-1].details == {"kind": "totp"}
    assert client.get(PROFILE).status_code == 302


def test_a_code_cannot_be_used_twice(client, technician_a):
    device, _ = enrolled(technician_a)
    password_step(client, technician_a)
    code = code_of(device)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    other = Client()
    password_step(other, technician_a)
    assert other.post(VERIFY, {"code": code}).status_code == 200  # replayed: refused
    assert other.get(PROFILE).status_code == 302


def test_a_recovery_code_signs_in_once(client, technician_a):
    _, codes = enrolled(technician_a)
    password_step(client, technician_a)
    response = client.post(VERIFY, {"code": codes[0].upper().replace("-", " ")}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("web:dashboard")
    assert "cannot be used again" in response.content.decode()
    assert events("mfa.recovery_code_use")[-1].details == {"left": 9}
    other = Client()
    password_step(other, technician_a)
    assert "This code is not right" in other.post(VERIFY, {"code": codes[0]}).content.decode()
    assert events("mfa.verify_failed")[-1].details == {"kind": "recovery_code"}


def test_wrong_codes_count_toward_the_sign_in_limit_and_pause_even_the_right_code(client, technician_a):
    device, _ = enrolled(technician_a)
    password_step(client, technician_a)
    for _ in range(SIGNIN_FAILURE_LIMIT):
        assert client.post(VERIFY, {"code": wrong_code(device)}).status_code == 200
    refused = client.post(VERIFY, {"code": code_of(device)})
    assert refused.status_code == 429 and "signing in is paused" in refused.content.decode()
    assert client.get(PROFILE).status_code == 302
    assert len(events("mfa.verify_failed")) == SIGNIN_FAILURE_LIMIT
    assert {e.details["scope"] for e in events("auth.lockout")} == {"account", "address"}
    # One count for passwords and codes: the password step of the account is paused as well.
    assert password_step(Client(), technician_a, address="203.0.113.7").status_code == 429


# Optional for researchers -------------------------------------------------------------------------------------------


def test_a_researcher_signs_in_without_a_code_and_may_turn_mfa_on(client, db):
    rosa = UserFactory(email="rosa@example.org", is_researcher=True, email_verified_at=timezone.now())
    assert password_step(client, rosa)["Location"] == reverse("web:dashboard")
    assert client.get(reverse("web:dashboard")).status_code == 200
    profile = client.get(PROFILE).content.decode()
    assert "Two-step sign-in" in profile and "No, but recommended." in profile and SETUP in profile
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=rosa, confirmed=False)
    assert client.post(SETUP, {"code": code_of(device)}).status_code == 200
    device.refresh_from_db()
    device.last_t = -1
    device.save(update_fields=["last_t"])
    other = Client()
    assert password_step(other, rosa)["Location"] == f"{VERIFY}?next=%2F"  # from now on she is asked too


# The API ----------------------------------------------------------------------------------------------------------


def test_the_api_refuses_a_session_before_its_second_step_but_not_a_token(client, biobank_a, technician_a):
    device, _ = enrolled(technician_a)
    password_step(client, technician_a)
    refused = client.get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused["Content-Type"].startswith("application/problem+json")
    assert "Finish signing in first" in refused.json()["detail"]
    secret = make_token(biobank_a, "view_biobank")
    assert client.get("/api/v1/me/", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    client.post(VERIFY, {"code": code_of(device)})
    assert client.get("/api/v1/me/").status_code == 200


def test_a_session_from_before_mfa_is_decided_at_its_next_request(client, technician_a):
    client.force_login(technician_a)
    session = client.session
    del session[mfa.MFA_SESSION_KEY]
    session.save()
    assert client.get(PROFILE)["Location"].startswith(VERIFY)


# Recovery codes and status on the profile -------------------------------------------------------------------------


def test_new_recovery_codes_replace_the_old_ones_and_are_shown_once(client, technician_a):
    device, old = enrolled(technician_a)
    password_step(client, technician_a)
    client.post(VERIFY, {"code": code_of(device)})
    profile = client.get(PROFILE).content.decode()
    assert "Recovery codes left" in profile and "Make new recovery codes" in profile
    assert client.get(REGENERATE).status_code == 405  # only a POST makes (and shows) codes
    response = client.post(REGENERATE)
    new = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert "no-store" in response["Cache-Control"]
    assert events("mfa.recovery_codes_regenerate")[-1].details == {"count": 10}
    assert mfa.mfa_verify(actor=technician_a, token=old[1]) is None
    assert mfa.mfa_verify(actor=technician_a, token=new[1]) == "recovery_code"


def test_recovery_codes_need_an_authenticator(technician_a):
    with pytest.raises(DomainError, match="Set up two-step sign-in first"):
        mfa.mfa_recovery_codes_regenerate(actor=technician_a)


# Reset by an admin (separation of duties) ---------------------------------------------------------------------------


def reset_url(biobank, user) -> str:
    return reverse("accounts:mfa_reset", args=[biobank.code, user.pk])


def test_an_admin_of_the_biobank_resets_a_members_mfa_with_a_reason(client, biobank_a, admin_a, technician_a):
    enrolled(technician_a)
    client.force_login(admin_a)
    session = client.session
    session[mfa.MFA_SESSION_KEY] = mfa.VERIFIED
    session.save()
    assert (
        "Reset their two-step sign-in"
        in client.get(reverse("web:member_edit", args=[biobank_a.code, technician_a.pk])).content.decode()
    )
    assert client.post(reset_url(biobank_a, technician_a), {"reason": " "}).status_code == 200  # a reason is needed
    assert mfa.mfa_device(user=technician_a) is not None
    response = client.post(reset_url(biobank_a, technician_a), {"reason": "Lost phone, identity checked in person"})
    assert response["Location"] == reverse("web:members", args=[biobank_a.code])
    assert not TOTPDevice.objects.filter(user=technician_a).exists()
    assert not StaticToken.objects.filter(device__user=technician_a).exists()
    [event] = events("mfa.reset")
    assert (event.object_id, event.biobank_id, event.reason) == (
        str(technician_a.pk),
        biobank_a.pk,
        "Lost phone, identity checked in person",
    )
    assert event.actor_label == admin_a.email
    # The person enrols again at their next sign-in.
    other = Client()
    password_step(other, technician_a)
    assert other.get(VERIFY)["Location"].startswith(SETUP)


def test_nobody_resets_their_own_mfa(client, biobank_a, admin_a):
    enrolled(admin_a)
    with pytest.raises(DomainError, match="cannot reset your own"):
        mfa.mfa_reset(actor=admin_a, user=admin_a, reason="lost it")
    client.force_login(admin_a)
    session = client.session
    session[mfa.MFA_SESSION_KEY] = mfa.VERIFIED
    session.save()
    assert "You cannot reset your own" in client.get(reset_url(biobank_a, admin_a)).content.decode()
    assert client.post(reset_url(biobank_a, admin_a), {"reason": "lost it"}).status_code == 403
    assert mfa.mfa_device(user=admin_a) is not None
    assert events("mfa.reset") == []


def test_only_admins_of_the_persons_biobank_or_a_superuser_may_reset(biobank_a, technician_a, outsider, steward_a):
    enrolled(technician_a)
    for actor in (outsider, steward_a):  # an admin of another biobank; a member without manage_members
        with pytest.raises(DomainError, match="Only an admin"):
            mfa.mfa_reset(actor=actor, user=technician_a, reason="lost phone")
    root = UserFactory(is_superuser=True, is_staff=True)
    mfa.mfa_reset(actor=root, user=technician_a, reason="lost phone")
    assert mfa.mfa_device(user=technician_a) is None
    assert events("mfa.reset")[-1].biobank_id == biobank_a.pk  # in the name of the person's biobank
    rosa = UserFactory(is_researcher=True)  # in no biobank: only a superuser may reset hers
    enrolled(rosa)
    with pytest.raises(DomainError, match="Only an admin"):
        mfa.mfa_reset(actor=outsider, user=rosa, reason="lost phone")
    mfa.mfa_reset(actor=root, user=rosa, reason="lost phone")
    assert mfa.mfa_device(user=rosa) is None
    assert events("mfa.reset")[-1].biobank_id is None


def test_the_reset_page_of_a_foreign_biobank_or_person_is_not_found(
    client, biobank_a, biobank_b, outsider, technician_a
):
    client.force_login(outsider)
    session = client.session
    session[mfa.MFA_SESSION_KEY] = mfa.VERIFIED
    session.save()
    assert client.get(reset_url(biobank_a, technician_a)).status_code == 404
    assert client.get(reset_url(biobank_b, technician_a)).status_code == 404


# The demo -------------------------------------------------------------------------------------------------------


def test_demo_staff_sign_in_with_the_printed_demo_key(client):
    from io import StringIO

    from biobank.accounts.management.commands.seed_demo import DEMO_PASSWORD as SEED_PASSWORD
    from biobank.accounts.management.commands.seed_demo import demo_totp_secret

    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())  # a second run gives nobody a second authenticator
    assert demo_totp_secret() in out.getvalue()
    assert TOTPDevice.objects.filter(user__email="steward@example.org").count() == 1
    code = StringIO()
    call_command("mfa_demo_code", stdout=code, stderr=StringIO())
    response = client.post(LOGIN, {"username": "steward@example.org", "password": SEED_PASSWORD})
    assert response["Location"] == f"{VERIFY}?next=%2F"
    assert client.post(VERIFY, {"code": code.getvalue().strip()})["Location"] == reverse("web:dashboard")
    from biobank.accounts.models import User

    assert mfa.mfa_device(user=User.objects.get(email="researcher@example.org")) is None  # optional: none given


def test_a_superuser_resets_a_researchers_mfa_from_the_command_line_never_their_own(db):
    from django.core.management.base import CommandError

    root = UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
    rosa = UserFactory(email="rosa@example.org", is_researcher=True)
    enrolled(rosa)
    enrolled(root)
    with pytest.raises(CommandError, match="cannot reset your own"):
        call_command("mfa_reset", "root@example.org", by="root@example.org", reason="lost phone")
    with pytest.raises(CommandError, match="must name an active superuser"):
        call_command("mfa_reset", "root@example.org", by="rosa@example.org", reason="lost phone")
    call_command("mfa_reset", "rosa@example.org", by="root@example.org", reason="lost phone", stdout=io.StringIO())
    assert mfa.mfa_device(user=rosa) is None and mfa.mfa_device(user=root) is not None
    assert events("mfa.reset")[-1].actor_label == "root@example.org"


def test_the_django_admin_shows_no_authenticator_keys():
    from django.contrib import admin

    assert TOTPDevice not in admin.site._registry and StaticToken.device.field.related_model not in admin.site._registry
