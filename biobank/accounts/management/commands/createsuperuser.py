"""Django's ``createsuperuser``, with the new superuser recorded in the audit trail (issue 9, item 11).

The password policy is enforced by ``UserManager.create_superuser`` (issue 9, item 6), which Django's command calls.
Here the whole command runs in one transaction with its event: a superuser never exists without a ``user.create``
event naming who made it (``system:createsuperuser``, with the operating-system account in the details).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management.commands import createsuperuser
from django.db import transaction

from biobank.accounts.management.audited import os_user, user_saves
from biobank.audit.choices import AuditAction
from biobank.audit.services import audit_record

ACTOR = "system:createsuperuser"


class Command(createsuperuser.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic(using=options.get("database")), user_saves() as saved:
            super().handle(*args, **options)
            for user, created in saved:
                if created:
                    audit_record(
                        actor=ACTOR,
                        action=AuditAction.USER_CREATE,
                        obj=user,
                        changes={
                            "email": [None, user.email],
                            "is_superuser": [None, user.is_superuser],
                            "is_staff": [None, user.is_staff],
                        },
                        details={"command": "createsuperuser", "os_user": os_user()},
                    )
