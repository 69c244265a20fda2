"""Demo data contributed by the domain apps.

``manage.py seed_demo`` (core) creates the network, biobanks and people; each domain app registers a seeder from its
``AppConfig.ready()`` so the core never imports the apps above it. Seeders run in the order of ``INSTALLED_APPS``
(lower apps first), inside seed_demo's transaction, and must be idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from biobank.accounts.models import Biobank, User


@dataclass(frozen=True)
class DemoContext:
    """What the core demo data created: the biobanks by code, the demo people by e-mail, the first biobank."""

    biobanks: dict[str, Biobank]
    people: dict[str, User]
    first_biobank: Biobank


Seeder = Callable[[DemoContext], Any]
_SEEDERS: list[tuple[str, Seeder]] = []


def register_demo_seeder(name: str, seeder: Seeder) -> None:
    if name not in {registered for registered, _ in _SEEDERS}:
        _SEEDERS.append((name, seeder))


def run_demo_seeders(context: DemoContext) -> list[str]:
    """Run every registered seeder; returns their names (printed by seed_demo)."""
    for _, seeder in _SEEDERS:
        seeder(context)
    return [name for name, _ in _SEEDERS]
