"""The compliance report PDF lists the request's events, votes, decisions, acceptances, entitlements, downloads
and reports."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from access_requests.choices import ReportKind, VoteValue
from access_requests.compliance import compliance_pdf
from access_requests.models import Download, Vote
from access_requests.services.entitlements import entitlement_revoke
from access_requests.services.reports import report_submit
from tests.access_requests.entitle_factories import make_granted, make_ready_release

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages)


def test_the_report_lists_everything_in_order(biobank_a):
    g = make_granted(biobank_a)
    Vote.objects.create(
        resource=g.resource,
        voter=g.members[0],
        value=VoteValue.APPROVE,
        rationale="Purpose fits the consent",
        duo_decision="APPROVE",
    )
    release = make_ready_release(g.resource, g.chair)
    Download.objects.create(release=release, user=g.researcher, file="csv", ip="192.0.2.9")
    report_submit(
        actor=g.researcher,
        request=g.request,
        kind=ReportKind.PUBLICATION,
        title="Plasma paper",
        doi="10.1089/bio.2017.0109",
    )
    entitlement_revoke(actor=g.chair, resource=g.resource, reason="Shared with a third party")
    text = _text(compliance_pdf(g.request))
    assert g.request.number in text
    for expected in (
        "request.submitted",
        "resource.conditions_accepted",
        "entitlement.granted",
        "Purpose fits the consent",
        "Share the assay protocol",
        "R Searcher",
        "v1",
        "192.0.2.9",
        "Plasma paper",
        "Shared with a third party",
    ):
        assert expected in text, expected
    assert text.index("request.submitted") < text.index("entitlement.granted") < text.index("entitlement.revoked")
