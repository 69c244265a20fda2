"""Codes a FHIR ``Consent`` needs from the catalogue: a policy's coding (system + code) and a form's policy URI.

A FHIR ``Consent`` names each permission as ``provision.code`` = ``Coding(system, code)`` and the signed form version
as ``policy.uri`` (MII broad consent: system ``urn:oid:2.16.840.1.113883.3.1937.777.24.5.3``, codes
``2.16.840.1.113883.3.1937.777.24.5.3.8`` …; form version ``urn:oid:2.16.840.1.113883.3.1937.777.24.2.1790``). These
checks keep what is stored well-formed, so the FHIR export never has to guess or repair:

- a URI has a scheme (RFC 3986: a letter, then letters, digits, ``+ . -``, then ``:``) and no blanks;
- an OID is digits and dots, arcs without leading zeros, the first arc 0, 1 or 2 (ITU-T X.660);
- a ``urn:oid:`` URI (RFC 3001) carries a valid OID;
- a code has no blanks; a code that is digits and dots is an OID and must be a valid one.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from biobank.errors import DomainError

__all__ = ["coding_validate", "oid_is_valid", "uri_validate"]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
_OID = re.compile(r"^[0-2](?:\.(?:0|[1-9][0-9]*))+$")
_DOTTED = re.compile(r"^[0-9.]+$")
MAX_LENGTH = 200


def oid_is_valid(value: str) -> bool:
    return bool(_OID.match(value))


def uri_validate(value: str, *, field: str) -> str:
    """``value`` stripped if it is an absolute URI (``urn:oid:`` ones with a valid OID); empty stays empty."""
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) > MAX_LENGTH or not _SCHEME.match(text):
        raise DomainError(
            _(
                "%(text)s is not a URI: it needs a scheme and no blanks, e.g. "
                "urn:oid:2.16.840.1.113883.3.1937.777.24.5.3 or "
                "https://example.org/fhir/CodeSystem/consent-policy (at most 200 characters)."
            )
            % {"text": repr(text)},
            field=field,
            code="uri",
        )
    if text.lower().startswith("urn:oid:") and not oid_is_valid(text[8:]):
        raise DomainError(
            _(
                "%(text)s is not a valid urn:oid: URI: after urn:oid: comes an OID, digits separated "
                "by dots (no leading zeros, first arc 0, 1 or 2), e.g. "
                "urn:oid:2.16.840.1.113883.3.1937.777.24.5.3."
            )
            % {"text": repr(text)},
            field=field,
            code="oid",
        )
    return text


def coding_validate(system: str, code: str, *, system_field: str, code_field: str) -> tuple[str, str]:
    """A (system, code) pair, both or neither; the system a URI, the code without blanks (an OID if dotted)."""
    system = uri_validate(system, field=system_field)
    code = (code or "").strip()
    if bool(system) != bool(code):
        raise DomainError(
            _("Give both the code system (a URI) and the code in it, or neither."),
            field=code_field if system else system_field,
            code="required",
        )
    if code and (len(code) > MAX_LENGTH or re.search(r"\s", code)):
        raise DomainError(
            _("The code %(code)s may not contain blanks.") % {"code": repr(code)}, field=code_field, code="code"
        )
    if code and _DOTTED.match(code) and not oid_is_valid(code):
        raise DomainError(
            _(
                "The code %(code)s looks like an OID but is not a valid one: digits separated by "
                "single dots, no leading zeros, first arc 0, 1 or 2."
            )
            % {"code": repr(code)},
            field=code_field,
            code="oid",
        )
    return system, code
