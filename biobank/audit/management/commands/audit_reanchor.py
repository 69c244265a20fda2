"""``manage.py audit_reanchor --reason "…"``: after a database restore, sign the restored chain's head as a new anchor.

Refused (exit 1, nothing written) when the chain verifies already, or is broken in a way a restore does not explain.
See ``biobank/audit/restore.py`` and docs/security.md ("After a restore").
"""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from biobank.audit.restore import ReanchorRefused, audit_reanchor
from biobank.errors import DomainError


class Command(BaseCommand):
    help = "After a restore: re-anchor the audit chain at its head (signed, reasoned, audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reason", required=True, help="Why: which restore, from which backup, when.")
        parser.add_argument(
            "--operator", default="", help="Who re-anchors (default: the operating-system user running the command)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        operator = options["operator"] or getpass.getuser()
        try:
            done = audit_reanchor(operator=operator, reason=options["reason"])
        except (ReanchorRefused, DomainError) as error:
            raise CommandError(str(error), returncode=1) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-anchored at seq {done.anchor.seq} (line {done.anchor.line_no or 'appended'}): checkpoints above "
                f"seq {done.after} set aside ({len(done.set_aside)}). Was: {done.before.reason} at seq "
                f"{done.before.broken_seq}."
            )
        )
        for note in done.after_result.notes:
            self.stdout.write(f"Note: {note}.")
        if not done.after_result.ok:
            raise CommandError(f"Verification after re-anchoring failed: {done.after_result.message}", returncode=1)
