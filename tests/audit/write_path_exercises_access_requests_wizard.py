"""The researcher's writes (access_requests/views/researcher.py, wizard.py, api/requests.py) exercised for
``test_write_paths_audited``: each through its real URL as a researcher, asserting that it succeeded."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from access_requests.choices import RequestStatus
from access_requests.services.team import team_member_add
from access_requests.services.workflow import request_transition
from biobank.accounts.models import User
from tests.access_requests.factories import make_request, make_researcher
from tests.access_requests.wizard_factories import complete_draft, published_collection
from tests.audit.write_path_exercises import _api, _ok, _web


def profile_save(f: Any) -> None:
    user = User.objects.create_user(email="audit-r@example.org", password="long-enough-password-1", is_researcher=True)
    _ok(_web(f, user).post(reverse("access_requests:profile"), {"institution": "KI"}), 302)


def wizard_new(f: Any) -> None:
    _ok(_web(f, make_researcher()).post(reverse("access_requests:wizard_new"), {"title": "Audited"}), 302)


def wizard_step(f: Any) -> None:
    researcher = make_researcher()
    request = make_request(researcher, [f.biobank_a])
    url = reverse("access_requests:wizard_step", args=[request.pk, "project"])
    _ok(_web(f, researcher).post(url, {"title": "Changed", "lay_summary": "L", "abstract": "A"}), 302)


def withdraw_page(f: Any) -> None:
    researcher = make_researcher()
    request = make_request(researcher, [f.biobank_a], status=RequestStatus.SUBMITTED)
    _ok(_web(f, researcher).post(reverse("access_requests:withdraw", args=[request.pk]), {"reason": "Ended"}), 302)


def team_confirm(f: Any) -> None:
    import access_requests.services.team as team

    researcher = make_researcher()
    request = make_request(researcher, [f.biobank_a])
    original = team.secrets.token_urlsafe
    team.secrets.token_urlsafe = lambda n: "audit-token"  # type: ignore[assignment]
    try:
        team_member_add(actor=researcher, request=request, name="Co", email="audit-co@example.org")
    finally:
        team.secrets.token_urlsafe = original  # type: ignore[assignment]
    client = _web(f, make_researcher(email="audit-co@example.org"))
    _ok(client.post(reverse("access_requests:team_confirm", args=["audit-token"])), 302)


def api_create(f: Any) -> None:
    _ok(_api(make_researcher()).post("/api/v1/access-requests/", {"title": "API"}, format="json"), 201)


def api_patch(f: Any) -> None:
    researcher = make_researcher()
    request = make_request(researcher, [f.biobank_a])
    _ok(_api(researcher).patch(f"/api/v1/access-requests/{request.pk}/", {"abstract": "New"}, format="json"), 200)


def api_submit(f: Any) -> None:
    researcher = make_researcher()
    request = complete_draft(researcher, [published_collection(f.biobank_a)])
    _ok(_api(researcher).post(f"/api/v1/access-requests/{request.pk}/submit/"), 200)


def api_withdraw(f: Any) -> None:
    researcher = make_researcher()
    request = make_request(researcher, [f.biobank_a], status=RequestStatus.SUBMITTED)
    url = f"/api/v1/access-requests/{request.pk}/withdraw/"
    _ok(_api(researcher).post(url, {"reason": "Ended"}, format="json"), 200)


def api_resubmit(f: Any) -> None:
    researcher = make_researcher()
    request = complete_draft(researcher, [published_collection(f.biobank_a)])
    for status in (RequestStatus.SUBMITTED, RequestStatus.UNDER_REVIEW, RequestStatus.CHANGES_REQUESTED):
        request_transition(request=request, to=status, actor=None)
    _ok(_api(researcher).post(f"/api/v1/access-requests/{request.pk}/resubmit/"), 200)
