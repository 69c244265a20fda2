from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from biobank.accounts.models import ApiToken, hash_token
from tests.accounts.factories import make_token

pytestmark = pytest.mark.django_db

TOKENS = reverse("web:tokens", args=["biobank-a"])
CREATE = reverse("web:token_create", args=["biobank-a"])


def future(days=30):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_an_admin_sees_the_tokens_with_their_details(client, admin_a, biobank_a):
    secret = make_token(biobank_a, "view_specimens", "view_catalog", name="Hospital LIS")
    client.force_login(admin_a)
    page = client.get(TOKENS).content.decode()
    assert "Hospital LIS" in page and secret[:10] in page and secret not in page
    assert "See specimens and storage" in page and "Active" in page and "never" in page


def test_revoked_and_expired_tokens_say_so_in_words(client, admin_a, biobank_a):
    make_token(biobank_a, name="Old")
    ApiToken.objects.update(revoked_at=timezone.now())
    client.force_login(admin_a)
    page = client.get(TOKENS).content.decode()
    assert "Revoked" in page and "Revoke the token" not in page


def test_creating_a_token_shows_the_secret_once(client, admin_a, biobank_a):
    client.force_login(admin_a)
    response = client.post(CREATE, {"name": "National node", "permissions": ["view_catalog"], "expires_on": future(90)})
    assert response.status_code == 201
    secret = response.context["secret"]
    token = ApiToken.objects.get()
    assert token.key_hash == hash_token(secret) and token.created_by == admin_a
    assert token.permissions == ["view_catalog"]
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert secret not in client.get(TOKENS).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"permissions": ["view_catalog"], "expires_on": future()}, "name", "This field is required."),
        ({"name": "LIS", "expires_on": future()}, "permissions", "Choose at least one permission."),
        ({"name": "LIS", "permissions": ["view_identity"], "expires_on": future()}, "permissions", "valid choice"),
        ({"name": "LIS", "permissions": ["view_catalog"], "expires_on": "tomorrow"}, "expires_on", "valid date"),
        ({"name": "LIS", "permissions": ["view_catalog"], "expires_on": future(-1)}, "expires_on", "future"),
        ({"name": "LIS", "permissions": ["view_catalog"], "expires_on": future(800)}, "expires_on", "two years"),
    ],
)
def test_bad_input_shows_the_error_next_to_the_field_and_creates_nothing(client, admin_a, data, field, message):
    client.force_login(admin_a)
    response = client.post(CREATE, data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_asks_first_and_then_stops_the_token(client, admin_a, biobank_a):
    make_token(biobank_a)
    token = ApiToken.objects.get()
    url = reverse("web:token_revoke", args=["biobank-a", token.pk])
    client.force_login(admin_a)
    assert "Revoke the token" in client.get(url).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # a GET changes nothing
    response = client.post(url, follow=True)
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin_a
    assert "was revoked" in response.content.decode()


def test_a_technician_is_refused_and_a_foreign_admin_does_not_find_the_biobank(
    client, technician_a, outsider, biobank_a
):
    make_token(biobank_a)
    revoke = reverse("web:token_revoke", args=["biobank-a", ApiToken.objects.get().pk])
    client.force_login(technician_a)
    assert [client.get(u).status_code for u in (TOKENS, CREATE, revoke)] == [403, 403, 403]
    client.force_login(outsider)
    assert [client.get(u).status_code for u in (TOKENS, CREATE, revoke)] == [404, 404, 404]
    assert client.post(revoke).status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_a_token_of_another_biobank_cannot_be_revoked_from_here(client, admin_a, outsider, biobank_b):
    make_token(biobank_b)
    url = reverse("web:token_revoke", args=["biobank-a", ApiToken.objects.get().pk])
    client.force_login(admin_a)
    assert client.post(url).status_code == 404


def test_the_token_list_query_count_does_not_grow_with_the_tokens(client, admin_a, biobank_a, count_queries):
    make_token(biobank_a)
    client.force_login(admin_a)
    few = count_queries(TOKENS)
    for number in range(10):
        make_token(biobank_a, "view_specimens", name=f"LIS {number}")
    assert count_queries(TOKENS) == few
    # session, user, biobank, 2 permission checks (page and selector), tokens, navigation memberships
    assert few == 7
