"""Reporting back: DOIs validated and normalised, files checked by content, only the researcher's side reports."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from access_requests.choices import AttachmentKind, ReportKind
from access_requests.models import RequestEvent
from access_requests.services.reports import doi_normalise, report_submit
from biobank.errors import DomainError, ForbiddenError
from tests.access_requests.entitle_factories import make_granted
from tests.access_requests.factories import make_request, make_researcher

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("10.1089/bio.2017.0109", "10.1089/bio.2017.0109"),
        ("https://doi.org/10.1089/bio.2017.0109", "10.1089/bio.2017.0109"),
        ("doi:10.123456789/x(y)z", "10.123456789/x(y)z"),
    ],
)
def test_a_doi_is_normalised(given, expected):
    assert doi_normalise(given) == expected


@pytest.mark.parametrize("given", ["10.123/x", "10.1234567890/x", "11.1089/x", "10.1089/", "10.1089/a b"])
def test_a_malformed_doi_is_refused(given):
    with pytest.raises(DomainError, match="not a DOI"):
        doi_normalise(given)


def test_returned_results_need_a_file_checked_by_content(biobank_a):
    g = make_granted(biobank_a)
    with pytest.raises(DomainError, match="Attach"):
        report_submit(actor=g.researcher, request=g.request, kind=ReportKind.RETURNED_RESULTS, title="Results")
    exe = SimpleUploadedFile("results.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")
    with pytest.raises(DomainError, match="not a PDF"):
        report_submit(actor=g.researcher, request=g.request, kind=ReportKind.RETURNED_RESULTS, title="R", file=exe)
    pdf = SimpleUploadedFile("results.pdf", b"%PDF-1.7\n%results\n")
    report = report_submit(actor=g.researcher, request=g.request, kind=ReportKind.RETURNED_RESULTS, title="R", file=pdf)
    assert report.attachment.kind == AttachmentKind.RETURNED_RESULTS
    assert report.attachment.content_type == "application/pdf"
    assert RequestEvent.objects.filter(request=g.request, kind="report.submitted").exists()


def test_the_committee_does_not_report_for_the_researcher(biobank_a):
    g = make_granted(biobank_a)
    with pytest.raises(ForbiddenError):
        report_submit(actor=g.chair, request=g.request, kind=ReportKind.PROGRESS, title="x", text="y")
    with pytest.raises(ForbiddenError):
        report_submit(actor=make_researcher(), request=g.request, kind=ReportKind.PROGRESS, title="x", text="y")


def test_a_draft_takes_no_reports(biobank_a):
    researcher = make_researcher()
    draft = make_request(researcher, [biobank_a])
    with pytest.raises(DomainError, match="once access was decided"):
        report_submit(actor=researcher, request=draft, kind=ReportKind.PROGRESS, title="x", text="y")
