"""Demo data of the access-requests app (``manage.py seed_demo``): each demo biobank's transfer agreement.

Registered from ``AccessRequestsConfig.ready()``; idempotent (a biobank that has an MDTA keeps it)."""

from __future__ import annotations

from biobank.accounts.choices import Role
from biobank.accounts.models import Membership
from biobank.demo import DemoContext

from .services.agreements import agreement_default_publish


def seed_agreements(context: DemoContext) -> None:
    """Version 1 of the demo MDTA for every demo biobank, published by its admin."""
    for biobank in context.biobanks.values():
        admin = Membership.objects.filter(biobank=biobank, role=Role.BIOBANK_ADMIN).select_related("user").first()
        if admin is not None:
            agreement_default_publish(actor=admin.user, biobank=biobank)
