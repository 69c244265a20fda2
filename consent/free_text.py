"""Free text that becomes permanent history is checked for identifiers before it is written.

Reasons and notes end up in append-only tables and in the audit chain, which are kept for decades, read by auditors
and exported; a donor's name or date of birth typed there would be identity outside the vault for good. So
``free_text_check`` refuses text containing a date, a long number (hospital ID, phone, insurance number), an e-mail
address or a phone number — and, when the donor is known, any of that donor's own names and identifiers from the
vault (given and family names, hospital and national ID, e-mail, phone, date of birth, and the names typed on their
consents), matched case- and accent-insensitively as whole words. The refusal names the field and what kind of
value was found; it does not repeat a value from the vault.

Where it applies: donor merge reasons, duplicate review notes, QC rejection notes, and (called by the withdrawal and
invalidation services) withdrawal and invalidation reasons. A steward's reason for reading an identity or a
document is *not* checked: it is about the reader (a ticket number and the date of a request are normal there),
and the person writing it may see the identity anyway.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from django.utils.translation import gettext as _

from biobank.errors import DomainError

__all__ = ["free_text_check"]

_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|september|"
    "october|november|december|januar|februar|marz|mai|juni|juli|oktober|dezember|jan\\.|feb\\.|mar\\.|apr\\.|"
    "jun\\.|jul\\.|aug\\.|sep\\.|okt|okt\\.|oct\\.|nov\\.|dez|dez\\.|dec\\."
)
# Checked on the folded text (lower case, accents removed): ``März`` is ``marz`` there.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an e-mail address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("a date", re.compile(r"(?<!\d)\d{4}-\d{1,2}-\d{1,2}(?!\d)")),
    ("a date", re.compile(r"(?<!\d)\d{1,2}\s?[./-]\s?\d{1,2}\s?[./-]\s?(?:\d{4}|\d{2})(?!\d)")),
    ("a date", re.compile(rf"(?<!\d)\d{{1,2}}\.?\s+(?:{_MONTHS})\s+\d{{2,4}}(?!\d)")),
    ("a date", re.compile(rf"\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}(?!\d)")),
    ("a phone number", re.compile(r"(?<![\w+])\+\d[\d ()/.-]{5,}\d")),
    ("a long number", re.compile(r"(?<!\d)\d(?:[ ./-]?\d){5,}(?!\d)")),
)


def _fold(value: str) -> str:
    """Lower case without accents, whitespace collapsed: 'Müller' and 'MULLER' fold alike."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def _contains_word(folded_text: str, needle: str) -> bool:
    folded = _fold(needle)
    if len(folded) < 2:
        return False
    pattern = r"\s+".join(re.escape(part) for part in folded.split())
    return re.search(rf"(?<!\w){pattern}(?!\w)", folded_text) is not None


def _dates(value: date) -> list[str]:
    return [value.isoformat(), f"{value.day}.{value.month}.{value.year}", f"{value:%d.%m.%Y}", f"{value:%d/%m/%Y}"]


def _donor_values(donor) -> Iterable[tuple[str, str]]:
    """(what, value) for the donor's vault values and the names on their consents; merged donors included."""
    from .documents import signature_values
    from .models import Consent, Donor, IdentityRecord
    from .services.donors import identity_of

    family = {donor.pk}
    frontier = {donor.pk}
    while frontier:  # the merge family, both directions (small: a handful of records per person)
        linked = Donor.objects.filter(pk__in=frontier).values_list("merged_into_id", flat=True)
        merged_in = Donor.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True)
        frontier = ({pk for pk in linked if pk} | set(merged_in)) - family
        family |= frontier
    for record in IdentityRecord.objects.filter(donor_id__in=family).select_related("donor"):
        yield from _identity_values(identity_of(record))
    for consent in Consent.objects.filter(donor_id__in=family).select_related("donor"):
        signature = signature_values(consent)
        for what, name in (
            ("the name signed on a consent", signature.signer_name),
            ("the name of the donor's representative", signature.representative_name),
        ):
            for part in re.split(r"[\s-]+", name):
                if len(part) > 2:
                    yield what, part


def _identity_values(identity) -> Iterable[tuple[str, str]]:  # a services.donors.IdentityInput
    for part in re.split(r"[\s-]+", identity.given_names):
        yield "one of the donor's given names", part
    yield "the donor's family name", identity.family_name
    for part in re.split(r"[\s-]+", identity.family_name):
        yield "the donor's family name", part
    for what, value in (
        ("the donor's hospital ID", identity.hospital_id),
        ("the donor's national ID", identity.national_id),
        ("the donor's e-mail address", identity.email),
        ("the donor's phone number", identity.phone),
    ):
        if value:
            yield what, value
    for text in _dates(identity.date_of_birth):
        yield "the donor's date of birth", text


def free_text_check(text: str, *, field: str = "reason", donor=None, identity=None) -> str:
    """``text`` stripped, or a ``DomainError`` on ``field`` saying what identifying value it contains.

    ``donor`` (a ``Donor``), when given, adds that donor's own names and identifiers from the vault; ``identity``
    (an ``IdentityInput``, e.g. a registration held for review) adds those values.
    """
    text = (text or "").strip()
    if not text:
        return text
    folded = _fold(text)
    label = field.replace("_", " ").capitalize()
    for what, pattern in _PATTERNS:
        if pattern.search(folded):
            raise DomainError(
                _(
                    "%(label)s: contains %(what)s. Reasons and notes are kept for good and must not "
                    "identify anyone: leave out names, dates, e-mail addresses, phone and ID numbers."
                )
                % {"label": label, "what": what},
                field=field,
                code="identifying_text",
            )
    if donor is not None or identity is not None:
        own = _donor_values(donor) if donor is not None else ()
        for what, value in [*own, *(_identity_values(identity) if identity is not None else ())]:
            if _contains_word(folded, value):
                raise DomainError(
                    _(
                        "%(label)s: contains %(what)s. Reasons and notes are kept for good and must "
                        "not identify the donor: describe what happened without names or identifiers."
                    )
                    % {"label": label, "what": what},
                    field=field,
                    code="identifying_text",
                )
    return text
