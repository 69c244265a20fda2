"""Permission-scoped reads of donors and possible duplicates: the one read path for pages and API alike.

A donor is visible to whoever holds ``view_donors`` on its biobank (people by role, API tokens by grant); a donor of
another biobank is simply absent (404). Nothing here decrypts: identity reads are services with a reason.

Every lookup by PID goes through the donor's PID history (``DonorPid``): a PID a donor ever had — printed on a tube
label, stored by a partner — names that donor for good, whatever key version it was minted in; the answer carries
the donor's current ``pid`` and, if an earlier PID was asked, says so (``earlier_pid``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Q, QuerySet
from django.db.models.expressions import RawSQL

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import Principal
from biobank.accounts.selectors import biobank_ids_with_perm
from biobank.errors import DomainError
from biobank.pseudonyms.checkchar import pseudonym_validate

from ..choices import DuplicateReviewStatus
from ..models import Donor, DonorPid, DuplicateReview

__all__ = [
    "donor_and_merged_ids",
    "donor_get_for",
    "donors_by_pids",
    "donors_visible_to",
    "donors_with_pids",
    "duplicate_reviews_visible_to",
    "earlier_pid",
    "earlier_pids_of",
    "pid_canonical",
]


def donors_visible_to(*, user: Principal) -> QuerySet[Donor]:
    """Donors of the biobanks where ``user`` holds ``view_donors``, with biobank and merge target joined."""
    return Donor.objects.filter(biobank__in=biobank_ids_with_perm(user=user, perm=Perm.VIEW_DONORS)).select_related(
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


def earlier_pid(asked: str, donor: Donor) -> str | None:
    """The asked PID (canonical) if it is not the donor's current one: an earlier PID that still names the donor."""
    canonical = pseudonym_validate(asked)
    return None if canonical == donor.pid else canonical


def earlier_pids_of(donor: Donor) -> list[str]:
    """The donor's earlier PIDs (canonical, oldest first): still valid, shown so staff can match old labels."""
    return list(DonorPid.objects.filter(donor=donor).exclude(pid=donor.pid).values_list("pid", flat=True))


def donors_with_pids(donors: QuerySet[Donor], pids: Iterable[str]) -> QuerySet[Donor]:
    """Narrow ``donors`` to those that hold or ever held one of the canonical ``pids`` (search by PID)."""
    return donors.filter(pk__in=DonorPid.objects.filter(pid__in=list(pids)).values("donor_id"))


def donors_by_pids(*, user: Principal, pids: Iterable[str], biobank: Biobank | None = None) -> dict[str, Donor]:
    """``{asked canonical PID: visible donor}`` for every PID that is, or ever was, a visible donor's PID.

    One query whatever the number of PIDs (the bulk gate resolves 10,000 this way): the donors joined to their
    PID history. A PID named by no visible donor is absent; so is one shared by two biobanks' domains (1 in 2^50),
    which must be told apart by ``biobank``. ``pids`` are canonical (``pid_canonical``).
    """
    wanted = list(dict.fromkeys(pids))
    if not wanted:
        return {}
    donors = donors_visible_to(user=user).filter(pid_history__pid__in=wanted)
    if biobank is not None:
        donors = donors.filter(biobank=biobank)
    found: dict[str, Donor] = {}
    ambiguous: set[str] = set()
    for donor in donors.annotate(asked_pid=F("pid_history__pid")).order_by():  # one join: the matched PID
        if donor.asked_pid in found:
            ambiguous.add(donor.asked_pid)
        found[donor.asked_pid] = donor
    for pid in ambiguous:
        del found[pid]
    return found


def donor_get_for(*, user: Principal, pid: str, biobank: Biobank | None = None) -> Donor:
    """One visible donor by any PID it ever had (display or canonical form), in any key version;
    ``Donor.DoesNotExist`` (→ 404) if none is visible. The donor carries its current ``pid``.

    A PID with a wrong check character raises ``DomainError`` first (→ 400 saying so).
    """
    canonical = pid_canonical(pid)
    donor = donors_by_pids(user=user, pids=[canonical], biobank=biobank).get(canonical)
    if donor is None:
        raise Donor.DoesNotExist
    return donor


def duplicate_reviews_visible_to(*, user: Principal, pending_only: bool = False) -> QuerySet[DuplicateReview]:
    """Held-back registrations of the biobanks where ``user`` registers donors (``manage_consent``) or decides them
    (``view_identity``). That a review exists is all this says: its candidates are identity data, read only through
    ``services.duplicate_review_candidates`` (a steward, a reason, audited)."""
    reviews = DuplicateReview.objects.filter(
        Q(biobank__in=biobank_ids_with_perm(user=user, perm=Perm.MANAGE_CONSENT))
        | Q(biobank__in=biobank_ids_with_perm(user=user, perm=Perm.VIEW_IDENTITY))
    ).select_related("biobank", "created_by", "donor")
    if pending_only:
        reviews = reviews.filter(status=DuplicateReviewStatus.PENDING)
    return reviews
