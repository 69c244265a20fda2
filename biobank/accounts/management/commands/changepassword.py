"""Django's ``changepassword``, with the change recorded in the audit trail (issue 9, item 11).

Django's command validates the new password against ``AUTH_PASSWORD_VALIDATORS`` and saves it; here that runs in
one transaction with a ``user.password_change`` event by ``system:changepassword`` (the operating-system account in
the details). The password itself is never recorded.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management.commands import changepassword
from django.db import transaction

from biobank.accounts.management.audited import os_user, user_saves
from biobank.audit.choices import AuditAction
from biobank.audit.services import audit_record

ACTOR = "system:changepassword"


class Command(changepassword.Command):
    def handle(self, *args: Any, **options: Any) -> str | None:
        with transaction.atomic(using=options.get("database")), user_saves() as saved:
            message = super().handle(*args, **options)
            for user, _created in saved:
                audit_record(
                    actor=ACTOR,
                    action=AuditAction.USER_PASSWORD_CHANGE,
                    obj=user,
                    changes={"password": ["", ""]},
                    details={"command": "changepassword", "os_user": os_user()},
                )
        return message
