"""Who may sign and who stands beside the signature: the minor rule, the witness, the informing person and place.

Checks shared by on-screen capture and scan upload (``consent.services.consents``); they read, never write.

- **A minor cannot sign alone.** Whether the donor is under ``settings.CONSENT_AGE_OF_MAJORITY`` (18) on the signing
  date is decided from the date of birth in the identity vault — decrypted for this comparison only, never shown,
  logged or audited. Without a vault date, the donor's year (and month) of birth decide, and only when the answer is
  certain: a donor counts as a minor if they would be under age even if born on the first possible day.
- **The witness** is a staff member of the biobank (the person recording, unless another active member is named).
- **The informing person** (a staff member of the biobank) and **the place** of the information are on every new
  consent, on screen and on paper: the record of an informed consent says who informed the donor, and where.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from biobank.accounts.models import User
from biobank.errors import DomainError

from ..choices import RepresentativeLegalBasis
from ..models import Donor, IdentityRecord
from ..vault_crypto import vault_get

PLACE_MAX_LENGTH = 200


def _age_on(born: date, on: date) -> int:
    """Completed years on ``on`` (someone born on 29 February completes a year at the end of 28 February)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def donor_is_minor(donor: Donor, *, on: date) -> bool:
    """Whether ``donor`` is certainly under the age of majority on ``on`` (see the module docstring)."""
    majority = settings.CONSENT_AGE_OF_MAJORITY
    record = IdentityRecord.objects.filter(donor=donor).first()
    text = vault_get(record, "date_of_birth") if record is not None else None
    if text:
        return _age_on(date.fromisoformat(text), on) < majority
    if donor.birth_year is None:
        return False  # undecidable: nothing says the donor is a minor
    earliest = date(donor.birth_year, donor.birth_month or 1, 1)
    return _age_on(earliest, on) < majority


def check_representation(
    *, donor: Donor, signed_on: date, representative_name: str, representative_relation: str, legal_basis: str
) -> str:
    """The legal basis (checked); a minor needs a representative with name, relation and legal basis."""
    legal_basis = (legal_basis or "").strip()
    if legal_basis and legal_basis not in RepresentativeLegalBasis.values:
        raise DomainError(
            _("Legal basis %(legal_basis)r is not one of %(values)s.")
            % {"legal_basis": legal_basis, "values": ", ".join(RepresentativeLegalBasis.values)},
            field="representative_legal_basis",
        )
    named = bool((representative_name or "").strip())
    if not named and donor_is_minor(donor, on=signed_on):
        raise DomainError(
            _(
                "The donor is under %(age_of_majority)s on %(signed_on)s and cannot sign alone: record the "
                "representative who signs (name, relation to the donor and legal basis, e.g. parent or legal guardian)."
            )
            % {"age_of_majority": settings.CONSENT_AGE_OF_MAJORITY, "signed_on": signed_on},
            field="representative_name",
            code="minor_needs_representative",
        )
    if named and not legal_basis:
        raise DomainError(
            _(
                "Say on what legal basis the representative signs for the donor (parent, legal guardian, "
                "court-appointed representative or healthcare proxy)."
            ),
            field="representative_legal_basis",
            code="required",
        )
    if legal_basis and not named:
        raise DomainError(
            _(
                "A legal basis is given but no representative: give the representative's name and relation, or leave "
                "the legal basis empty."
            ),
            field="representative_name",
            code="required",
        )
    return legal_basis


def check_staff(person: Any, *, biobank_id: int, field: str, what: str) -> User:
    """``person`` must be an active user with a role in the biobank."""
    if person is None or not getattr(person, "pk", None):
        raise DomainError(
            _("Name the %(what)s (a staff member of the biobank).") % {"what": what}, field=field, code="required"
        )
    if not User.objects.filter(pk=person.pk, is_active=True, memberships__biobank_id=biobank_id).exists():
        raise DomainError(
            _("The %(what)s must be an active staff member of this biobank; %(person)s is not.")
            % {"what": what, "person": person},
            field=field,
            code="staff",
        )
    return person


def check_place(place: str) -> str:
    place = " ".join((place or "").split())
    if not place:
        raise DomainError(
            _("Say where the donor was informed (e.g. “Outpatient clinic, room 2”)."),
            field="informed_place",
            code="required",
        )
    if len(place) > PLACE_MAX_LENGTH:
        raise DomainError(
            _("The place of the information is %(length)s characters long; at most %(max_length)s.")
            % {"length": len(place), "max_length": PLACE_MAX_LENGTH},
            field="informed_place",
        )
    return place
