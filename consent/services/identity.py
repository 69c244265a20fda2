"""Identity reads by identity stewards, and re-encrypting the vault after a key rotation.

Showing identifying data is an act with a reason: only a holder of ``view_identity`` on the donor's biobank (the
identity steward; never an API token), only with a stated reason, and each time audited with that reason — in
the same transaction that decrypts. The permission is checked first, so others learn nothing, not even whether a
donor has a hospital ID.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import Actor, Principal
from biobank.accounts.selectors import user_has_biobank_perm
from biobank.audit.reasons import steward_reason_clean
from biobank.audit.services import audit_record, mask_value
from biobank.crypto.keys import encryption_keyring
from biobank.errors import DomainError, ForbiddenError
from biobank.pseudonyms.models import PseudonymDomain
from biobank.pseudonyms.selectors import pid_domain_of
from biobank.pseudonyms.services import PseudonymNotFound, pseudonym_resolve

from ..documents import documents_rotate
from ..models import ConsentSignature, Donor, DuplicateReview, IdentityRecord
from ..models.identity import IDENTITY_FIELDS
from ..vault_crypto import vault_lookup, vault_reencrypt, vault_rotate
from .donors import IdentityInput, identity_blocking_refresh, identity_of

__all__ = [
    "ROTATE_BATCH",
    "Identity",
    "donor_reidentify",
    "identity_lookup_by_hospital_id",
    "identity_vault_rotate",
    "identity_view",
]

ROTATE_BATCH = 500


@dataclass(frozen=True)
class Identity:
    """A donor's decrypted identity, as shown to a steward (never stored, never cached)."""

    donor: Donor
    values: IdentityInput

    def rows(self) -> list[tuple[str, str]]:
        """``(field name, value)`` in display order; absent values as ``""``."""
        data = self.values.values()
        return [(name, data[name]) for name in IDENTITY_FIELDS]


def _require_steward(actor: Principal, biobank: Biobank) -> None:
    if not user_has_biobank_perm(user=actor, biobank=biobank, perm=Perm.VIEW_IDENTITY):
        raise ForbiddenError(
            _("Only an identity steward of %(biobank_code)s may see identifying data of its donors.")
            % {"biobank_code": biobank.code}
        )


def _clean_reason(reason: Any) -> str:
    return steward_reason_clean(reason, prompt="State why you need to see this identity")


@transaction.atomic
def identity_view(*, actor: Principal, donor: Donor, reason: str) -> Identity:
    """The donor's identifying data for a steward, audited with ``reason`` (``donor.identity_view``)."""
    _require_steward(actor, donor.biobank)
    reason = _clean_reason(reason)
    try:
        record = IdentityRecord.objects.select_related("donor").get(donor=donor)
    except IdentityRecord.DoesNotExist:
        raise DomainError(
            _("Donor %(pid_display)s has no identity in the vault.") % {"pid_display": donor.pid_display}, field="donor"
        ) from None
    values = identity_of(record)
    audit_record(
        actor=actor,
        action="donor.identity_view",
        obj=donor,
        details={"pid": donor.pid_display, "fields": [n for n, v in values.values().items() if v]},
        reason=reason,
    )
    return Identity(donor=donor, values=values)


@transaction.atomic
def identity_lookup_by_hospital_id(*, actor: Principal, biobank: Biobank, hospital_id: str, reason: str) -> list[Donor]:
    """Donors of ``biobank`` with this hospital ID (blind index; nothing decrypted), audited with ``reason``.

    Returns the donors (usually one; a merged donor and the donor it was merged into share the ID), whose PIDs the
    steward may then open.
    """
    _require_steward(actor, biobank)
    reason = _clean_reason(reason)
    if not isinstance(hospital_id, str) or not hospital_id.strip():
        raise DomainError(_("Enter the hospital ID to look up."), field="hospital_id", code="required")
    records = vault_lookup(IdentityRecord.objects.filter(biobank=biobank), "hospital_id", hospital_id.strip())
    donors = list(
        Donor.objects.filter(pk__in=records.values("donor_id")).select_related("biobank", "merged_into").order_by("pk")
    )
    audit_record(
        actor=actor,
        action="donor.identity_lookup",
        object_type="accounts.biobank",
        object_id=biobank.pk,
        biobank=biobank,
        details={
            "by": "hospital_id",
            "hospital_id": mask_value(hospital_id.strip()),
            "found": [d.pid_display for d in donors],
        },
        reason=reason,
    )
    return donors


@transaction.atomic
def donor_reidentify(*, actor: Principal, biobank: Biobank, pid: str, reason: str) -> Identity:
    """Re-identification from a PID typed by a steward (also a PID of an older key version, as printed on old
    labels): the pseudonym is resolved (``pseudonym.resolve``, which checks the check character and says what is
    wrong with a mistyped PID) and the identity shown (``donor.identity_view``), both audited with ``reason``.
    """
    _require_steward(actor, biobank)
    try:
        domain = pid_domain_of(biobank=biobank)
    except PseudonymDomain.DoesNotExist:
        raise PseudonymNotFound(f"{biobank.code} has no donors yet.", field="pseudonym", code="not_found") from None
    row = pseudonym_resolve(actor=actor, domain=domain, pseudonym=pid, reason=reason)
    donor = Donor.objects.select_related("biobank").get(biobank=biobank, subject_ref=row.subject)
    return identity_view(actor=actor, donor=donor, reason=reason)


def _rotate_rows(model: type[IdentityRecord] | type[DuplicateReview], *, batch_size: int) -> int:
    """Re-encrypt ``model``'s rows under the current key in batches (each its own transaction, rows locked), the
    vault's blocking indexes included; rows already current are skipped, so an interrupted run can be repeated."""
    current = encryption_keyring().current_id
    blocking = ["dob_index", "name_year_index", "name_daymonth_index"] if model is IdentityRecord else []
    total, last_pk = 0, 0
    while True:
        with transaction.atomic():
            page = model.objects.filter(pk__gt=last_pk).order_by("pk")
            if model is IdentityRecord:
                page = page.select_related("donor")  # the donor's subject_ref is the associated data
            rows = list(page.select_for_update(of=("self",))[:batch_size])
            if not rows:
                return total
            last_pk = rows[-1].pk
            changed_rows: list[Any] = []  # of ``model``: IdentityRecord or DuplicateReview rows
            changed_fields: set[str] = set()
            for row in rows:
                changed = vault_reencrypt(row)
                stale = [f for f in blocking if not str(getattr(row, f) or "").startswith(f"{current}:")]
                if stale and row.given_names is not None:
                    identity_blocking_refresh(row)  # type: ignore[arg-type]
                    changed += blocking
                if changed:
                    changed_rows.append(row)
                    changed_fields.update(changed)
            if changed_rows:
                model.objects.bulk_update(changed_rows, sorted(changed_fields))
            total += len(changed_rows)


def identity_vault_rotate(*, actor: Actor = "system:vault-rotate", batch_size: int = ROTATE_BATCH) -> int:
    """Move every vault value (vault rows, pending registrations, consent signatures) and every stored receipt and
    scan to the current encryption key; returns rows and files changed (files stored before encryption at rest are
    encrypted now).

    Run after ``manage.py keys_add`` appended a key (``manage.py vault_rotate`` or the ``vault_rotate`` task). Old
    keys stay in the key file until this has finished; reads work throughout.
    """
    changed = _rotate_rows(IdentityRecord, batch_size=batch_size) + _rotate_rows(DuplicateReview, batch_size=batch_size)
    signatures = vault_rotate(ConsentSignature.objects.all(), batch_size=batch_size)
    documents = documents_rotate(batch_size=batch_size)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="identity_vault.rotate",
            object_type="consent.identityrecord",
            details={
                "rows_changed": changed,
                "signatures_changed": signatures,
                "documents_changed": documents,
                "key_id": encryption_keyring().current_id,
            },
        )
    return changed + signatures + documents
