"""Duplicate detection at enrolment: name folding, Jaro-Winkler similarity and birth-date comparison.

Pure functions, no database: the registration service finds candidates by blind-indexed blocking keys, decrypts
only those, and asks ``compare`` whether the new identity and a candidate are possibly the same person.

**Rule** (documented in docs/consent-donors.md and tested in tests/consent/test_matching.py):

* *exact* — the same hospital ID or national ID (after ``normalise_identifier``), or the same folded full name and
  the same date of birth;
* *near* — a name score ≥ ``NAME_THRESHOLD`` (0.90) and a similar date of birth: the same date, day and month
  transposed (03/07 ↔ 07/03), or one mistyped or two swapped neighbouring digits in ``YYYYMMDD``;
* anything else is a different person.

The name score is ``0.6 x JW(family names) + 0.4 x JW(given names)`` on folded names (accents removed, case-folded,
punctuation as spaces), also computed with given and family names swapped (a form filled the wrong way round);
the better of the two counts. Jaro-Winkler with the standard prefix scale 0.1 and a prefix of at most 4.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date

NAME_THRESHOLD = 0.90
FAMILY_WEIGHT = 0.6
GIVEN_WEIGHT = 0.4

_TRANSLITERATE = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "þ": "th"})


def fold_name(value: str) -> str:
    """``"  Müller-Lüdenscheidt "`` → ``"muller ludenscheidt"``: NFKD without marks, case-folded, letters only."""
    text = unicodedata.normalize("NFKD", value or "").casefold().translate(_TRANSLITERATE)
    letters = "".join(
        char if char.isalpha() else " " for char in text if not unicodedata.combining(char) and char != "'"
    )
    return " ".join(letters.split())


def jaro(a: str, b: str) -> float:
    if a == b:
        return 1.0 if a else 0.0
    if not a or not b:
        return 0.0
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    a_matched = [False] * len(a)
    b_matched = [False] * len(b)
    matches = 0
    for i, char in enumerate(a):
        for j in range(max(0, i - window), min(len(b), i + window + 1)):
            if not b_matched[j] and b[j] == char:
                a_matched[i] = b_matched[j] = True
                matches += 1
                break
    if not matches:
        return 0.0
    a_chars = [c for c, m in zip(a, a_matched, strict=True) if m]
    b_chars = [c for c, m in zip(b, b_matched, strict=True) if m]
    transpositions = sum(x != y for x, y in zip(a_chars, b_chars, strict=True)) / 2
    return (matches / len(a) + matches / len(b) + (matches - transpositions) / matches) / 3


def jaro_winkler(a: str, b: str, *, prefix_scale: float = 0.1) -> float:
    """Jaro-Winkler similarity in [0, 1] (Winkler 1990): Jaro boosted by a common prefix of up to 4 characters."""
    similarity = jaro(a, b)
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return similarity + prefix * prefix_scale * (1 - similarity)


def name_score(given_a: str, family_a: str, given_b: str, family_b: str) -> float:
    """Weighted Jaro-Winkler of folded names; given and family names swapped on one side are tried too."""
    ga, fa, gb, fb = (fold_name(v) for v in (given_a, family_a, given_b, family_b))
    straight = FAMILY_WEIGHT * jaro_winkler(fa, fb) + GIVEN_WEIGHT * jaro_winkler(ga, gb)
    swapped = FAMILY_WEIGHT * jaro_winkler(fa, gb) + GIVEN_WEIGHT * jaro_winkler(ga, fb)
    return round(max(straight, swapped), 4)


def swap_day_month(day: date) -> date | None:
    """The date with day and month exchanged (07 March ↔ 03 July), or ``None`` if that is no date or the same."""
    if day.day > 12 or day.day == day.month:
        return None
    return day.replace(month=day.day, day=day.month)


def date_relation(a: date, b: date) -> str | None:
    """``"same"``, ``"transposed"`` (day ↔ month), ``"typo"`` (one digit, or two neighbours swapped) or ``None``."""
    if a == b:
        return "same"
    if swap_day_month(a) == b:
        return "transposed"
    x, y = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    differing = [i for i in range(8) if x[i] != y[i]]
    if len(differing) == 1:
        return "typo"
    if len(differing) == 2 and differing[1] == differing[0] + 1:
        i = differing[0]
        if x[i] == y[i + 1] and x[i + 1] == y[i]:
            return "typo"
    return None


@dataclass(frozen=True)
class Person:
    """What the comparison needs of an identity (plaintext, in memory only)."""

    given_names: str
    family_name: str
    date_of_birth: date
    hospital_id: str = ""
    national_id: str = ""
    sex: str = "unknown"


_KNOWN_SEXES = {"female", "male"}


@dataclass(frozen=True)
class Match:
    """Why a candidate is a possible duplicate; stored with the review without any identifying value."""

    kind: str  # "exact" or "near"
    score: float
    reasons: dict[str, str] = field(default_factory=dict)


def _identifier_equal(a: str, b: str) -> bool | None:
    from .vault_crypto import normalise_identifier

    if not a or not b:
        return None
    return normalise_identifier(a) == normalise_identifier(b)


def compare(new: Person, existing: Person) -> Match | None:
    """A ``Match`` if ``existing`` is possibly ``new`` (see the module docstring), else ``None``."""
    score = name_score(new.given_names, new.family_name, existing.given_names, existing.family_name)
    dates = date_relation(new.date_of_birth, existing.date_of_birth)
    reasons: dict[str, str] = {}
    hospital = _identifier_equal(new.hospital_id, existing.hospital_id)
    national = _identifier_equal(new.national_id, existing.national_id)
    for label, equal in (("hospital_id", hospital), ("national_id", national)):
        reasons[label] = "missing" if equal is None else ("equal" if equal else "different")
    same_name = fold_name(f"{new.given_names} {new.family_name}") == fold_name(
        f"{existing.given_names} {existing.family_name}"
    )
    reasons["name"] = "equal" if same_name else ("similar" if score >= NAME_THRESHOLD else "different")
    reasons["date_of_birth"] = dates or "different"
    if hospital or national or (same_name and dates == "same"):
        return Match("exact", score, reasons)
    sexes_differ = new.sex in _KNOWN_SEXES and existing.sex in _KNOWN_SEXES and new.sex != existing.sex
    if score >= NAME_THRESHOLD and dates is not None and not sexes_differ:
        return Match("near", score, reasons)
    return None
