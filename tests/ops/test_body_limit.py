"""Request bodies are capped before anything reads them (issue 9, item 17): a declared 300 MB is a 413 at once."""

from __future__ import annotations

import pytest

from biobank.ops.body_limit import body_limit_for

pytestmark = pytest.mark.django_db

HUGE = str(300 * 1024 * 1024)


def test_a_300_mb_anonymous_multipart_post_is_refused_before_it_is_read(client):
    response = client.post(
        "/accounts/signup/", data=b"--x--", content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=HUGE
    )

    assert response.status_code == 413
    assert "300 MiB" in response.content.decode() and "1 MiB" in response.content.decode()


def test_the_api_answers_a_huge_body_with_problem_json(client):
    response = client.post(
        "/api/v1/consent/check/bulk", data=b"{}", content_type="application/json", CONTENT_LENGTH=HUGE
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 413


def test_the_scan_upload_may_carry_a_ten_megabyte_scan_and_nothing_else_may():
    assert body_limit_for("/consent/biobank-a/scans/new/") == 11 * 1024 * 1024
    assert body_limit_for("/consent/biobank-a/record/") == 1024 * 1024
    assert body_limit_for("/api/v1/donors/") == 1024 * 1024


def test_an_ordinary_request_passes(client):
    assert client.get("/healthz").status_code == 200
