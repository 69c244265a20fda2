"""What of the facts may be shown, and how: k-anonymity and Sample-Locator-style obfuscation.

- A row with 0 < donors < ``K_ANONYMITY`` is never published (zero rows are kept: "none" reveals nobody).
- Public and researcher views show counts obfuscated as the Sample Locator does: 0 → 0, 1-9 → 10, otherwise rounded
  to the nearest 10 (halves up, so 15 → 20 and 25 → 30). The same value always gives the same answer, so repeating a
  query or comparing two pages reveals nothing more. (The Locator also adds Laplace noise before rounding; we do not:
  a deterministic rounding of a k-anonymous row is what the issue asks, and noise would make marginals disagree.)
- Staff of the collection's biobank see exact numbers.
"""

from __future__ import annotations

K_ANONYMITY = 10


def publishable(number_of_donors: int) -> bool:
    """May a fact row with this many donors be shown outside the biobank? (0, or at least ``K_ANONYMITY``.)"""
    return number_of_donors == 0 or number_of_donors >= K_ANONYMITY


def obfuscate(count: int) -> int:
    """0 → 0; 1-9 → 10; otherwise the nearest multiple of 10 (halves rounded up)."""
    if count <= 0:
        return 0
    if count < 10:
        return 10
    return (count + 5) // 10 * 10


def shown_count(count: int, *, exact: bool) -> int:
    return count if exact else obfuscate(count)
