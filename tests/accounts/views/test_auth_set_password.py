"""A donor who signs in by link has no password: the password page offers to set one instead of asking for an old
password the donor never had (issue 16, item 10). People with a password still give the old one."""

import pytest
from django.urls import reverse

from biobank.audit.models import AuditOutbox
from tests.accounts.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("accounts:password_change")
NEW = "a-long-new passphrase 4 the portal"


@pytest.fixture
def donor(db):
    user = UserFactory(email="donor@example.org", is_donor=True)
    user.set_unusable_password()
    user.save()
    return user


def test_a_donor_without_a_password_is_offered_to_set_one(client, donor):
    client.force_login(donor)
    html = client.get(PAGE).content.decode()

    assert "Set a password" in html
    assert 'name="old_password"' not in html
    assert 'name="new_password1"' in html and 'name="new_password2"' in html


def test_the_donor_sets_a_password_and_can_then_sign_in_with_it(client, donor):
    client.force_login(donor)

    response = client.post(PAGE, {"new_password1": NEW, "new_password2": NEW})

    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change_done")
    donor.refresh_from_db()
    assert donor.check_password(NEW)
    assert AuditOutbox.objects.filter(action="user.password_change", object_id=str(donor.pk)).exists()
    assert client.get(reverse("accounts:profile")).status_code == 200  # still signed in


def test_a_mismatch_is_refused_and_nothing_is_set(client, donor):
    client.force_login(donor)

    response = client.post(PAGE, {"new_password1": NEW, "new_password2": NEW + "x"})

    assert response.status_code == 200 and 'class="error-summary"' in response.content.decode()
    donor.refresh_from_db()
    assert not donor.has_usable_password()


def test_a_person_with_a_password_still_gives_the_old_one(client):
    user = UserFactory(email="donor2@example.org", is_donor=True)
    client.force_login(user)
    html = client.get(PAGE).content.decode()

    assert 'name="old_password"' in html and "Change your password" in html
    response = client.post(PAGE, {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)
