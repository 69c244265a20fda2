"""``manage.py load_vocabularies [--force]``: load the catalogue's vocabularies from ``catalog/data``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from catalog.vocabulary_loader import load_vocabularies


class Command(BaseCommand):
    help = "Load the MIABIS, Directory, DUO and ICD-10 vocabularies shipped in catalog/data into the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="reload even if the data files did not change")

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = load_vocabularies(force=options["force"])
        if loaded:
            self.stdout.write(self.style.SUCCESS(f"Loaded {loaded} vocabulary terms."))
        else:
            self.stdout.write("The vocabularies are up to date (use --force to reload).")
