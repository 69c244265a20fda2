"""Factories of the accounts app (biobank/accounts/): people, biobanks, memberships and API tokens, built through the
real services so tests see what users would create."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from rest_framework.test import APIClient

from biobank.accounts import services as account_services
from biobank.accounts.models import Biobank, User

DEMO_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


_biobank_counter = iter(range(1, 10_000))


def make_biobank(code: str | None = None, name: str | None = None, country: str = "DE") -> Biobank:
    number = next(_biobank_counter)
    code = code or f"biobank-{number}"
    return account_services.biobank_create(actor=None, code=code, name=name or f"Biobank {number}", country=country)


def make_member(biobank: Biobank, *roles: str, email: str | None = None) -> User:
    user = UserFactory(**({"email": email} if email else {}))
    for role in roles:
        account_services.membership_grant(actor=None, biobank=biobank, user=user, role=role)
    return user


def make_token(biobank: Biobank, *permissions: str, days: int = 30, name: str = "LIS") -> str:
    _, secret = account_services.api_token_create(
        actor=None,
        biobank=biobank,
        name=name,
        permissions=permissions or ("view_biobank",),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return secret


def bearer(secret: str) -> APIClient:
    """A client sending the API token ``secret``, as a partner system does."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client
