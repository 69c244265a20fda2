"""The vault row (encrypted identity) and the search for possible duplicates through its blind indexes."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q

from biobank.accounts.models import Biobank

from ...choices import MatchKind
from ...matching import Match, Person, compare, fold_name, swap_day_month
from ...models import Donor, IdentityRecord
from ...models.identity import IDENTITY_FIELDS, EncryptedIdentity
from ...vault_crypto import blind_index, blind_index_candidates, vault_get, vault_set
from .validation import IdentityInput

MAX_CANDIDATES = 200  # blocking rows decrypted per registration; a date of birth is shared by ~N/36,500 donors


_BLOCK_LABEL = "consent.identityrecord.block."


def _store_identity(row: EncryptedIdentity, identity: IdentityInput) -> None:
    for name, value in identity.values().items():
        vault_set(row, name, value or None)


def _store_identity_clear(row: EncryptedIdentity) -> None:
    for name in IDENTITY_FIELDS:
        vault_set(row, name, None)


def identity_of(row: EncryptedIdentity) -> IdentityInput:
    """Decrypt a vault row or a pending registration (internal use: matching, decisions, the steward's view)."""
    values: dict[str, Any] = {name: vault_get(row, name) or "" for name in IDENTITY_FIELDS}
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
