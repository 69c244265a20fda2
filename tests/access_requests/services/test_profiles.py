"""The researcher profile: institution required, ORCID iD checked by its format and check digit, audited."""

from __future__ import annotations

import pytest

from access_requests.services.profiles import researcher_profile_save
from biobank.accounts.models import User
from biobank.audit.models import AuditOutbox
from biobank.errors import ForbiddenError, InvalidFields

pytestmark = pytest.mark.django_db


def researcher() -> User:
    return User.objects.create_user(email="r@example.org", password="long-enough-password-1", is_researcher=True)


def test_it_saves_and_normalises_the_profile():
    profile = researcher_profile_save(
        actor=researcher(), institution=" KI ", country="se", orcid="https://orcid.org/0000-0002-1694-233x"
    )
    assert (profile.institution, profile.country, profile.orcid) == ("KI", "SE", "0000-0002-1694-233X")
    assert AuditOutbox.objects.filter(action="access_request.profile_created").exists()


def test_every_problem_is_reported_at_once():
    with pytest.raises(InvalidFields) as error:
        researcher_profile_save(actor=researcher(), institution="", country="XX", orcid="0000-0002-1825-0098")
    assert set(error.value.errors) == {"institution", "country", "orcid"}
    assert "check digit" in error.value.errors["orcid"][0]


def test_staff_have_no_researcher_profile(technician_a):
    with pytest.raises(ForbiddenError):
        researcher_profile_save(actor=technician_a, institution="X")
