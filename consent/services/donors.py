"""Donor registry: registration (PID + identity vault), possible duplicates and their review, and merging donors.

Every function is atomic, names its actor and records its audit events in the same transaction; identifying
values appear in the trail only masked (``J***``). Registrations of one biobank are serialised by a transaction
advisory lock, so two officers enrolling the same person at the same moment cannot both create a donor.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from biobank.accounts.models import Biobank, User
from biobank.accounts.principals import TokenPrincipal
from biobank.accounts.selectors import user_has_biobank_perm
from biobank.audit.reasons import steward_reason_clean
from biobank.audit.services import audit_record
from biobank.errors import ConflictError, DomainError, validate_model
from biobank.pseudonyms.choices import DomainKind
from biobank.pseudonyms.models import PseudonymDomain
from biobank.pseudonyms.selectors import pid_domain_of
from biobank.pseudonyms.services import domain_create, pseudonym_for

from ..choices import (
    DONOR_ALLOWED_TRANSITIONS,
    DUPLICATE_REVIEW_ALLOWED_TRANSITIONS,
    DonorStatus,
    DuplicateReviewStatus,
    MatchKind,
    Sex,
)
from ..free_text import free_text_check
from ..matching import Match, Person, compare, fold_name, swap_day_month
from ..models import Donor, DuplicateCandidate, DuplicateReview, IdentityRecord
from ..models.identity import IDENTITY_FIELDS, EncryptedIdentity
from ..vault_crypto import blind_index, blind_index_candidates, vault_get, vault_set

__all__ = [
    "MAX_CANDIDATES",
    "IdentityInput",
    "Registration",
    "donor_merge",
    "donor_register",
    "duplicate_review_candidates",
    "duplicate_review_decide",
    "identity_blocking_refresh",
    "identity_clean",
    "identity_of",
    "pid_domain_for",
]

MAX_CANDIDATES = 200  # blocking rows decrypted per registration; a date of birth is shared by ~N/36,500 donors
_LOCK_NAMESPACE = 0x646F6E72  # "donr": pg_advisory_xact_lock(namespace, biobank id)
_BLOCK_LABEL = "consent.identityrecord.block."
_LIMITS = {
    "given_names": 200,
    "family_name": 200,
    "address": 500,
    "hospital_id": 64,
    "national_id": 64,
    "email": 254,
    "phone": 40,
}
_PHONE_CHARS = set("0123456789+()-./ ")


@dataclass(frozen=True)
class IdentityInput:
    """Identifying data typed at enrolment (plaintext, in memory only; it goes to the vault encrypted)."""

    given_names: str
    family_name: str
    date_of_birth: date
    address: str = ""
    hospital_id: str = ""
    national_id: str = ""
    email: str = ""
    phone: str = ""

    def person(self, sex: str = "unknown") -> Person:
        return Person(self.given_names, self.family_name, self.date_of_birth, self.hospital_id, self.national_id, sex)

    def values(self) -> dict[str, str]:
        return {
            name: self.date_of_birth.isoformat() if name == "date_of_birth" else getattr(self, name)
            for name in IDENTITY_FIELDS
        }


@dataclass(frozen=True)
class Registration:
    """What a registration produced: a donor, or a possible duplicate held for review (never both)."""

    donor: Donor | None = None
    review: DuplicateReview | None = None

    @property
    def is_duplicate(self) -> bool:
        return self.review is not None


# --- permissions and audit --------------------------------------------------------------------------------------


def _is_person_or_token(actor: Any) -> bool:
    return isinstance(actor, TokenPrincipal | User)


def _require_perm(actor: Any, biobank: Biobank, perm: str, action: str) -> None:
    """People and tokens need ``perm``; system actors (``None``, ``"system:<job>"``: seeding, imports) do not."""
    if _is_person_or_token(actor) and not user_has_biobank_perm(user=actor, biobank=biobank, perm=perm):
        raise PermissionDenied(f"You may not {action} in {biobank.code}; this needs the permission {perm}.")


def _user_or_none(actor: Any) -> User | None:
    return actor if isinstance(actor, User) else None


def _audit(**kwargs: Any) -> None:
    audit_record(identifying=IDENTITY_FIELDS, **kwargs)


# --- validation -------------------------------------------------------------------------------------------------


def _clean_text(field: str, value: Any, *, required: bool = False) -> str:
    text = " ".join(str(value or "").split()) if field != "address" else str(value or "").strip()
    if required and not text:
        label = field.replace("_", " ")
        raise DomainError(f"{label.capitalize()}: enter the donor's {label}.", field=field, code="required")
    if len(text) > _LIMITS[field]:
        raise DomainError(
            f"{field.replace('_', ' ').capitalize()}: at most {_LIMITS[field]} characters, got {len(text)}.",
            field=field,
            code="max_length",
        )
    if any(ord(char) < 32 and char not in "\n\t" for char in text):
        raise DomainError(f"{field.replace('_', ' ').capitalize()}: contains control characters.", field=field)
    return text


def _clean_date_of_birth(value: Any) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise DomainError(
                f"Date of birth: {value!r} is not a date; use YYYY-MM-DD, e.g. 1970-03-07.",
                field="date_of_birth",
                code="invalid",
            ) from None
    if not isinstance(value, date):
        raise DomainError("Date of birth: enter the donor's date of birth.", field="date_of_birth", code="required")
    if value > timezone.localdate():
        raise DomainError(f"Date of birth: {value.isoformat()} is in the future.", field="date_of_birth", code="future")
    if value.year < 1900:
        raise DomainError(
            f"Date of birth: {value.isoformat()} is before 1900; check the year.", field="date_of_birth", code="range"
        )
    return value


def identity_clean(
    *,
    given_names: Any,
    family_name: Any,
    date_of_birth: Any,
    address: Any = "",
    hospital_id: Any = "",
    national_id: Any = "",
    email: Any = "",
    phone: Any = "",
) -> IdentityInput:
    """Validated identity, or a ``DomainError`` naming the first wrong field and what is allowed."""
    given = _clean_text("given_names", given_names, required=True)
    family = _clean_text("family_name", family_name, required=True)
    born = _clean_date_of_birth(date_of_birth)
    email_text = _clean_text("email", email)
    if email_text:
        try:
            validate_email(email_text)
        except DjangoValidationError:
            raise DomainError(
                "E-mail: not a valid e-mail address (expected name@example.org).", field="email", code="invalid"
            ) from None
    phone_text = _clean_text("phone", phone)
    if phone_text and not set(phone_text) <= _PHONE_CHARS:
        raise DomainError(
            "Phone: use digits, spaces and + ( ) - . / only, e.g. +49 30 1234567.", field="phone", code="invalid"
        )
    return IdentityInput(
        given_names=given,
        family_name=family,
        date_of_birth=born,
        address=_clean_text("address", address),
        hospital_id=_clean_text("hospital_id", hospital_id),
        national_id=_clean_text("national_id", national_id),
        email=email_text,
        phone=phone_text,
    )


def _clean_sex(sex: Any) -> str:
    if sex not in Sex.values:
        raise DomainError(f"Sex: {sex!r} is not allowed; choose one of {', '.join(Sex.values)}.", field="sex")
    return str(sex)


# --- the vault row ---------------------------------------------------------------------------------------------


def _store_identity(row: EncryptedIdentity, identity: IdentityInput) -> None:
    for name, value in identity.values().items():
        vault_set(row, name, value or None)


def identity_of(row: EncryptedIdentity) -> IdentityInput:
    """Decrypt a vault row or a pending registration (internal use: matching, decisions, the steward's view)."""
    values = {name: vault_get(row, name) or "" for name in IDENTITY_FIELDS}
    return IdentityInput(**{**values, "date_of_birth": date.fromisoformat(values["date_of_birth"])})


def _block_values(person: Person) -> dict[str, str]:
    """Blocking keys (plaintext, before hashing): date of birth, name + year, name + day and month."""
    name_key = f"{fold_name(person.family_name)}|{fold_name(person.given_names)[:1]}"
    born = person.date_of_birth
    return {
        "dob": born.isoformat(),
        "name_year": f"{name_key}|{born.year}",
        "name_daymonth": f"{name_key}|{born:%m-%d}",
    }


def identity_blocking_refresh(record: IdentityRecord, person: Person | None = None) -> None:
    """Recompute the blocking indexes under the current key (registration, rotation). Does not save."""
    person = person or identity_of(record).person()
    for key, value in _block_values(person).items():
        setattr(record, f"{key}_index", blind_index(value, field=_BLOCK_LABEL + key))


def _block_candidates(key: str, values: list[str]) -> list[str]:
    return [index for value in values for index in blind_index_candidates(value, field=_BLOCK_LABEL + key)]


def _final_donor(donor: Donor) -> Donor:
    """Follow ``merged_into`` to the donor that stands for the person now."""
    seen = set()
    while donor.merged_into_id is not None and donor.pk not in seen:
        seen.add(donor.pk)
        donor = Donor.objects.get(pk=donor.merged_into_id)
    return donor


def _find_duplicates(*, biobank: Biobank, identity: IdentityInput, sex: str) -> list[tuple[Donor, Match]]:
    """Registered donors that may be this person: blind-index candidates, then only those decrypted and compared."""
    person = identity.person(sex)
    fields = IdentityRecord._meta
    query = Q()
    for name in ("hospital_id", "national_id"):
        value = getattr(identity, name)
        if value:
            label = fields.get_field(name).label_for_aad  # type: ignore[union-attr]
            query |= Q(**{f"{name}_index__in": blind_index_candidates(value, field=label, normaliser="identifier")})
    blocks = _block_values(person)
    dates = [blocks["dob"]]
    swapped = swap_day_month(person.date_of_birth)
    if swapped is not None:
        dates.append(swapped.isoformat())
    query |= Q(dob_index__in=_block_candidates("dob", dates))
    query |= Q(name_year_index__in=_block_candidates("name_year", [blocks["name_year"]]))
    query |= Q(name_daymonth_index__in=_block_candidates("name_daymonth", [blocks["name_daymonth"]]))
    rows = IdentityRecord.objects.filter(biobank=biobank).filter(query).select_related("donor")[:MAX_CANDIDATES]
    best: dict[int, tuple[Donor, Match]] = {}
    for row in rows:
        match = compare(person, identity_of(row).person(row.donor.sex))
        if match is None:
            continue
        donor = _final_donor(row.donor)
        rank = (match.kind == MatchKind.EXACT, match.score)
        if donor.pk not in best or rank > (best[donor.pk][1].kind == MatchKind.EXACT, best[donor.pk][1].score):
            best[donor.pk] = (donor, match)
    return sorted(best.values(), key=lambda pair: (pair[1].kind != MatchKind.EXACT, -pair[1].score, pair[0].pk))


# --- registration ----------------------------------------------------------------------------------------------


def pid_domain_for(*, actor: Any, biobank: Biobank) -> PseudonymDomain:
    """The biobank's PID domain, created on first use (``pid-<biobank code>``)."""
    try:
        return pid_domain_of(biobank=biobank)
    except PseudonymDomain.DoesNotExist:
        return domain_create(actor=actor, code=f"pid-{biobank.code}", kind=DomainKind.BIOBANK_PID, biobank=biobank)


def _lock_registrations(biobank: Biobank) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, biobank.pk])


def _create_donor(
    *, actor: Any, biobank: Biobank, identity: IdentityInput, sex: str, subject_ref: uuid.UUID | None = None
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
            f"The PID {donor.pid_display} is taken in {biobank.code}; try again.", field="pid"
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
    actor: Any,
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
    _require_perm(actor, biobank, "manage_consent", "register donors")
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


_CANDIDATES_PROMPT = "State why you need to see who this registration may duplicate"


@transaction.atomic
def duplicate_review_candidates(*, actor: Any, review: DuplicateReview, reason: Any) -> list[DuplicateCandidate]:
    """The registered donors a held-back registration may duplicate, with the per-field verdicts, for an identity
    steward of its biobank (``view_identity``) who states a reason; audited (``duplicate_review.candidates_view``).

    The candidates link a typed identity to PIDs, so they are identity data: whoever registers donors (an officer,
    an API token) learns only that the registration is held for review, never who it may be.
    """
    _require_perm(actor, review.biobank, "view_identity", "see the candidates of a possible duplicate")
    reason = steward_reason_clean(reason, prompt=_CANDIDATES_PROMPT)
    candidates = list(review.candidates.select_related("donor").order_by("pk"))
    audit_record(
        actor=actor,
        action="duplicate_review.candidates_view",
        obj=review,
        biobank=review.biobank,
        details={"candidates": [c.donor.pid_display for c in candidates]},
        reason=reason,
    )
    return candidates


@transaction.atomic
def duplicate_review_decide(
    *,
    actor: Any,
    review: DuplicateReview,
    decision: str,
    donor: Donor | None = None,
    note: str = "",
    reason: Any = None,
) -> Donor:
    """Decide a held-back registration; returns the donor the person is now known as.

    Deciding needs the candidates, and the candidates are identity data: so the identity steward decides
    (``view_identity``), with the same kind of reason as for any identity read, recorded with the decision. The
    consent officer (or token) who typed the registration and the steward who decides are in effect four eyes.

    ``same_person``: ``donor`` (one of the candidates, or the donor it was merged into) stands for the person; no
    donor is created. ``different_person``: the donor is registered now, with the identity typed at enrolment.
    Either way the pending ciphertexts are cleared.
    """
    locked = DuplicateReview.objects.select_for_update().select_related("biobank").get(pk=review.pk)
    _require_perm(actor, locked.biobank, "view_identity", "decide possible duplicates")
    if _is_person_or_token(actor):
        reason = steward_reason_clean(reason, prompt=_CANDIDATES_PROMPT)
    else:
        reason = str(reason or "").strip() or None
    if decision not in DUPLICATE_REVIEW_ALLOWED_TRANSITIONS[locked.status]:
        if not locked.is_pending:
            raise ConflictError(
                f"This possible duplicate was already decided ({locked.get_status_display()}).", field="decision"
            )
        raise DomainError(
            f"Decision {decision!r} is not allowed; choose same_person or different_person.", field="decision"
        )
    if decision == DuplicateReviewStatus.SAME_PERSON:
        candidate_ids = set(locked.candidates.values_list("donor_id", flat=True))
        if donor is None or donor.biobank_id != locked.biobank_id:
            raise DomainError("Choose which registered donor this person is.", field="donor", code="required")
        allowed = candidate_ids | {_final_donor(d).pk for d in Donor.objects.filter(pk__in=candidate_ids)}
        if donor.pk not in allowed:
            raise DomainError(f"Donor {donor.pid_display} is not one of the candidates of this review.", field="donor")
        result = _final_donor(donor)
        note = free_text_check(note, field="note", donor=result, identity=identity_of(locked))
    else:
        note = free_text_check(note, field="note", identity=identity_of(locked))
        for candidate in Donor.objects.filter(pk__in=locked.candidates.values("donor_id")):
            free_text_check(note, field="note", donor=candidate)
        result = _create_donor(
            actor=actor,
            biobank=locked.biobank,
            identity=identity_of(locked),
            sex=locked.sex,
            subject_ref=locked.subject_ref,
        )
    old_status = locked.status
    locked.status, locked.donor = decision, result
    locked.decided_by, locked.decided_at, locked.decision_note = _user_or_none(actor), timezone.now(), note.strip()
    _store_identity_clear(locked)
    locked.save()
    _audit(
        actor=actor,
        action="duplicate_review.decide",
        obj=locked,
        biobank=locked.biobank,
        changes={"status": [old_status, decision], "donor": [None, result.pid_display]},
        details={"note": note.strip()} if note.strip() else None,
        reason=reason,
    )
    review.status, review.donor = locked.status, result
    return result


def _store_identity_clear(row: EncryptedIdentity) -> None:
    for name in IDENTITY_FIELDS:
        vault_set(row, name, None)


# --- merge -----------------------------------------------------------------------------------------------------


def _repoint(*, source: Donor, target: Donor) -> dict[str, int]:
    """Move every reference to ``source`` onto ``target`` (see the ``Donor`` docstring); ``{model label: rows}``."""
    moved: dict[str, int] = {}
    for relation in Donor._meta.related_objects:
        model = relation.related_model
        if model is Donor or getattr(model, "KEEP_ON_MERGE", False):
            continue
        label = model._meta.label_lower
        hook = getattr(model, "donor_merge_repoint", None)
        try:
            with transaction.atomic():
                if hook is not None:
                    count = hook(source=source, target=target, field_name=relation.field.name)
                elif relation.many_to_many:
                    through = relation.through
                    to_donor, to_owner = relation.field.m2m_reverse_field_name(), relation.field.m2m_field_name()
                    linked = through.objects.filter(**{to_donor: target}).values(to_owner)
                    through.objects.filter(**{to_donor: source, f"{to_owner}__in": linked}).delete()
                    count = through.objects.filter(**{to_donor: source}).update(**{to_donor: target})
                else:
                    name = relation.field.name
                    count = model._base_manager.filter(**{name: source}).update(**{name: target})
        except IntegrityError:
            raise ConflictError(
                f"Cannot merge: {model._meta.verbose_name_plural} of {source.pid_display} collide with those of "
                f"{target.pid_display} (the target may have only one); resolve them first.",
                field="source",
            ) from None
        if count:
            moved[label] = moved.get(label, 0) + count
    return moved


@transaction.atomic
def donor_merge(*, actor: Any, source: Donor, target: Donor, reason: str) -> Donor:
    """Merge ``source`` into ``target`` (both the same person): everything about the source moves to the target,
    the source stays as a record marked MERGED with ``merged_into`` — its PID still resolves, its history and
    vault row stay, so both histories are kept. Returns the target.
    """
    _require_perm(actor, source.biobank, "manage_consent", "merge donors")
    if not isinstance(reason, str) or not reason.strip():
        raise DomainError(
            "State why these donors are the same person; it is kept in the audit trail.",
            field="reason",
            code="required",
        )
    if source.pk == target.pk:
        raise DomainError("A donor cannot be merged into itself; choose another donor.", field="target")
    if source.biobank_id != target.biobank_id:
        raise DomainError("Donors of different biobanks cannot be merged.", field="target")
    locked = {d.pk: d for d in Donor.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk")}
    src, tgt = locked[source.pk], locked[target.pk]
    if DonorStatus.MERGED not in DONOR_ALLOWED_TRANSITIONS[src.status]:
        raise ConflictError(f"Donor {src.pid_display} is already merged into another donor.", field="source")
    if tgt.status == DonorStatus.MERGED:
        raise DomainError(
            f"Donor {tgt.pid_display} was itself merged; merge into the donor it was merged into.", field="target"
        )
    reason = free_text_check(reason, field="reason", donor=src)
    free_text_check(reason, field="reason", donor=tgt)
    moved = _repoint(source=src, target=tgt)
    old_status = src.status
    src.status, src.merged_into = DonorStatus.MERGED, tgt
    src.save(update_fields=["status", "merged_into", "updated_at"])
    _audit(
        actor=actor,
        action="donor.merge",
        obj=src,
        changes={"status": [old_status, DonorStatus.MERGED], "merged_into": [None, tgt.pid_display]},
        details={"target": tgt.pid_display, "moved": moved},
        reason=reason.strip(),
    )
    _audit(
        actor=actor,
        action="donor.merge_receive",
        obj=tgt,
        details={"source": src.pid_display, "moved": moved},
        reason=reason.strip(),
    )
    source.status, source.merged_into = src.status, tgt
    return tgt
