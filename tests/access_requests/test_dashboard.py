"""The access-request dashboard loaders: counts per biobank for its admins, the reviewer's own assignments, the
researcher's own requests."""

import pytest

from access_requests.dashboard import my_requests_waiting, my_reviews_by_biobank, pipeline_by_biobank
from tests.access_requests.factories import make_request, make_researcher

pytestmark = pytest.mark.django_db


def test_the_pipeline_counts_requests_by_status_without_drafts(admin_a, biobank_a, biobank_b):
    researcher = make_researcher()
    make_request(researcher, [biobank_a])  # a draft: the researcher's own
    make_request(researcher, [biobank_a], status="submitted")
    make_request(researcher, [biobank_a, biobank_b], status="under_review")
    pipeline = pipeline_by_biobank(user=admin_a, biobank_ids=[biobank_a.pk, biobank_b.pk])
    rows = dict(row[:2] for row in pipeline[biobank_a.pk].chart.rows)
    assert rows["Submitted"] == "1" and rows["Under review"] == "1" and "Draft" not in rows
    assert pipeline[biobank_b.pk].chart.empty  # admin of A only
    assert pipeline[biobank_a.pk].median_days is None


def test_nobody_else_s_requests_or_reviews_show(biobank_a, technician_a):
    researcher = make_researcher()
    make_request(researcher, [biobank_a], status="submitted")
    assert my_requests_waiting(make_researcher()) == []
    [row] = my_requests_waiting(researcher)
    assert row.resources[0][2] == "waits for the biobank to look at it"
    reviews = my_reviews_by_biobank(user=technician_a, biobank_ids=[biobank_a.pk])[biobank_a.pk]
    assert reviews == {"reviews": [], "in_queue": 0}
