"""Disease codes for DUO DS ("disease-specific research"): ICD-10 or ORPHA, checked and written one way.

A DS restriction is only as good as the disease it names, and the gate compares diseases as text: ``E11.9``,
``e119`` and ``ICD-10:E11.9`` must be one value, or a DS purpose would miss the policy it should match. So every
disease code that is stored or asked about goes through :func:`disease_normalise` first (policies in the catalogue,
the ``disease`` parameter of the consent API).

Accepted, case-insensitive, surrounding blanks ignored:

=========================  ==============  =========================================================
input                      stored as       why
=========================  ==============  =========================================================
``E11``                    ``E11``         ICD-10 category (letter, two digits)
``E11.9`` / ``E119``       ``E11.9``       ICD-10 subcategory; the dot is written, as in ICD-10 lists
``ICD-10:E11.9``           ``E11.9``       the prefix only says which classification it is
``E11.90``                 ``E11.90``      ICD-10-GM adds a fifth character
``ORPHA:558``              ``ORPHA:558``   Orphanet rare disease (digits)
``Orphanet:558``           ``ORPHA:558``   the Orphanet nomenclature's own prefix is ``ORPHA``
=========================  ==============  =========================================================

Anything else (MONDO, free text, ``E1``, ``ORPHA:x``) is refused with a message naming the field. Only the format is
checked, not whether the code exists in a given ICD-10 or Orphanet release. No dependency beyond the domain error,
so the API and the catalogue can both import it.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from biobank.errors import DomainError

__all__ = ["disease_normalise"]

_ICD10 = re.compile(r"^(?:ICD-?10(?:-GM)?:)?([A-Z][0-9]{2})(?:\.?([0-9]{1,2}))?$")
_ORPHA = re.compile(r"^(?:ORPHA|ORPHANET):0*([1-9][0-9]{0,6})$")


def disease_normalise(value: str, *, field: str) -> str:
    """``value`` as the one stored form (``E11.9`` or ``ORPHA:558``), or a ``DomainError`` on ``field``."""
    text = re.sub(r"\s+", "", value or "").upper()
    if not text:
        raise DomainError(
            _("Give the disease as an ICD-10 code (e.g. E11 or E11.9) or an Orphanet code (e.g. ORPHA:558)."),
            field=field,
            code="required",
        )
    if match := _ICD10.match(text):
        category, detail = match.groups()
        return f"{category}.{detail}" if detail else category
    if match := _ORPHA.match(text):
        return f"ORPHA:{match.group(1)}"
    raise DomainError(
        _(
            "%(strip)s is not a disease code: give an ICD-10 code (a letter and two digits, "
            "optionally a dot and one or two digits, e.g. E11 or E11.9, optionally prefixed ICD-10:) "
            "or an Orphanet code (ORPHA: and digits, e.g. ORPHA:558)."
        )
        % {"strip": repr(value.strip())},
        field=field,
        code="disease",
    )
