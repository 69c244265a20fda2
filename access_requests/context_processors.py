"""``notifications_unread`` for templates: the signed-in person's unread count, counted only if a template uses it."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from .selectors import notifications_unread_count


class UnreadCount:
    """Counts on first use (``{{ notifications_unread }}``, ``{% if notifications_unread %}``), once per page."""

    def __init__(self, user: Any) -> None:
        self.user = user

    @cached_property
    def value(self) -> int:
        return notifications_unread_count(user=self.user)

    def __int__(self) -> int:
        return self.value

    def __bool__(self) -> bool:
        return self.value > 0

    def __str__(self) -> str:
        return str(self.value)

    def __eq__(self, other: object) -> bool:
        return self.value == other

    __hash__ = None  # type: ignore[assignment]


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": UnreadCount(user)}
