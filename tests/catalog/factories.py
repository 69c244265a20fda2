"""Factories of the catalog app (catalog/): collections, built through the real service."""

from __future__ import annotations

from biobank.accounts.models import Biobank
from catalog import services as catalog_services
from catalog.models import Collection


def make_collection(biobank: Biobank, code: str, name: str, description: str = "") -> Collection:
    return catalog_services.collection_create(
        actor=None, biobank=biobank, code=code, name=name, description=description
    )
