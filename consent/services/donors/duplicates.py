"""Review of a held-back registration that may duplicate a registered donor: its candidates and the decision."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.choices import Perm
from biobank.accounts.principals import Actor
from biobank.audit.reasons import steward_reason_clean
from biobank.audit.services import audit_record
from biobank.errors import ConflictError, DomainError

from ...choices import DuplicateReviewStatus
from ...free_text import free_text_check
from ...models import Donor, DuplicateCandidate, DuplicateReview
from .access import _audit, _is_person_or_token, _require_perm, _user_or_none
from .registration import _create_donor
from .vault import _final_donor, _store_identity_clear, identity_of

_CANDIDATES_PROMPT = "State why you need to see who this registration may duplicate"


@transaction.atomic
def duplicate_review_candidates(*, actor: Actor, review: DuplicateReview, reason: Any) -> list[DuplicateCandidate]:
    """The registered donors a held-back registration may duplicate, with the per-field verdicts, for an identity
    steward of its biobank (``view_identity``) who states a reason; audited (``duplicate_review.candidates_view``).

    The candidates link a typed identity to PIDs, so they are identity data: whoever registers donors (an officer,
    an API token) learns only that the registration is held for review, never who it may be.
    """
    _require_perm(actor, review.biobank, Perm.VIEW_IDENTITY, "see the candidates of a possible duplicate")
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
    actor: Actor,
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
    _require_perm(actor, locked.biobank, Perm.VIEW_IDENTITY, "decide possible duplicates")
    if _is_person_or_token(actor):
        reason = steward_reason_clean(reason, prompt=_CANDIDATES_PROMPT)
    else:
        reason = str(reason or "").strip() or None
    if not locked.can_become(decision):
        if not locked.is_pending:
            raise ConflictError(
                _("This possible duplicate was already decided (%(status)s).")
                % {"status": locked.get_status_display()},
                field="decision",
            )
        raise DomainError(
            _("Decision %(decision)r is not allowed; choose same_person or different_person.") % {"decision": decision},
            field="decision",
        )
    if decision == DuplicateReviewStatus.SAME_PERSON:
        candidate_ids = set(locked.candidates.values_list("donor_id", flat=True))
        if donor is None or donor.biobank_id != locked.biobank_id:
            raise DomainError(_("Choose which registered donor this person is."), field="donor", code="required")
        allowed = candidate_ids | {_final_donor(d).pk for d in Donor.objects.filter(pk__in=candidate_ids)}
        if donor.pk not in allowed:
            raise DomainError(
                _("Donor %(pid_display)s is not one of the candidates of this review.")
                % {"pid_display": donor.pid_display},
                field="donor",
            )
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
