"""The reason a steward states before seeing identifying data: one rule for every prompt that asks for it.

A reason is what an auditor reads later to judge whether a look at someone's identity was justified, so it must say
something: a zero-width space, "." or "asdf" tells the auditor nothing. Every steward prompt (identity page, lookup
by hospital ID or PID, document download, the API's identity read, the candidates of a possible duplicate) calls
``steward_reason_clean`` so the rule and its message are the same everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.utils.translation import gettext as _

from biobank.errors import DomainError

__all__ = ["REASON_MAX_LENGTH", "REASON_MIN_LETTERS", "REASON_MIN_WORDS", "steward_reason_clean"]

REASON_MIN_WORDS = 2
REASON_MIN_LETTERS = 10
REASON_MAX_LENGTH = 500
_WORD = re.compile(r"[^\W\d_]+")  # a run of letters (any script), no digits, no underscore


def _visible(text: str) -> str:
    """The text without format characters (zero-width space/joiners, BOM, bidi marks: category Cf), whitespace
    collapsed to single spaces."""
    return " ".join("".join(ch for ch in text if unicodedata.category(ch) != "Cf").split())


def steward_reason_clean(reason: Any, *, field: str = "reason", prompt: str = "") -> str:
    """The reason as it will be recorded (format characters removed, whitespace collapsed), or a ``DomainError``
    naming ``field``: a reason needs at least 2 words of letters and 10 letters in all, and at most 500 characters.

    ``prompt`` is the caller's sentence for an empty reason (e.g. "State why you need to see this identity").
    """
    text = _visible(reason) if isinstance(reason, str) else ""
    label = field.replace("_", " ").capitalize()
    if not text:
        message = prompt or _("State why you need to see identifying data")
        raise DomainError(
            _("%(label)s: %(message)s; the reason is recorded in the audit trail.")
            % {"label": label, "message": message},
            field=field,
            code="required",
        )
    if len(text) > REASON_MAX_LENGTH:
        raise DomainError(
            _("%(label)s: at most %(limit)d characters, got %(length)d.")
            % {"label": label, "limit": REASON_MAX_LENGTH, "length": len(text)},
            field=field,
            code="max_length",
        )
    words = _WORD.findall(text)
    if len(words) < REASON_MIN_WORDS or sum(len(word) for word in words) < REASON_MIN_LETTERS:
        raise DomainError(
            _(
                "%(label)s: say in words why you need this, at least %(words)d words and %(letters)d letters (e.g. "
                "“Recall for an incidental finding”); punctuation, digits or blanks alone say nothing to the auditor "
                "who reads it."
            )
            % {"label": label, "words": REASON_MIN_WORDS, "letters": REASON_MIN_LETTERS},
            field=field,
            code="too_short",
        )
    return text
