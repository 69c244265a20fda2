"""The writes of the access requests' conditions, agreements, entitlements and reports (issue 14, items 6, 7, 9),
exercised through their real URLs (pages and API). Kept beside ``write_path_exercises.py`` (same ``Fixtures``);
``test_write_paths_audited`` names each with the audit action it must leave."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from access_requests.choices import ReportKind
from access_requests.models import Entitlement, Report
from access_requests.services.agreements import agreement_accept
from tests.access_requests.entitle_factories import Granting, accept_both, make_conditions_indicated, make_granted
from tests.audit.write_path_exercises import Fixtures, _ok


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)  # no sign-in: that would be a write of its own
    return client


def _web(f: Fixtures, user: Any) -> Client:
    f.client.force_login(user)
    return f.client


def _accepted(f: Fixtures) -> Granting:
    g = make_conditions_indicated(f.biobank_a)
    accept_both(g)
    return g


def _expired_with_report(f: Fixtures) -> Granting:
    g = make_granted(f.biobank_a)
    Entitlement.objects.update(granted_at=timezone.now() - timedelta(days=2))
    Report.objects.create(
        request=g.request, kind=ReportKind.PROGRESS, title="Year 1", text="Done", submitted_by=g.researcher
    )
    return g


def web_agreement_publish(f: Fixtures) -> None:
    g = make_conditions_indicated(f.biobank_a)
    url = reverse("access_requests:agreement_list", args=[f.biobank_a.code])
    body = {"kind": "dta", "title": "Data Transfer Agreement", "body": "The recipient keeps the data safe. " * 3}
    _ok(_web(f, g.chair).post(url, body), 302)


def web_conditions_accept(f: Fixtures) -> None:
    g = make_conditions_indicated(f.biobank_a)
    url = reverse("access_requests:conditions", args=[g.request.pk, g.resource.pk])
    _ok(_web(f, g.researcher).post(url, {"name": "Rita Searcher", "confirm": "on"}), 302)


def web_conditions_decline(f: Fixtures) -> None:
    g = make_conditions_indicated(f.biobank_a)
    url = reverse("access_requests:conditions_decline", args=[g.request.pk, g.resource.pk])
    _ok(_web(f, g.researcher).post(url, {"reason": "Too strict."}), 302)


def web_sign(f: Fixtures) -> None:
    g = make_conditions_indicated(f.biobank_a)
    agreement_accept(actor=g.researcher, resource=g.resource, role="researcher", name="Rita S", confirm=True)
    from access_requests.models import SigningLink
    from access_requests.services.agreements import token_hash

    token = "write-path-token"
    SigningLink.objects.filter(resource=g.resource).update(token_hash=token_hash(token))
    _ok(Client().post(reverse("access_requests:sign", args=[token]), {"name": "Ina Signer", "confirm": "on"}), 200)


def web_grant(f: Fixtures) -> None:
    g = _accepted(f)
    url = reverse("access_requests:grant", args=[g.request.pk, g.resource.pk])
    _ok(_web(f, g.chair).post(url), 302)


def web_revoke(f: Fixtures) -> None:
    g = make_granted(f.biobank_a)
    url = reverse("access_requests:revoke", args=[g.request.pk, Entitlement.objects.get().pk])
    _ok(_web(f, g.chair).post(url, {"reason": "Misuse."}), 302)


def web_renew(f: Fixtures) -> None:
    g = _expired_with_report(f)
    until = (timezone.localdate() + timedelta(days=300)).isoformat()
    _ok(_web(f, g.chair).post(reverse("access_requests:renew", args=[g.request.pk]), {"until": until}), 302)


def web_close(f: Fixtures) -> None:
    g = make_granted(f.biobank_a)
    _ok(_web(f, g.researcher).post(reverse("access_requests:close", args=[g.request.pk])), 302)


def web_report(f: Fixtures) -> None:
    g = make_granted(f.biobank_a)
    body = {"kind": "progress", "title": "Year 1", "text": "On track."}
    _ok(_web(f, g.researcher).post(reverse("access_requests:reports", args=[g.request.pk]), body), 302)


def api_accept_conditions(f: Fixtures) -> None:
    g = make_conditions_indicated(f.biobank_a)
    body = {"resource": g.resource.pk, "role": "researcher", "name": "Rita Searcher", "confirm": True}
    url = reverse("api-access-request-accept-conditions", args=[g.request.pk])
    _ok(_api(g.researcher).post(url, body, format="json"), 201)


def api_grant(f: Fixtures) -> None:
    g = _accepted(f)
    url = reverse("api-access-request-grant", args=[g.request.pk])
    _ok(_api(g.chair).post(url, {"resource": g.resource.pk}, format="json"), 200)


def api_revoke(f: Fixtures) -> None:
    g = make_granted(f.biobank_a)
    url = reverse("api-access-request-revoke", args=[g.request.pk])
    _ok(_api(g.chair).post(url, {"resource": g.resource.pk, "reason": "Misuse."}, format="json"), 200)


def api_renew(f: Fixtures) -> None:
    g = _expired_with_report(f)
    until = (timezone.localdate() + timedelta(days=300)).isoformat()
    url = reverse("api-access-request-renew", args=[g.request.pk])
    _ok(_api(g.chair).post(url, {"until": until}, format="json"), 200)


def api_close(f: Fixtures) -> None:
    g = make_granted(f.biobank_a)
    _ok(_api(g.researcher).post(reverse("api-access-request-close", args=[g.request.pk]), {}, format="json"), 200)


def api_report(f: Fixtures) -> None:
    g = make_granted(f.biobank_a)
    body = {"kind": "publication", "title": "Paper", "doi": "10.1089/bio.2017.0109"}
    url = reverse("api-access-request-reports", args=[g.request.pk])
    _ok(_api(g.researcher).post(url, body, format="json"), 201)
