"""The one error of the SPREC engine: every problem of a code or a fact set at once, each with its place."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import AppRegistryNotReady, ImproperlyConfigured
from django.utils.translation import gettext


def _(message: str) -> str:
    """``gettext`` once Django is configured; the engine stays usable (in English) without settings."""
    try:
        return gettext(message)
    except (ImproperlyConfigured, AppRegistryNotReady):
        return message


@dataclass(frozen=True, slots=True)
class SprecProblem:
    """One invalid position of a code (``position``) or one fact out of range (``fact``), with what is allowed.

    ``position`` is 1 to 7, or ``None`` for the code as a whole (wrong number of elements, not a string); ``fact`` is
    the fact's name, with ``/`` between a fact and its part (``centrifugation/g_force``)."""

    message: str
    value: str
    position: int | None = None
    fact: str | None = None
    code: str = "invalid"

    @property
    def pointer(self) -> str:
        """JSON pointer (RFC 6901) of the problem: ``/code/3`` for a position, ``/centrifugation/g_force`` for a
        fact, ``/code`` for the code as a whole."""
        if self.fact is not None:
            return "/" + self.fact.replace("~", "~0")
        if self.position is not None:
            return f"/code/{self.position}"
        return "/code"


class SprecError(ValueError):
    """An invalid SPREC code or fact set; ``errors`` lists every problem (never just the first)."""

    def __init__(self, errors: list[SprecProblem]) -> None:
        self.errors = errors
        super().__init__(" ".join(error.message for error in errors))


def shown(value: object, limit: int = 40) -> str:
    """A value as it appears in a message: quoted, cut to ``limit`` characters (a partner may send megabytes)."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def kind_problem(kind: object) -> SprecProblem:
    message = _("The kind of sample is %(value)s; allowed: fluid, solid.") % {"value": shown(kind)}
    return SprecProblem(message, shown(kind), fact="kind", code="invalid_choice")
