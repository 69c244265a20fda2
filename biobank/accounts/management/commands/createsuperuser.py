"""Django's ``createsuperuser``, with the new superuser recorded in the audit trail (issue 9, item 11).

The password policy is enforced by ``UserManager.create_superuser`` (issue 9, item 6), which Django's command calls.
Here the whole command runs in one transaction with its event: a superuser never exists without ``user.create``
naming who made it (``system:createsuperuser``, with the operating-system account in the details).
"""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.management.commands import createsuperuser
from django.db import transaction
from django.db.models.signals import post_save

from biobank.accounts.models import User
from biobank.audit.choices import AuditAction
from biobank.audit.services import audit_record

ACTOR = "system:createsuperuser"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for the uid (containers)
        return ""


class Command(createsuperuser.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        created: list[User] = []

        def collect(sender: type[User], instance: User, **kwargs: Any) -> None:
            if kwargs.get("created"):
                created.append(instance)

        # Django's command creates the user deep inside its handle(); listening only while it runs, in this
        # process, is the one way to learn which account it made without re-implementing the prompts.
        post_save.connect(collect, sender=User, weak=False, dispatch_uid="createsuperuser_audit")
        try:
            with transaction.atomic(using=options.get("database")):
                super().handle(*args, **options)
                for user in created:
                    audit_record(
                        actor=ACTOR,
                        action=AuditAction.USER_CREATE,
                        obj=user,
                        changes={
                            "email": [None, user.email],
                            "is_superuser": [None, user.is_superuser],
                            "is_staff": [None, user.is_staff],
                        },
                        details={"command": "createsuperuser", "os_user": _os_user()},
                    )
        finally:
            post_save.disconnect(sender=User, dispatch_uid="createsuperuser_audit")
