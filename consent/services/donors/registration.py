"""Registration: mint the PID and write the vault row, or hold a possible duplicate for review.

Registrations of one biobank are serialised by a transaction advisory lock, so two officers enrolling the same
person at the same moment cannot both create a donor.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import Actor
from biobank.errors import ConflictError, validate_model
from biobank.pseudonyms.choices import DomainKind
from biobank.pseudonyms.models import PseudonymDomain
from biobank.pseudonyms.selectors import pid_domain_of
from biobank.pseudonyms.services import domain_create, pseudonym_for

from ...choices import Sex
from ...models import Donor, DuplicateCandidate, DuplicateReview, IdentityRecord
from .access import _audit, _require_perm, _user_or_none
from .validation import IdentityInput, _clean_sex, identity_clean
from .vault import _find_duplicates, _store_identity, identity_blocking_refresh

_LOCK_NAMESPACE = 0x646F6E72  # "donr": pg_advisory_xact_lock(namespace, biobank id)


@dataclass(frozen=True)
class Registration:
    """What a registration produced: a donor, or a possible duplicate held for review (never both)."""

    donor: Donor | None = None
    review: DuplicateReview | None = None

    @property
    def is_duplicate(self) -> bool:
        return self.review is not None


def pid_domain_for(*, actor: Actor, biobank: Biobank) -> PseudonymDomain:
    """The biobank's PID domain, created on first use (``pid-<biobank code>``)."""
    try:
        return pid_domain_of(biobank=biobank)
    except PseudonymDomain.DoesNotExist:
        return domain_create(actor=actor, code=f"pid-{biobank.code}", kind=DomainKind.BIOBANK_PID, biobank=biobank)


def _lock_registrations(biobank: Biobank) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, biobank.pk])


def _create_donor(
    *, actor: Actor, biobank: Biobank, identity: IdentityInput, sex: str, subject_ref: uuid.UUID | None = None
) -> Donor:
    domain = pid_domain_for(actor=actor, biobank=biobank)
    subject_ref = subject_ref or uuid.uuid4()
    born = identity.date_of_birth
    donor = Donor(
        biobank=biobank,
        subject_ref=subject_ref,
        pid=pseudonym_for(domain=domain, subject=str(subject_ref)),
        sex=sex,
        birth_year=born.year,
        birth_month=born.month,
    )
    validate_model(donor, exclude=["merged_into"])
    try:
        with transaction.atomic():
            donor.save(force_insert=True)
    except IntegrityError:
        raise ConflictError(
            _("The PID %(pid_display)s is taken in %(biobank_code)s; try again.")
            % {"pid_display": donor.pid_display, "biobank_code": biobank.code},
            field="pid",
        ) from None
    record = IdentityRecord(donor=donor, biobank=biobank, subject_ref=subject_ref)
    _store_identity(record, identity)
    identity_blocking_refresh(record, identity.person())
    record.save(force_insert=True)
    changes: dict[str, list[Any]] = {
        "pid": [None, donor.pid_display],
        "sex": [None, sex],
        "birth_year": [None, donor.birth_year],
        "birth_month": [None, donor.birth_month],
    }
    changes.update({name: [None, value] for name, value in identity.values().items() if value})
    _audit(actor=actor, action="donor.register", obj=donor, biobank=biobank, changes=changes)
    return donor


@transaction.atomic
def donor_register(
    *,
    actor: Actor,
    biobank: Biobank,
    given_names: Any,
    family_name: Any,
    date_of_birth: Any,
    sex: Any = Sex.UNKNOWN,
    address: Any = "",
    hospital_id: Any = "",
    national_id: Any = "",
    email: Any = "",
    phone: Any = "",
) -> Registration:
    """Register a donor: mint the PID in the biobank's domain and write the vault row — unless the identity may
    belong to a donor already registered (exact or near match, see ``consent.matching``): then nothing but a
    ``DuplicateReview`` holding the typed identity encrypted is written, for a person to decide.
    """
    _require_perm(actor, biobank, Perm.MANAGE_CONSENT, "register donors")
    identity = identity_clean(
        given_names=given_names,
        family_name=family_name,
        date_of_birth=date_of_birth,
        address=address,
        hospital_id=hospital_id,
        national_id=national_id,
        email=email,
        phone=phone,
    )
    sex = _clean_sex(sex)
    _lock_registrations(biobank)
    matches = _find_duplicates(biobank=biobank, identity=identity, sex=sex)
    if not matches:
        return Registration(donor=_create_donor(actor=actor, biobank=biobank, identity=identity, sex=sex))
    review = DuplicateReview(
        biobank=biobank,
        subject_ref=uuid.uuid4(),
        sex=sex,
        birth_year=identity.date_of_birth.year,
        birth_month=identity.date_of_birth.month,
        created_by=_user_or_none(actor),
    )
    _store_identity(review, identity)
    review.save(force_insert=True)
    DuplicateCandidate.objects.bulk_create(
        DuplicateCandidate(review=review, donor=donor, kind=match.kind, score=match.score, reasons=match.reasons)
        for donor, match in matches
    )
    _audit(
        actor=actor,
        action="duplicate_review.create",
        obj=review,
        biobank=biobank,
        changes={name: [None, value] for name, value in identity.values().items() if value},
        details={"candidates": [{"pid": d.pid_display, "kind": m.kind, "score": m.score} for d, m in matches]},
    )
    return Registration(review=review)
