"""Staff's dynamic-consent pages exercised for ``test_write_paths_audited``: a portal invitation, a re-consent
campaign, a donor message's wording (saved, and restored to the shipped one); each through its real URL as the
consent officer of biobank A, asserting that it succeeded."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from consent import services
from tests.consent.factories import make_catalogue, record


def _ok(response: Any, *codes: int) -> Any:
    assert response.status_code in (codes or (302,)), (response.status_code, response.content[:500])
    return response


def donor_invite(f: Any) -> None:
    f.client.force_login(f.consent_officer_a)
    url = reverse("consent:donor_invite", args=["biobank-a", f.donor_a.pid_display])
    _ok(f.client.post(url, {"language": "en"}))
    assert f.donor_a.account.invitations.exists()


def campaign_new(f: Any) -> None:
    officer = f.consent_officer_a
    v1 = make_catalogue(f.biobank_a, actor=officer)
    record(officer, f.donor_a, v1)
    v2 = services.template_activate(
        actor=officer, template=services.template_new_version(actor=officer, previous=v1, version_label="v2")
    )
    f.client.force_login(officer)
    _ok(f.client.post(reverse("consent:campaign_new", args=["biobank-a"]), {"template": v2.pk, "title": "v2"}))


def message_edit(f: Any) -> None:
    f.client.force_login(f.consent_officer_a)
    url = reverse("consent:message_edit", args=["biobank-a", "donor_invitation", "en"])
    _ok(f.client.post(url, {"action": "save", "subject": "Hello", "body": "Your link: {{ link }}"}))


def command_donor_portal_link(f: Any) -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("donor_portal_link", "biobank-a", f.donor_a.pid_display, stdout=out)
    assert "/my/welcome/" in out.getvalue()


# --- the donor's own writes in the donor portal (/my/), as Jane (tests.consent.portal_fixtures) ----------------------


def _donor_client(f: Any) -> Any:
    f.client.force_login(f.jane.account.user)
    return f.client


def portal_welcome(f: Any) -> None:
    f.client.logout()
    _ok(f.client.post(reverse("donor_portal:welcome", args=[f.jane.token])))


def portal_choice_change(f: Any) -> None:
    url = reverse("donor_portal:choice_change", args=["recontact"])
    _ok(_donor_client(f).post(url, {"choice": "declined", "signer_name": "Jane Schmidt"}))


def portal_reconsent(f: Any) -> None:
    officer, template = f.consent_officer_a, f.jane.template
    v2 = services.template_activate(
        actor=officer, template=services.template_new_version(actor=officer, previous=template, version_label="v2")
    )
    data = {f"module_{code}": "accepted" for code in ("data", "biomaterial", "recontact", "research")}
    url = reverse("donor_portal:reconsent", args=[v2.pk])
    _ok(_donor_client(f).post(url, {**data, "signer_name": "Jane Schmidt"}))


def portal_withdraw(f: Any) -> None:
    _ok(_donor_client(f).post(reverse("donor_portal:withdraw"), {"what": "no_further_contact"}))


def portal_preferences(f: Any) -> None:
    data = {"notify_news": "on", "language": "de"}
    _ok(_donor_client(f).post(reverse("donor_portal:preferences"), data))
