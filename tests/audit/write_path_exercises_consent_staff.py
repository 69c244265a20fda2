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
