"""Issue 10 item 7: "forbidden" is one ``ForbiddenError``: 403 problem+json in the API, the 403 page in the browser.

Services used to say it three ways: Django's ``PermissionDenied``, DRF's, and a ``DomainError(code="forbidden")``
that the API answered with 400 ``invalid-request``. The last one is now a ``ForbiddenError`` and answers 403.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from biobank.accounts import signin
from biobank.api.exceptions import PROBLEM_CONTENT_TYPE, problem_exception_handler
from biobank.errors import DomainError, ForbiddenError
from consent.services.permissions import require_manage_consent


def test_forbidden_error_is_a_403_problem_with_code_forbidden() -> None:
    request = RequestFactory().post("/api/v1/anything/")
    response = problem_exception_handler(ForbiddenError("You may not do this here."), {"request": request})
    assert response is not None and response.status_code == 403
    assert response.content_type == PROBLEM_CONTENT_TYPE
    body = response.data
    assert body["type"] == "/api/problems/permission-denied" and body["title"] == "Permission denied"
    assert body["status"] == 403 and body["detail"] == "You may not do this here."
    assert body["errors"] == [{"pointer": "/", "message": "You may not do this here.", "code": "forbidden"}]


def test_a_plain_domain_error_stays_a_400() -> None:
    request = RequestFactory().post("/api/v1/anything/")
    response = problem_exception_handler(DomainError("No.", field="name"), {"request": request})
    assert response is not None and response.status_code == 400


@pytest.mark.django_db
def test_editing_someone_elses_profile_is_forbidden_not_invalid(admin_a, technician_a) -> None:
    # It was DomainError(code="forbidden"): a 400 "Invalid request" through the API.
    with pytest.raises(ForbiddenError, match="You can only edit your own profile") as error:
        signin.user_profile_update(actor=admin_a, user=technician_a, full_name="Someone else")
    assert error.value.status_code == 403 and error.value.code == "forbidden"
    assert isinstance(error.value, PermissionDenied)  # Django's handler answers the browser with the 403 page


@pytest.mark.django_db
def test_consent_changes_without_manage_consent_are_forbidden(biobank_a, technician_a) -> None:
    with pytest.raises(ForbiddenError, match=f"You may not manage consent in {biobank_a.name}"):
        require_manage_consent(technician_a, biobank_a)
    with pytest.raises(ForbiddenError, match="Only a superuser may change the network-wide consent catalogue"):
        require_manage_consent(technician_a, None)
