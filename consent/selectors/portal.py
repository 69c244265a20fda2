"""Reads of the donor portal: what one donor may see about themselves, and campaign progress for staff.

Every donor read starts from the signed-in ``User``'s ``DonorAccount`` and is limited to that person's merge
family; a consent, message or receipt of anyone else is simply not found (the view's 404).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import ActOrigin, ConsentStatus, PolicyStateValue, TemplateStatus, TemplateType, WithdrawalLevel
from ..models import (
    CampaignTarget,
    Consent,
    ConsentModuleChoice,
    DonorAccount,
    DonorMessage,
    PolicyState,
    ReconsentCampaign,
    Template,
    WithdrawalPropagation,
)


def account_of(user: Any) -> DonorAccount | None:
    """The donor portal account of a signed-in person (``None`` for staff, researchers, anonymous visitors)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_donor", False):
        return None
    return (
        DonorAccount.objects.select_related("user", "biobank", "donor")
        .filter(user_id=user.pk, user__is_active=True)
        .first()
    )


def _family(account: DonorAccount) -> set[int]:
    from ..services.portal import family_ids

    return family_ids(account)


def portal_consents(account: DonorAccount) -> QuerySet[Consent]:
    """The forms the donor signed (every record of the person), newest first, with their choices."""
    return (
        Consent.objects.filter(donor_id__in=_family(account))
        .exclude(status__in=[ConsentStatus.REJECTED, ConsentStatus.INVALIDATED])
        .select_related("template")
        .prefetch_related(
            "template__texts",
            Prefetch("choices", queryset=ConsentModuleChoice.objects.select_related("module").order_by("pk")),
        )
        .order_by("-signed_on", "-recorded_at", "-pk")
    )


def portal_consent(account: DonorAccount, consent_id: int) -> Consent:
    """One of the donor's own consents; ``Consent.DoesNotExist`` for any other id."""
    return portal_consents(account).get(pk=consent_id)


@dataclass(frozen=True)
class ModuleRow:
    code: str
    title: str
    text: str
    state: str  # accepted, declined, withdrawn, expired, unknown
    since: date | None
    mandatory: bool
    consent_id: int  # the form through which it is changed


@dataclass
class PortalOverview:
    consents: list[Consent]
    modules: list[ModuleRow]
    withdrawal: str  # the standing donor-level withdrawal, "" when none
    reconsent: list[Template]
    unread: int
    pending_propagation: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def portal_overview(account: DonorAccount) -> PortalOverview:
    """The portal's home: the current answer per module of the forms in force, the forms signed, newer versions
    to sign, unread messages, and any standing withdrawal."""
    from ..services.consents.signing import _template_modules
    from ..services.portal import module_states
    from ..services.portal.changes import _standing_level

    consents = list(portal_consents(account))
    newest_per_form: dict[str, Consent] = {}
    for consent in consents:
        if consent.status == ConsentStatus.VALID and consent.template.type == TemplateType.CONSENT:
            newest_per_form.setdefault(consent.template.code, consent)
    rows: list[ModuleRow] = []
    for consent in newest_per_form.values():
        modules = _template_modules(consent.template)
        states = module_states(account, modules)
        for module in modules:
            state = states[module.code]
            rows.append(
                ModuleRow(
                    module.code,
                    module.title_in(account.language) if module.texts.get(account.language) else module.title_in("en"),
                    module.text_in(account.language) or module.text_in("en"),
                    state.state,
                    state.since,  # type: ignore[arg-type]
                    module.mandatory,
                    consent.pk,
                )
            )
    reconsent = [
        template
        for template in Template.objects.filter(
            biobank_id=account.biobank_id,
            code__in=list(newest_per_form),
            status=TemplateStatus.ACTIVE,
            type=TemplateType.CONSENT,
        )
        if template.number > newest_per_form[template.code].template.number
        and template.signable_on(timezone.localdate())
    ]
    return PortalOverview(
        consents=consents,
        modules=rows,
        withdrawal=_standing_level(account),
        reconsent=reconsent,
        unread=DonorMessage.objects.filter(account=account, read_at__isnull=True).count(),
        pending_propagation=WithdrawalPropagation.objects.filter(
            donor_id__in=_family(account), status="pending"
        ).exists(),
    )


@dataclass(frozen=True)
class HistoryEntry:
    day: date
    at: datetime
    kind: str  # consent, change, withdrawal, propagation, message
    text: str
    by: str  # "you", "the biobank", "the system"


STEP_TEXT = {
    "specimens.consent_block": "{blocked} of your samples were blocked from any further use ({reservations_cancelled} "
    "reservations cancelled).",
    "catalog.facts": "The public counts of {collections} collections were recomputed without your samples.",
    "specimens.worklists": "{to_dispose} samples were put on the list for destruction; {shipments_to_decide} samples "
    "already sent to researchers are being reviewed by staff.",
    "consent.donor_confirmation": "A confirmation was sent to you.",
    "consent.donor_notifications": "News, study results and invitations to new studies were turned off.",
}


def _step_text(name: str, result: Any) -> str:
    template = STEP_TEXT.get(name)
    if template is None or not isinstance(result, dict):
        return _("Done: %(step)s.") % {"step": name}
    try:
        return _(template).format(**result)
    except (KeyError, IndexError):
        return _("Done: %(step)s.") % {"step": name}


def portal_history(account: DonorAccount) -> list[HistoryEntry]:
    """Everything that happened to the donor's consent, newest first, in plain sentences."""
    family = _family(account)
    entries: list[HistoryEntry] = []
    for consent in portal_consents(account):
        title = consent.template.version_label
        texts = {t.language: t.title for t in consent.template.texts.all()}
        name = texts.get(account.language) or texts.get("en") or consent.template.code
        by = _("you") if consent.recorded_by_id == account.user_id else _("the biobank")
        entries.append(
            HistoryEntry(
                consent.signed_on,
                consent.recorded_at,
                "consent",
                _("You signed “%(name)s”, version %(version)s.") % {"name": name, "version": title},
                by,
            )
        )
    withdrawals = (
        PolicyState.objects.filter(donor_id__in=family, origin=ActOrigin.WITHDRAWAL)
        .select_related("module")
        .order_by("recorded_at", "pk")
    )
    seen: set[tuple[Any, ...]] = set()
    for act in withdrawals:
        key = (act.recorded_at, act.withdrawal_level, act.module_id)
        if key in seen:
            continue
        seen.add(key)
        if act.withdrawal_level:
            text = _("You withdrew: %(level)s, from %(day)s.") % {
                "level": WithdrawalLevel(act.withdrawal_level).label,
                "day": act.valid_from.isoformat(),
            }
        else:
            module = act.module.title_in(account.language) if act.module else ""
            text = _("You withdrew from “%(module)s”, from %(day)s.") % {
                "module": module,
                "day": act.valid_from.isoformat(),
            }
        by = _("you") if act.recorded_by_id == account.user_id else _("the biobank, on your behalf")
        entries.append(HistoryEntry(act.valid_from, act.recorded_at, "withdrawal", text, by))
    for row in WithdrawalPropagation.objects.filter(donor_id__in=family).order_by("created_at"):
        if row.status == "pending":
            entries.append(
                HistoryEntry(
                    timezone.localdate(row.created_at),
                    row.created_at,
                    "propagation",
                    _("Your withdrawal is being carried out in our systems."),
                    _("the system"),
                )
            )
            continue
        for name, step in row.steps.items():
            at = datetime.fromisoformat(step["at"]) if step.get("at") else row.completed_at or row.created_at
            entries.append(
                HistoryEntry(
                    timezone.localdate(at), at, "propagation", _step_text(name, step.get("result")), _("the system")
                )
            )
    for message in DonorMessage.objects.filter(account=account).order_by("created_at"):
        entries.append(
            HistoryEntry(
                timezone.localdate(message.created_at),
                message.created_at,
                "message",
                _("Message sent to you: %(subject)s") % {"subject": message.subject},
                _("the biobank"),
            )
        )
    entries.sort(key=lambda e: (e.at, e.kind), reverse=True)
    return entries


ProjectsSource = Callable[[frozenset[int]], list[dict[str, Any]]]
_PROJECT_SOURCES: list[ProjectsSource] = []


def register_donor_projects_source(source: ProjectsSource) -> None:
    """The access-request app registers here the approved projects that received a donor family's material or
    data: ``source(donor_ids) -> [{"title", "institution", "purpose", "start", "end"}]`` (never other donors)."""
    if source not in _PROJECT_SOURCES:
        _PROJECT_SOURCES.append(source)


def portal_projects(account: DonorAccount) -> list[dict[str, Any]]:
    """The approved research projects that received the donor's samples or data (empty until releases exist)."""
    family = frozenset(_family(account))
    return [project for source in _PROJECT_SOURCES for project in source(family)]


def portal_messages(account: DonorAccount) -> QuerySet[DonorMessage]:
    return DonorMessage.objects.filter(account=account).order_by("-created_at", "-pk")


def targets_with_answers(targets: QuerySet[CampaignTarget]) -> Any:  # annotated: reconsented, withdrew
    """Targets with what decides their status, read in the same query whatever the number of campaigns: whether
    the donor has a valid consent on the campaign's version recorded since the campaign started, and whether a
    withdrawal was recorded since."""
    since = OuterRef("campaign__created_at")
    return targets.annotate(
        reconsented=Exists(
            Consent.objects.filter(
                donor_id=OuterRef("donor_id"),
                template_id=OuterRef("campaign__template_id"),
                status=ConsentStatus.VALID,
                recorded_at__gte=since,
            )
        ),
        withdrew=Exists(
            PolicyState.objects.filter(
                donor_id=OuterRef("donor_id"), state=PolicyStateValue.WITHDRAWN, recorded_at__gte=since
            )
        ),
    )


def _target_status(*, invited: bool, opened: bool, reconsented: bool, withdrew: bool) -> str:
    if not invited:
        return "skipped"
    if reconsented:
        return "reconsented"
    if withdrew:
        return "withdrawn"
    return "opened" if opened else "invited"


def _progress_counts(statuses: list[str]) -> dict[str, Any]:
    counts: dict[str, Any] = {"targets": len(statuses), "invited": 0, "skipped": 0, "opened": 0, "reconsented": 0}
    counts["withdrawn"] = 0
    for status in statuses:
        counts[status] += 1
    invited_total = counts["targets"] - counts["skipped"]
    counts["pending"] = counts["invited"] + counts["opened"]
    counts["invited_total"] = invited_total
    counts["percent_done"] = round(100 * counts["reconsented"] / invited_total) if invited_total else 0
    return counts


def campaign_progress(campaign: ReconsentCampaign) -> dict[str, Any]:
    """How far a re-consent campaign has come: per donor (PID, status) and the counts.

    Statuses: ``reconsented`` (a valid consent on the campaign's version recorded after the campaign started),
    ``withdrawn`` (a withdrawal recorded since), ``opened`` (the link was used), ``invited`` (not yet opened),
    ``skipped`` (not invited: the reason is kept).
    """
    targets = targets_with_answers(CampaignTarget.objects.filter(campaign=campaign))
    targets = targets.select_related("donor", "invitation")
    rows = []
    for target in targets.order_by("donor__pid"):
        status = _target_status(
            invited=target.invitation is not None,
            opened=target.invitation is not None and target.invitation.used_at is not None,
            reconsented=target.reconsented,
            withdrew=target.withdrew,
        )
        rows.append({"pid": target.donor.pid_display, "status": status, "reason": target.skipped_reason})
    return {"counts": _progress_counts([row["status"] for row in rows]), "donors": rows}


def campaigns_progress(campaigns: list[ReconsentCampaign]) -> dict[int, dict[str, Any]]:
    """The counts of ``campaign_progress`` for many campaigns, in one query."""
    statuses: dict[int, list[str]] = {campaign.pk: [] for campaign in campaigns}
    answers = targets_with_answers(CampaignTarget.objects.filter(campaign__in=list(statuses))).values_list(
        "campaign_id", "invitation_id", "invitation__used_at", "reconsented", "withdrew"
    )
    for campaign_id, invitation_id, used_at, reconsented, withdrew in answers:
        invited = invitation_id is not None
        statuses[campaign_id].append(
            _target_status(invited=invited, opened=invited and used_at is not None, reconsented=reconsented,
                           withdrew=withdrew)
        )  # fmt: skip
    return {campaign_id: _progress_counts(found) for campaign_id, found in statuses.items()}


__all__ = [
    "HistoryEntry",
    "ModuleRow",
    "PortalOverview",
    "account_of",
    "campaign_progress",
    "campaigns_progress",
    "portal_consent",
    "portal_consents",
    "portal_history",
    "portal_messages",
    "portal_overview",
    "portal_projects",
    "register_donor_projects_source",
    "targets_with_answers",
]
