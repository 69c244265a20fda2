"""The dashboard tiles of the consent app (``register_biobank_tile`` loaders): the admin's consent status chart, the
consent officer's queues (scans to check, re-consent campaigns, withdrawals this month), the identity steward's
(duplicate reviews, recent re-identifications) and the auditor's recent sensitive reads.

Each loader answers ``{biobank id: data}`` for the panels that show it, in a fixed number of queries however many
biobanks, consents or events there are; every read is scoped by the permission subqueries of the accounts selectors.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from django.db.models import Count, F, Max, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.choices import Perm
from biobank.accounts.principals import Principal
from biobank.accounts.selectors import biobank_ids_with_perm
from biobank.audit.choices import audit_action_label
from biobank.audit.models import AuditEvent
from biobank.web.charts import Bar, Chart, bar_chart

from ..choices import ConsentStatus, PolicyStateValue
from ..models import CampaignTarget, Consent, Donor, PolicyState
from .consents import consents_visible_to
from .donors import duplicate_reviews_visible_to
from .portal import targets_with_answers

RECENT = 5  # events listed per biobank
# Reads of identifying or signed material: what a steward does and an auditor watches.
REIDENTIFICATIONS = ("donor.identity_view", "donor.identity_lookup")
SENSITIVE_READS = (*REIDENTIFICATIONS, "duplicate_review.candidates_view", "consent.scan_read", "consent.receipt_read")


def consent_status_by_biobank(*, user: Principal, biobank_ids: list[int]) -> dict[int, Chart]:
    """Consents by status (pending QC, valid, rejected, invalidated), one query for all biobanks."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        consents_visible_to(user=user)
        .filter(biobank_id__in=biobank_ids)
        .prefetch_related(None)
        .select_related(None)
        .order_by()
        .values_list("biobank_id", "status")
        .annotate(n=Count("pk"))
    )
    for biobank_id, status, n in rows:
        counts[biobank_id][status] = n
    return {
        biobank_id: bar_chart(
            title=_("Consents by status"),
            bars=[Bar(str(label), counts[biobank_id].get(value, 0)) for value, label in ConsentStatus.choices]
            if counts[biobank_id]
            else [],
            headers=(_("Status"), _("Consents")),
        )
        for biobank_id in biobank_ids
    }


@dataclass
class Campaign:
    pk: int
    title: str
    invited: int = 0
    reconsented: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.reconsented / self.invited) if self.invited else 0


@dataclass
class Withdrawal:
    pid: str
    at: datetime


@dataclass
class ConsentWork:
    to_qc: int = 0
    campaigns: list[Campaign] = field(default_factory=list)
    withdrawals: int = 0
    recent_withdrawals: list[Withdrawal] = field(default_factory=list)


def _month_start() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate().replace(day=1), time.min))


def consent_work_by_biobank(*, user: Principal, biobank_ids: list[int]) -> dict[int, ConsentWork]:
    """The consent officer's queues: scanned forms waiting for QC, the open re-consent campaigns with how many invited
    donors re-consented, and the donors who withdrew this month. Three queries."""
    mine = biobank_ids_with_perm(user=user, perm=Perm.MANAGE_CONSENT)
    work = {biobank_id: ConsentWork() for biobank_id in biobank_ids}
    qc = (
        Consent.objects.filter(biobank__in=mine, biobank_id__in=biobank_ids, status=ConsentStatus.PENDING_QC)
        .order_by()
        .values_list("biobank_id")
        .annotate(n=Count("pk"))
    )
    for biobank_id, n in qc:
        work[biobank_id].to_qc = n

    targets = (
        targets_with_answers(
            CampaignTarget.objects.filter(
                campaign__biobank__in=mine, campaign__biobank_id__in=biobank_ids, campaign__closed_at__isnull=True
            )
        )
        .order_by("-campaign__created_at", "campaign_id")
        .values_list("campaign__biobank_id", "campaign_id", "campaign__title", "invitation_id", "reconsented")
    )
    campaigns: dict[int, Campaign] = {}
    for biobank_id, campaign_id, title, invitation_id, done in targets:
        if campaign_id not in campaigns:
            campaigns[campaign_id] = Campaign(campaign_id, title)
            work[biobank_id].campaigns.append(campaigns[campaign_id])
        if invitation_id is not None:
            campaigns[campaign_id].invited += 1
            campaigns[campaign_id].reconsented += int(done)

    withdrew = (
        PolicyState.objects.filter(
            donor__biobank__in=mine,
            donor__biobank_id__in=biobank_ids,
            state=PolicyStateValue.WITHDRAWN,
            recorded_at__gte=_month_start(),
        )
        .order_by()
        .values_list("donor__biobank_id", "donor__pid")
        .annotate(at=Max("recorded_at"))
        .order_by("-at")
    )
    for biobank_id, pid, at in withdrew:
        work[biobank_id].withdrawals += 1
        if len(work[biobank_id].recent_withdrawals) < RECENT:
            work[biobank_id].recent_withdrawals.append(Withdrawal(Donor(pid=pid).pid_display, at))
    return work


@dataclass
class Read:
    """One audited read of identifying or signed material."""

    at: datetime
    action: str
    label: str
    actor: str
    pid: str = ""


def _recent_reads(biobank_ids: list[int], actions: tuple[str, ...], allowed: Any) -> dict[int, list[Read]]:
    """The newest ``RECENT`` events per biobank among ``actions``: one query (a window per biobank)."""
    events = (
        AuditEvent.objects.filter(biobank__in=allowed, biobank_id__in=biobank_ids, action__in=actions)
        .annotate(rank=Window(RowNumber(), partition_by=F("biobank_id"), order_by=F("seq").desc()))
        .filter(rank__lte=RECENT)
        .order_by("biobank_id", "-seq")
        .values_list("biobank_id", "occurred_at", "action", "actor_label", "details")
    )
    reads: dict[int, list[Read]] = defaultdict(list)
    for biobank_id, at, action, actor, details in events:
        pid = details.get("pid", "") if isinstance(details, dict) else ""
        reads[biobank_id].append(Read(at, action, audit_action_label(action), actor, str(pid)))
    return reads


@dataclass
class StewardWork:
    pending_reviews: int = 0
    reidentifications: list[Read] = field(default_factory=list)


def steward_work_by_biobank(*, user: Principal, biobank_ids: list[int]) -> dict[int, StewardWork]:
    """The identity steward's queue (held-back registrations to decide) and the latest re-identifications. Two
    queries."""
    work = {biobank_id: StewardWork() for biobank_id in biobank_ids}
    pending = (
        duplicate_reviews_visible_to(user=user, pending_only=True)
        .filter(biobank_id__in=biobank_ids)
        .select_related(None)
        .order_by()
        .values_list("biobank_id")
        .annotate(n=Count("pk"))
    )
    for biobank_id, n in pending:
        work[biobank_id].pending_reviews = n
    reads = _recent_reads(biobank_ids, REIDENTIFICATIONS, biobank_ids_with_perm(user=user, perm=Perm.VIEW_IDENTITY))
    for biobank_id, rows in reads.items():
        work[biobank_id].reidentifications = rows
    return work


def sensitive_reads_by_biobank(*, user: Principal, biobank_ids: list[int]) -> dict[int, list[Read]]:
    """The auditor's latest sensitive reads (identity reveals and look-ups, re-identifications, scans and receipts
    opened, duplicate candidates shown). One query."""
    reads = _recent_reads(biobank_ids, SENSITIVE_READS, biobank_ids_with_perm(user=user, perm=Perm.VIEW_AUDIT))
    return {biobank_id: reads.get(biobank_id, []) for biobank_id in biobank_ids}


__all__ = [
    "consent_status_by_biobank",
    "consent_work_by_biobank",
    "sensitive_reads_by_biobank",
    "steward_work_by_biobank",
]
