"""Repair every biobank's role groups: exactly the permissions of ``choices.ROLE_PERMISSIONS`` and exactly the
members its memberships name.

Run after a release that changed ``ROLE_PERMISSIONS`` (the groups of existing biobanks are otherwise unchanged), or
when a group was damaged outside the portal (deleted, emptied, given a permission). Every repair is recorded in the
audit trail as ``role_group.sync`` by ``system:sync_roles``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from biobank.accounts.models import Biobank
from biobank.accounts.services import role_groups_repair

ACTOR = "system:sync_roles"


class Command(BaseCommand):
    help = "Bring every biobank's role groups (permissions and members) in line with its memberships (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = repaired = 0
        for biobank in Biobank.objects.order_by("code"):
            roles = role_groups_repair(actor=ACTOR, biobank=biobank)
            count += 1
            repaired += len(roles)
            state = f"repaired {', '.join(roles)}" if roles else "in sync"
            self.stdout.write(f"  {biobank.code}: role groups {state}")
        self.stdout.write(
            self.style.SUCCESS(f"Checked the role groups of {count} biobank(s); repaired {repaired} group(s).")
        )
