"""``manage.py keys_add encryption|pseudonym [--id ID]``: append a new current key to a key file (rotation step 1).

Step 2 is re-encrypting the vault (``consent.vault_crypto.vault_rotate``) or rotating pseudonym domains
(``biobank.pseudonyms.services.domain_rotate_key``). The key itself is never printed; back the file up.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from biobank.crypto.keys import ENCRYPTION, PSEUDONYM, append_key, keyring

FILES = {"encryption": ENCRYPTION, "pseudonym": PSEUDONYM}


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", choices=sorted(FILES), help="which key file")
        parser.add_argument("--id", dest="key_id", default=None, help="key id (default: k + 8 random hex digits)")

    def handle(self, *args: Any, file: str, key_id: str | None, **options: Any) -> None:
        setting = FILES[file]
        try:
            new_id = append_key(setting, key_id)
        except ValueError as error:
            raise CommandError(str(error)) from None
        ring = keyring(setting)
        self.stdout.write(f"Added key {new_id} to {ring.path}; it is now current (keys: {', '.join(ring.key_ids)}).")
        self.stdout.write("Back the file up now: without it, data under this key cannot be read.")
