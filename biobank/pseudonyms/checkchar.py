"""The pseudonym alphabet and its check character (Damm's algorithm over a quasigroup of order 32).

Alphabet: Crockford base32, ``0-9 A-Z`` without ``I L O U`` — no pair a person confuses when reading a label aloud
or retyping it. Reading is lenient the way Crockford specifies: lower case is upper-cased, ``O`` reads as ``0``,
``I`` and ``L`` as ``1``, hyphens and spaces are ignored. ``U`` stays invalid.

Check character: H. Michael Damm (2004) showed that in a field GF(q) the operation ``x ∘ y = a·x + y`` with
``a ∉ {0, 1}`` is a totally anti-symmetric quasigroup: ``(c∘x)∘y = (c∘y)∘x`` implies ``x = y`` because
``a·x + y = a·y + x`` gives ``(a+1)·(x-y) = 0``. Running ``interim = interim ∘ d`` from 0 over the symbols and
appending ``c`` with ``interim ∘ c = 0`` therefore detects every single-character substitution and every
transposition of adjacent, distinct characters (the check character included). Here q = 32 = 2⁵, field
polynomial x⁵ + x² + 1, a = x (the element 2), and addition is XOR.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from biobank.errors import DomainError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DATA_LENGTH = 10
LENGTH = DATA_LENGTH + 1
GROUP = 5  # displayed as ABCDE-FGHJK-M

_FIELD_POLY = 0b100101  # x^5 + x^2 + 1, primitive over GF(2)
_A = 2  # the multiplier a of x∘y = a·x + y; any a ∉ {0, 1} works

VALUE = {char: index for index, char in enumerate(ALPHABET)}
for _alias, _char in {"O": "0", "I": "1", "L": "1"}.items():
    VALUE[_alias] = VALUE[_char]


def gf32_mul(x: int, y: int) -> int:
    """Multiplication in GF(32) (carry-less, reduced by the field polynomial)."""
    product = 0
    while y:
        if y & 1:
            product ^= x
        y >>= 1
        x <<= 1
        if x & 0b100000:
            x ^= _FIELD_POLY
    return product


# The quasigroup as a 32 by 32 table, row = interim, column = symbol: TABLE[i][d] = a·i XOR d.
TABLE: tuple[tuple[int, ...], ...] = tuple(tuple(gf32_mul(_A, i) ^ d for d in range(32)) for i in range(32))


def damm_interim(values: list[int] | tuple[int, ...]) -> int:
    interim = 0
    for value in values:
        interim = TABLE[interim][value]
    return interim


def check_value(values: list[int] | tuple[int, ...]) -> int:
    """The symbol c with interim ∘ c = 0, i.e. c = a·interim (XOR is its own inverse)."""
    return gf32_mul(_A, damm_interim(values))


def check_char(data: str) -> str:
    """The check character of ``data`` (canonical alphabet characters only)."""
    return ALPHABET[check_value([VALUE[char] for char in data])]


def is_valid(canonical: str) -> bool:
    """True if the full canonical string (data + check) runs to interim 0."""
    return damm_interim([VALUE[char] for char in canonical]) == 0


def display(canonical: str) -> str:
    """``ABCDEFGHJKM`` → ``ABCDE-FGHJK-M`` for labels and screens; both forms are accepted on input."""
    return "-".join(canonical[i : i + GROUP] for i in range(0, len(canonical), GROUP))


def normalise(text: str) -> str:
    """Upper-case, drop hyphens and whitespace, read O as 0 and I/L as 1 (does not validate)."""
    cleaned = "".join(text.split()).replace("-", "").upper()
    return cleaned.translate(str.maketrans("OIL", "011"))


def pseudonym_validate(text: str) -> str:
    """Return the canonical form of a typed pseudonym or raise a ``DomainError`` saying what is wrong.

    The order of the checks follows what a person can fix: foreign characters, then the length, then the check
    character (which then almost always means one mistyped or two swapped characters).
    """
    if not isinstance(text, str) or not text.strip():
        raise DomainError(_("Enter a pseudonym."), field="pseudonym", code="required")
    canonical = normalise(text)
    foreign = sorted({char for char in canonical if char not in VALUE})
    if foreign:
        raise DomainError(
            _(
                "The pseudonym %(strip)s contains characters outside the alphabet: %(foreign)s "
                "(allowed: %(alphabet)s; hyphens and spaces are ignored)."
            )
            % {"strip": repr(text.strip()), "foreign": " ".join(foreign), "alphabet": ALPHABET},
            field="pseudonym",
            code="alphabet",
        )
    if len(canonical) != LENGTH:
        raise DomainError(
            _(
                "The pseudonym %(strip)s must be %(length)s characters, got %(canonical)s (hyphens "
                "and spaces are not counted)."
            )
            % {"strip": repr(text.strip()), "length": LENGTH, "canonical": len(canonical)},
            field="pseudonym",
            code="length",
        )
    if not is_valid(canonical):
        raise DomainError(
            _(
                "The pseudonym %(strip)s is not valid: the check character does not match: probably "
                "a mistyped character or two swapped neighbours."
            )
            % {"strip": repr(text.strip())},
            field="pseudonym",
            code="check_character",
        )
    return canonical
