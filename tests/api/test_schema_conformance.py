"""Issue 9, item 19: the schema tells the truth for every status code and content type.

The fuzzing itself is tests/api/test_schemathesis.py; these are the fixes it needed, one by one: no HTML 404 under
/api/ (DEBUG on, a refused path converter, a missing slash, any method), the framework's error statuses documented
on every operation as problem+json, and the 409 of taking away the last admin's role.
"""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from biobank.accounts.choices import Role
from biobank.accounts.models import Membership
from biobank.pseudonyms.checkchar import is_valid, normalise
from tests.api.test_problems import assert_problem

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
PID_SHAPE = re.compile(r"[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]")


@pytest.fixture
def schema() -> dict:
    response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def _operations(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method.upper(), operation


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/no-such-thing/",
        "/api/no-such-version/",
        "/api/v1/collections/not-a-number/",  # the int converter refuses it: no view ever ran
        "/api/v1/biobanks/a.b/",  # the slug converter refuses it
        "/api/v1/audit-events/abc/",
    ],
)
def test_an_api_path_no_route_matches_is_a_problem_404_never_html(settings, admin_a, login, path, debug):
    settings.DEBUG = debug  # DEBUG's technical 404 page bypassed handler404 and answered HTML

    for client in (APIClient(), login(admin_a)):
        body = assert_problem(client.get(path), 404, "not-found")
        assert body["detail"].startswith(f"No API resource at {path}")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_an_unknown_api_path_is_a_problem_404_for_unsafe_methods_too(admin_a, method):
    client = APIClient(enforce_csrf_checks=True)  # no CSRF token: still the 404, not Django's HTML CSRF page
    client.force_login(admin_a)

    assert_problem(getattr(client, method)("/api/v1/collections/abc/", {"name": "x"}, format="json"), 404, "not-found")


def test_a_missing_trailing_slash_is_a_404_naming_the_right_path_not_a_redirect(admin_a, login):
    body = assert_problem(login(admin_a).post("/api/v1/collections", {}, format="json"), 404, "not-found")

    assert body["detail"].endswith("API paths end with a slash: /api/v1/collections/")


@pytest.mark.parametrize("debug", [False, True])
def test_a_get_without_the_trailing_slash_still_redirects(settings, debug):
    settings.DEBUG = debug

    assert APIClient().get("/api/docs").headers["Location"] == "/api/docs/"
    response = APIClient().get("/api/v1/collections?code=x")
    assert response.status_code == 301
    assert response.headers["Location"] == "/api/v1/collections/?code=x"


def test_an_accept_header_without_json_is_a_406_problem(admin_a, login):
    response = login(admin_a).get("/api/v1/me/", HTTP_ACCEPT="text/html")

    assert_problem(response, 406, "not-acceptable")


def test_every_operation_documents_the_errors_the_framework_can_answer(schema):
    problem_ref = "#/components/schemas/"
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        expected = {"400", "401", "406", "429"}
        if "requestBody" in operation:
            expected |= {"413", "415"}
        if method not in ("GET", "HEAD"):
            expected |= {"403", "413"}
        if "{" in path:
            expected.add("404")
        assert expected <= set(responses), (method, path, sorted(expected - set(responses)))
        for status, response in responses.items():
            if int(status) >= 400:
                assert list(response["content"]) == [PROBLEM], (method, path, status)
                reference = response["content"][PROBLEM]["schema"]["$ref"]  # Problem, or an extension of it
                assert reference.startswith(problem_ref) and reference.endswith("Problem"), (method, path, status)


def test_a_view_s_own_description_of_an_error_is_kept(schema):
    patch = schema["paths"]["/api/v1/collections/{id}/"]["patch"]["responses"]

    assert "If-Match" in patch["412"]["description"]  # from the view, not replaced by the hook


def test_taking_away_the_last_admin_role_is_a_documented_409(schema, admin_a, biobank_a):
    membership = Membership.objects.get(user=admin_a, biobank=biobank_a, role=Role.BIOBANK_ADMIN)
    client = APIClient()
    client.force_login(admin_a)

    response = client.delete(f"/api/v1/biobanks/{biobank_a.code}/members/{membership.pk}/")

    assert_problem(response, 409, "conflict")
    assert "409" in schema["paths"]["/api/v1/biobanks/{code}/members/{membership_id}/"]["delete"]["responses"]


def test_every_pid_in_the_schema_s_examples_is_a_valid_pid(schema):
    """Schemathesis sends the examples first: a PID with a wrong check character made every example a 400."""
    pids: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and PID_SHAPE.fullmatch(node):
            pids.append(node)

    walk(schema["paths"])
    walk(schema["components"])

    assert pids, "expected PIDs in the examples"
    assert [pid for pid in pids if not is_valid(normalise(pid))] == []
