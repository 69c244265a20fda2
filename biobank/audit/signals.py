"""Sign-in events from Django's auth signals (connected in ``AuditConfig.ready``).

Only recording happens here — no business rules. Each handler opens its own small transaction: the login view
itself runs in autocommit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .choices import AuditAction
from .services import audit_record, mask_value


def _session_details(request: Any) -> dict[str, Any] | None:
    if request is None:
        return None
    return {"path": request.path[:2000], "method": request.method}


def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        audit_record(actor=user, action=AuditAction.AUTH_LOGIN, obj=user, details=_session_details(request))


def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:  # logging out without being logged in changes nothing
        return
    details = _session_details(request)
    reason = getattr(request, "signout_reason", None)  # set by accounts' SessionTimeoutMiddleware
    if details is not None and reason:
        details["reason"] = reason
    with transaction.atomic():
        audit_record(actor=user, action=AuditAction.AUTH_LOGOUT, obj=user, details=details)


def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    """The attempted e-mail is kept masked; the account it names (if any) becomes the object of the event."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser

    attempted = str(credentials.get("email") or credentials.get("username") or "").strip().lower()
    details = _session_details(request) or {}
    details["attempted_email"] = mask_value(attempted)
    account = get_user_model().objects.filter(email__iexact=attempted).values_list("pk", flat=True).first()
    with transaction.atomic():
        audit_record(
            actor=AnonymousUser(),
            action=AuditAction.AUTH_LOGIN_FAILED,
            object_type="accounts.user",
            object_id=account,
            details=details,
        )
