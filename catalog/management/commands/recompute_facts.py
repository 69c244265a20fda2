"""``manage.py recompute_facts [--collection CODE ...] [--dirty]``: recompute the catalogue's collection facts."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.facts.engine import recompute, recompute_all, recompute_dirty
from catalog.models import Collection


class Command(BaseCommand):
    help = (
        "Recompute the collection facts from the inventory: all collections (default), the given ones (a code, or "
        "BIOBANK:CODE where codes repeat across biobanks) with their parents, or only those marked stale (--dirty)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--collection", action="append", default=[], metavar="CODE", help="repeatable")
        parser.add_argument("--dirty", action="store_true", help="only the collections marked stale")

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.perf_counter()
        if options["dirty"]:
            done = recompute_dirty()
            if done is None:
                raise CommandError("Another facts recompute is running; try again when it is done.")
            self.stdout.write(self.style.SUCCESS(f"Recomputed {len(done)} stale collection(s)."))
            return
        if options["collection"]:
            written = recompute([self._collection(code).pk for code in options["collection"]])
        else:
            written = recompute_all()
        seconds = time.perf_counter() - start
        self.stdout.write(self.style.SUCCESS(f"Wrote {written} fact rows in {seconds:.2f} s."))

    def _collection(self, given: str) -> Collection:
        biobank, _, code = given.rpartition(":") if ":" in given else ("", "", given)
        found = Collection.objects.filter(code=code)
        if biobank:
            found = found.filter(biobank__code=biobank)
        matches = list(found[:2])
        if not matches:
            raise CommandError(f"No collection with the code {given!r}.")
        if len(matches) > 1:
            raise CommandError(f"The code {code!r} is used in several biobanks: write BIOBANK:CODE.")
        return matches[0]
