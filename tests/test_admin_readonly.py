import pytest

from biobank.accounts.models import User
from tests.accounts.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_a_biobank_admin_cannot_open_the_django_admin(client, admin_a):
    User.objects.filter(pk=admin_a.pk).update(is_staff=True)  # even with the Django staff flag
    client.force_login(User.objects.get(pk=admin_a.pk))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_superuser_sees_the_records_but_cannot_change_them(client, biobank_a, technician_a):
    superuser = User.objects.create_superuser(email="root@example.org", password=DEMO_PASSWORD)
    client.force_login(superuser)

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/membership/").status_code == 200
    assert client.get(f"/admin/accounts/biobank/{biobank_a.pk}/change/").status_code == 200  # the view page
    assert client.get("/admin/accounts/biobank/add/").status_code == 403
    response = client.post(f"/admin/accounts/biobank/{biobank_a.pk}/change/", {"name": "Renamed"})
    assert response.status_code == 403
    biobank_a.refresh_from_db()
    assert biobank_a.name == "Biobank A"


def test_the_admin_never_shows_password_hashes_or_token_hashes(client, biobank_a):
    superuser = User.objects.create_superuser(email="root@example.org", password=DEMO_PASSWORD)
    person = UserFactory()
    client.force_login(superuser)

    page = client.get(f"/admin/accounts/user/{person.pk}/change/").content.decode()

    assert person.password not in page
