"""``manage.py verify_audit_chain [--from-checkpoint]``: prove the audit trail was not altered.

Exit status 0: intact. 1: tampering detected (the first broken entry and why are printed). 2: nothing to start from
(``--from-checkpoint`` without a checkpoint). The result is stored and shown on the auditor page.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from biobank.audit.services import audit_drain, audit_verification_run


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail against the signed checkpoints."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from-checkpoint",
            action="store_true",
            help="Start at the latest signed checkpoint instead of the first entry (fast, incremental).",
        )
        parser.add_argument(
            "--checkpoint-file",
            help="Checkpoint log to compare with (default: AUDIT_CHECKPOINT_PATH), e.g. a copy collected from syslog.",
        )
        parser.add_argument("--no-drain", action="store_true", help="Do not chain pending outbox events first.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_drain"]:
            audit_drain()
        try:
            result = audit_verification_run(
                actor="system:verify_audit_chain",
                from_checkpoint=options["from_checkpoint"],
                checkpoint_path=options["checkpoint_file"],
            )
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from error
        for note in result.notes:
            self.stderr.write(self.style.WARNING(f"Note: {note}."))
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"OK: {result.message} in {result.seconds:.2f} s."))
            return
        self.stdout.write(f"Verified {result.count} entries before the break.")
        where = f"seq {result.broken_seq}" if result.broken_seq is not None else "the checkpoint log"
        self.stderr.write(self.style.ERROR(f"TAMPERED at {where} ({result.reason}): {result.message}."))
        sys.exit(1)
