"""The OpenAPI schema is a tested artifact: it validates without a single warning, and its docs work offline."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient


@pytest.mark.django_db
def test_the_schema_validates_without_warnings(tmp_path, capsys):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    captured = capsys.readouterr()
    assert "Warning" not in captured.err + captured.out
    assert "openapi: 3" in target.read_text()


@pytest.mark.django_db
def test_the_schema_is_served_as_openapi_3_with_the_bearer_scheme_and_problem_responses():
    response = APIClient().get("/api/schema/?format=json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["bearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["bearerToken"]["description"],
    }
    paths = schema["paths"]
    assert {
        "/api/v1/me/",
        "/api/v1/biobanks/",
        "/api/v1/biobanks/{code}/",
        "/api/v1/biobanks/{code}/members/",
        "/api/v1/biobanks/{code}/members/{membership_id}/",
        "/api/v1/collections/",
        "/api/v1/collections/{id}/",
    } <= set(paths)
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"
            assert "401" in operation["responses"], f"{method.upper()} {path} does not document 401"
            for status, response_doc in operation["responses"].items():
                if int(status) >= 400:
                    assert list(response_doc["content"]) == ["application/problem+json"], (path, method, status)


@pytest.mark.django_db
def test_the_swagger_ui_loads_only_local_assets():
    response = APIClient().get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html.lower()
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert assets, "expected script and stylesheet references"
    # Static files, and the init script that drf-spectacular renders at /api/docs/?script= (no inline script: CSP)
    assert all(url.startswith(("/static/", "/api/docs/?")) for url in assets), assets
    assert not re.search(r"https?://|cdn", html, re.IGNORECASE)
