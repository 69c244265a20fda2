"""Permission-scoped reads of donors and possible duplicates: the one read path for pages and API alike.

A donor is visible to whoever holds ``view_donors`` on its biobank (people by role, API tokens by grant); a donor of
another biobank is simply absent (404). Nothing here decrypts: identity reads are services with a reason.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from biobank.accounts.models import Biobank
from biobank.accounts.selectors import biobank_ids_with_perm
from biobank.errors import DomainError
from biobank.pseudonyms.checkchar import pseudonym_validate

from ..choices import DuplicateReviewStatus
from ..models import Donor, DuplicateReview

__all__ = [
    "donor_and_merged_ids",
    "donor_get_for",
    "donors_visible_to",
    "duplicate_reviews_visible_to",
    "pid_canonical",
]


def donors_visible_to(*, user: Any) -> QuerySet[Donor]:
    """Donors of the biobanks where ``user`` holds ``view_donors``, with biobank and merge target joined."""
    return Donor.objects.filter(biobank__in=biobank_ids_with_perm(user=user, perm="view_donors")).select_related(
        "biobank", "merged_into"
    )


def donor_and_merged_ids(donor: Donor | int) -> RawSQL:
    """The ids of ``donor`` and of every donor merged into it, transitively (A→B→C: C's are A, B and C).

    A subquery (a recursive CTE over ``merged_into``) for ``filter(donor_id__in=...)``: no extra query, whatever the
    depth of the chain, so list pages keep their pinned query counts. Merges map donors; records such as consents
    stay with the donor they were made for, and the merge target shows them through this.
    """
    table = Donor._meta.db_table
    sql = (
        f"WITH RECURSIVE family(id) AS (SELECT %s::bigint UNION "  # noqa: S608 (table name from the model)
        f"SELECT d.id FROM {table} d JOIN family f ON d.merged_into_id = f.id) SELECT id FROM family"
    )
    return RawSQL(sql, [donor if isinstance(donor, int) else donor.pk])  # noqa: S611 (parameters bound)


def pid_canonical(pid: str) -> str:
    """The canonical form of a typed PID, or a ``DomainError`` that says what is wrong (e.g. the check character)."""
    try:
        return pseudonym_validate(pid)
    except DomainError as error:
        message = error.message.replace("a pseudonym", "a PID").replace("The pseudonym", "The PID")
        raise DomainError(message, field="pid", code=error.code) from None


def donor_get_for(*, user: Any, pid: str, biobank: Biobank | None = None) -> Donor:
    """One visible donor by PID (display or canonical form); ``Donor.DoesNotExist`` (→ 404) if none is visible.

    A PID with a wrong check character raises ``DomainError`` first (→ 400 saying so).
    """
    donors = donors_visible_to(user=user).filter(pid=pid_canonical(pid))
    if biobank is not None:
        donors = donors.filter(biobank=biobank)
    found = list(donors[:2])
    if len(found) != 1:  # two biobanks' domains sharing a PID (1 in 2^50) must be told apart by biobank
        raise Donor.DoesNotExist
    return found[0]


def duplicate_reviews_visible_to(*, user: Any, pending_only: bool = False) -> QuerySet[DuplicateReview]:
    """Held-back registrations of the biobanks where ``user`` registers donors (``manage_consent``)."""
    reviews = DuplicateReview.objects.filter(
        biobank__in=biobank_ids_with_perm(user=user, perm="manage_consent")
    ).select_related("biobank", "created_by", "donor")
    if pending_only:
        reviews = reviews.filter(status=DuplicateReviewStatus.PENDING)
    return reviews
