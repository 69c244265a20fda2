"""The donor's own API (``consent/api/portal.py``) exercised for ``test_write_paths_audited``: a changed choice, a
withdrawal, the preferences (replaced and changed); each through its real URL as a donor with a portal account,
asserting that it succeeded."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from tests.audit.write_path_exercises import _ok
from tests.consent.portal_fixtures import PortalDonor, portal_donor


def _donor(f: Any) -> tuple[PortalDonor, APIClient]:
    donor = portal_donor(f.biobank_a, f.consent_officer_a)
    client = APIClient()
    client.force_login(donor.account.user)
    return donor, client


def api_me_choice_change(f: Any) -> None:
    """Declining a part is a withdrawal of it (``consent.withdraw_module``); the API answers its propagation."""
    donor, client = _donor(f)
    body = {"consent": donor.consent.pk, "module": "recontact", "choice": "declined"}
    _ok(client.post("/api/v1/me/choices/", body, format="json", HTTP_IDEMPOTENCY_KEY="audit-choice"), 201)


def api_me_withdraw(f: Any) -> None:
    client = _donor(f)[1]
    _ok(client.post("/api/v1/me/withdrawals/", {"level": "no_further_use"}, format="json"), 201)


def api_me_preferences_put(f: Any) -> None:
    client = _donor(f)[1]
    body = {"notify_news": True, "notify_results": True, "notify_recontact": False, "language": "de"}
    _ok(client.put("/api/v1/me/preferences/", body, format="json"), 200)


def api_me_preferences_patch(f: Any) -> None:
    client = _donor(f)[1]
    _ok(client.patch("/api/v1/me/preferences/", {"notify_results": True}, format="json"), 200)
