"""``manage.py vault_rotate``: re-encrypt the identity vault under the current encryption key, in batches.

Run it after ``manage.py keys_add ENCRYPTION_KEY_FILE`` appended a key. It can be interrupted and run again (rows
already under the current key are skipped); remove the old key from the file only after it reports 0 rows.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from consent.services import ROTATE_BATCH, identity_vault_rotate


class Command(BaseCommand):
    help = "Re-encrypt the identity vault (and pending registrations) under the current encryption key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=ROTATE_BATCH, help="Rows per transaction.")

    def handle(self, *args: Any, **options: Any) -> None:
        changed = identity_vault_rotate(actor="system:vault-rotate", batch_size=options["batch_size"])
        noun = "vault row" if changed == 1 else "vault rows"
        self.stdout.write(f"Re-encrypted {changed} {noun} under the current key.")
