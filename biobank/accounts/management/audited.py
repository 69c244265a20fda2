"""What Django's own user commands (``createsuperuser``, ``changepassword``) saved, so the overrides can record it.

Both commands write the user deep inside their ``handle()`` after prompting; listening to ``post_save`` of ``User``
while the command runs — in this process only, connected and disconnected around the call — is the one way to learn
which account changed without re-implementing Django's prompts.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models.signals import post_save

from biobank.accounts.models import User


@contextmanager
def user_saves() -> Iterator[list[tuple[User, bool]]]:
    """Collects ``(user, created)`` for every ``User`` saved in the block."""
    saved: list[tuple[User, bool]] = []

    def collect(sender: type[User], instance: User, created: bool = False, **kwargs: Any) -> None:
        saved.append((instance, created))

    uid = f"audited-user-command-{id(saved)}"
    post_save.connect(collect, sender=User, weak=False, dispatch_uid=uid)
    try:
        yield saved
    finally:
        post_save.disconnect(sender=User, dispatch_uid=uid)


def os_user() -> str:
    """The operating-system account running the command (recorded beside the system actor), or ``""``."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for the uid (containers)
        return ""
