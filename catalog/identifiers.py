"""BBMRI-ERIC identifiers: the patterns of the Directory's staging model, checked before anything is stored.

Patterns (catalog/data provenance: the Directory's staging model ``molgenis.csv``): a biobank is
``bbmri-eric:ID:<CC>_<local>``, a collection ``<biobank id>:collection:<local>``, a person
``bbmri-eric:contactID:<CC>_<local>``, a network ``bbmri-eric:networkID:<CC|EU>_<local>``, a research resource
(the Directory's study) ``bbmri-eric:studyID:<CC>_<local>`` and a fact ``bbmri-eric:factID:<CC>_<local>``.
Allowed characters are ASCII letters, digits, ``_``, ``-`` and ``:``; ``::`` is refused (it would make the parts
ambiguous), and the biobank part of a collection ID may not contain ``:`` (the Directory cannot store collections of
such a biobank). ``<CC>`` is the national node: two capital letters, or ``EU`` for the ERIC itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LOCAL = r"[A-Za-z0-9_:-]+"


@dataclass(frozen=True)
class IdKind:
    name: str
    prefix: str
    example: str

    @property
    def regex(self) -> re.Pattern[str]:
        return re.compile(rf"^{re.escape(self.prefix)}(?P<node>[A-Z]{{2}})_(?P<local>{LOCAL})$")


BIOBANK = IdKind("biobank", "bbmri-eric:ID:", "bbmri-eric:ID:DE_ukrm")
PERSON = IdKind("person", "bbmri-eric:contactID:", "bbmri-eric:contactID:DE_ukrm_1")
NETWORK = IdKind("network", "bbmri-eric:networkID:", "bbmri-eric:networkID:EU_cebn")
STUDY = IdKind("research resource", "bbmri-eric:studyID:", "bbmri-eric:studyID:DE_ukrm_crc")
FACT = IdKind("fact", "bbmri-eric:factID:", "bbmri-eric:factID:DE_ukrm_crc_1")
COLLECTION_RE = re.compile(
    r"^(?P<biobank>bbmri-eric:ID:(?P<node>[A-Z]{2})_[A-Za-z0-9_-]+):collection:(?P<local>[A-Za-z0-9_:-]+)$"
)
_ALLOWED_TEXT = "letters A-Z and a-z, digits, '_', '-' and ':' (never '::')"


def _fail(kind: str, value: str, example: str) -> ValidationError:
    return ValidationError(
        _("%(value)r is not a valid BBMRI-ERIC %(kind)s ID: write it like %(example)s, using %(allowed)s.")
        % {"value": value, "kind": kind, "example": example, "allowed": _ALLOWED_TEXT},
        code="invalid_id",
    )


def validate_id(kind: IdKind, value: str) -> str:
    """Raise ``ValidationError`` unless ``value`` is an ID of ``kind``; return the national node code."""
    match = kind.regex.fullmatch(value or "")  # fullmatch: "$" alone would let a trailing newline through
    if match is None or "::" in value:
        raise _fail(kind.name, value, kind.example)
    return match["node"]


def validate_collection_id(value: str, *, biobank_id: str | None = None) -> str:
    """A collection ID, which must start with its biobank's ID when that is known; return the local part."""
    match = COLLECTION_RE.fullmatch(value or "")
    if match is None or "::" in value:
        raise _fail(_("collection"), value, "bbmri-eric:ID:DE_ukrm:collection:crc")
    if biobank_id is not None and match["biobank"] != biobank_id:
        raise ValidationError(
            _("The collection ID %(value)r must start with its biobank's ID %(biobank)r followed by ':collection:'.")
            % {"value": value, "biobank": biobank_id},
            code="invalid_id",
        )
    return match["local"]


def biobank_id_validator(value: str) -> None:
    validate_id(BIOBANK, value)


def person_id_validator(value: str) -> None:
    validate_id(PERSON, value)


def network_id_validator(value: str) -> None:
    validate_id(NETWORK, value)


def study_id_validator(value: str) -> None:
    validate_id(STUDY, value)


def collection_id_validator(value: str) -> None:
    validate_collection_id(value)
