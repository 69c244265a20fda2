"""The pure computation of pseudonyms: keyed HMAC → 10 alphabet characters → Damm check character.

No Django and no database here, so the benchmark measures exactly this and the services call exactly this.

``pseudonym = render(HMAC-SHA256(domain_key, subject))`` where ``domain_key = HKDF-SHA256(master key, info = domain
code ‖ key version)``: one master key in PSEUDONYM_KEY_FILE yields an independent key per domain and version, so
two release domains cannot be linked and a new version shares nothing with the old one. The first 50 bits of the
MAC become ten base32 characters; the check character is appended.

HMAC is computed from precomputed inner and outer SHA-256 states (RFC 2104: the key XOR ipad/opad blocks are
hashed once per domain key, not once per identifier); the result is the standard HMAC-SHA256, which
``tests/pseudonyms/test_engine.py`` checks against ``hmac.digest``. With OpenSSL's one-shot HMAC the key set-up
costs as much as the MAC itself for short identifiers.

The rendering avoids per-character work: the 50 bits are cut into five 10-bit chunks, each chunk is two characters
(a 1024-entry table), and because the Damm check of x∘y = a·x + y is linear over GF(2), the check symbol is the XOR
of one precomputed contribution per chunk (five more lookups). ``tests/pseudonyms/test_checkchar.py`` proves the
tables equal the plain Damm computation.
"""

from __future__ import annotations

from collections.abc import Iterable
from hashlib import sha256

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .checkchar import _A, ALPHABET, DATA_LENGTH, gf32_mul

_HKDF_SALT = b"biobank-portal/pseudonym-domain/v1"

# PAIR[v] renders a 10-bit chunk as two characters.
PAIR: tuple[str, ...] = tuple(ALPHABET[v >> 5] + ALPHABET[v & 31] for v in range(1024))


def _power(k: int) -> int:
    result = 1
    for _ in range(k):
        result = gf32_mul(result, _A)
    return result


# Starting from 0, interim after d1..dn is XOR of a^(n-k)·d_k, and the check symbol c = a·interim, so
# c = XOR over k of a^(n+1-k)·d_k. CONTRIB[j][v] is the share of chunk j (characters 2j+1 and 2j+2).
CONTRIB: tuple[tuple[int, ...], ...] = tuple(
    tuple(
        gf32_mul(_power(DATA_LENGTH - 2 * j), v >> 5) ^ gf32_mul(_power(DATA_LENGTH - 2 * j - 1), v & 31)
        for v in range(1024)
    )
    for j in range(DATA_LENGTH // 2)
)


def domain_key(master: bytes, *, domain_code: str, version: int) -> bytes:
    """The HMAC key of one domain and key version, derived from a master key (never stored anywhere)."""
    info = f"{domain_code}\x00{version}".encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=info).derive(master)


_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


def hmac_states(key: bytes) -> tuple[object, object]:
    """The SHA-256 states after absorbing ``key XOR ipad`` and ``key XOR opad`` (RFC 2104, block size 64)."""
    if len(key) > 64:
        key = sha256(key).digest()
    block = key.ljust(64, b"\0")
    return sha256(block.translate(_IPAD)), sha256(block.translate(_OPAD))


def render(digest: bytes) -> str:
    """The first 50 bits of ``digest`` as ten alphabet characters plus the check character."""
    n = int.from_bytes(digest[:8], "big")
    c0, c1, c2, c3, c4 = n >> 54, (n >> 44) & 1023, (n >> 34) & 1023, (n >> 24) & 1023, (n >> 14) & 1023
    k0, k1, k2, k3, k4 = CONTRIB
    return f"{PAIR[c0]}{PAIR[c1]}{PAIR[c2]}{PAIR[c3]}{PAIR[c4]}{ALPHABET[k0[c0] ^ k1[c1] ^ k2[c2] ^ k3[c3] ^ k4[c4]]}"


class Pseudonymiser:
    """Pseudonyms of one domain and key version. ``subject`` is an opaque reference (no NUL character)."""

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes) -> None:
        self._inner, self._outer = hmac_states(key)

    def __repr__(self) -> str:
        return "<Pseudonymiser>"

    def mac(self, message: bytes) -> bytes:
        """HMAC-SHA256(key, message), from the precomputed states."""
        inner = self._inner.copy()  # type: ignore[attr-defined]
        inner.update(message)
        outer = self._outer.copy()  # type: ignore[attr-defined]
        outer.update(inner.digest())
        return outer.digest()

    def __call__(self, subject: str, attempt: int = 0) -> str:
        """``attempt`` > 0 derives the next candidate after a (very rare, ~2⁻⁵⁰ per pair) collision."""
        message = subject.encode() if not attempt else f"{subject}\x00{attempt}".encode()
        return render(self.mac(message))

    def many(self, subjects: Iterable[str]) -> list[str]:
        """The same as ``[self(s) for s in subjects]``, with everything bound locally (the bulk hot path)."""
        inner_copy, outer_copy = self._inner.copy, self._outer.copy  # type: ignore[attr-defined]
        pair, alphabet = PAIR, ALPHABET
        k0, k1, k2, k3, k4 = CONTRIB
        from_bytes = int.from_bytes
        out: list[str] = []
        append = out.append
        for subject in subjects:
            inner = inner_copy()
            inner.update(subject.encode())
            outer = outer_copy()
            outer.update(inner.digest())
            n = from_bytes(outer.digest()[:8], "big")
            c0, c1, c2, c3, c4 = n >> 54, (n >> 44) & 1023, (n >> 34) & 1023, (n >> 24) & 1023, (n >> 14) & 1023
            check = alphabet[k0[c0] ^ k1[c1] ^ k2[c2] ^ k3[c3] ^ k4[c4]]
            append(f"{pair[c0]}{pair[c1]}{pair[c2]}{pair[c3]}{pair[c4]}{check}")
        return out
