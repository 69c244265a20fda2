"""Shared fixtures: two biobanks and the personas of the permission tests (owner / member / outsider)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient

from biobank.accounts.choices import Role
from tests.accounts.factories import bearer, make_biobank, make_member, make_token

# No test asserts a time: hypothesis's own timing checks (a slow example, slow input generation) fail at random on a
# loaded machine — a CI run beside a benchmark or two helpers — without saying anything about the code. Examples and
# health checks about the data itself stay as each test sets them.
settings.register_profile("biobank", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("biobank")


def pytest_configure(config: pytest.Config) -> None:
    """whitenoise warns on every request when the collected-static directory is missing; tests never collect.

    Made here, not in the test settings: importing the settings writes nothing (issue 10, item 3).
    """
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit and throttle counters live in the cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _signed_in_past_mfa(request, monkeypatch):
    """``client.login``/``force_login`` give a session past the second sign-in step (issue 9, item 4).

    Tests of other features sign in as staff, who must use MFA; they are not about it, so the test client marks
    the session verified the way passing the step does. MFA itself stays on: tests that use the ``real_mfa``
    fixture (tests/accounts/test_mfa.py) get the real state, and the login form and the browser tests go through
    the step (tests/e2e/conftest.py ``sign_in``).
    """
    if "real_mfa" in request.fixturenames:
        yield
        return
    from django.test.client import ClientMixin

    from biobank.accounts.mfa import MFA_SESSION_KEY, VERIFIED

    original = ClientMixin._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[MFA_SESSION_KEY] = VERIFIED
        session.save()

    monkeypatch.setattr(ClientMixin, "_login", _login)
    yield


@pytest.fixture
def real_mfa():
    """Sign-ins in this test go through the real second step (see ``_signed_in_past_mfa``)."""


@pytest.fixture
def biobank_a(db):
    return make_biobank(code="biobank-a", name="Biobank A")


@pytest.fixture
def biobank_b(db):
    return make_biobank(code="biobank-b", name="Biobank B")


@pytest.fixture
def admin_a(biobank_a):
    return make_member(biobank_a, Role.BIOBANK_ADMIN, email="admin-a@example.org")


@pytest.fixture
def technician_a(biobank_a):
    return make_member(biobank_a, Role.TECHNICIAN, email="tech-a@example.org")


def _persona(biobank, role: str, email: str):
    return make_member(biobank, role, email=email)


@pytest.fixture
def data_manager_a(biobank_a):
    return _persona(biobank_a, Role.DATA_MANAGER, "data-a@example.org")


@pytest.fixture
def consent_officer_a(biobank_a):
    return _persona(biobank_a, Role.CONSENT_OFFICER, "officer-a@example.org")


@pytest.fixture
def consent_officer_b(biobank_b):
    return _persona(biobank_b, Role.CONSENT_OFFICER, "officer-b@example.org")


@pytest.fixture
def steward_a(biobank_a):
    return _persona(biobank_a, Role.IDENTITY_STEWARD, "steward-a@example.org")


@pytest.fixture
def steward_b(biobank_b):
    """An identity steward, but of another biobank."""
    return _persona(biobank_b, Role.IDENTITY_STEWARD, "steward-b@example.org")


@pytest.fixture
def auditor_a(biobank_a):
    return _persona(biobank_a, Role.AUDITOR, "auditor-a@example.org")


@pytest.fixture
def auditor_b(biobank_b):
    return _persona(biobank_b, Role.AUDITOR, "auditor-b@example.org")


@pytest.fixture
def outsider(biobank_b):
    """A member of another biobank: must see nothing of biobank A."""
    return make_member(biobank_b, Role.BIOBANK_ADMIN, email="outsider@example.org")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def token_client() -> Callable[..., APIClient]:
    """``token_client(biobank, *permissions)``: a client sending a fresh token of ``biobank``."""

    def build(biobank, *permissions: str) -> APIClient:
        return bearer(make_token(biobank, *permissions))

    return build


@pytest.fixture
def login() -> Callable[..., APIClient]:
    """``login(user)``: a client with the user's session (CSRF not enforced; see test_csrf for that)."""

    def build(user) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client

    return build


@pytest.fixture
def count_queries(client):
    def run(url: str) -> int:
        """Queries of a warm request: the first one may also fill per-process caches (content types)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        return len(queries)

    return run
