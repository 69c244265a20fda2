"""Re-create every biobank's role groups with exactly the permissions of ``choices.ROLE_PERMISSIONS``.

Run after a release that changed ``ROLE_PERMISSIONS`` (the groups of existing biobanks are otherwise unchanged).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from biobank.accounts.models import Biobank
from biobank.accounts.services import role_groups_sync


class Command(BaseCommand):
    help = "Bring every biobank's role groups in line with ROLE_PERMISSIONS (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for biobank in Biobank.objects.order_by("code"):
            role_groups_sync(biobank=biobank)
            count += 1
            self.stdout.write(f"  {biobank.code}: role groups in sync")
        self.stdout.write(self.style.SUCCESS(f"Synchronised the role groups of {count} biobank(s)."))
