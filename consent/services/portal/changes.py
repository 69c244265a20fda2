"""What a donor does in the donor portal: change one choice, re-consent to a new version, withdraw, set
notification preferences, read a receipt. The actor is the donor's own ``User``; each act concerns only the
donor's merge family (the account's donor and every record merged with it).

A choice changed from "accept" to "decline" is a withdrawal of that module (GDPR Art 7(3): effective from today,
propagated like any withdrawal); any other change, and a re-consent, is a new consent signed in the portal
(``ConsentSource.DONOR_PORTAL``) on the version in use, carrying the donor's current answer for every other module
— an answer the donor withdrew or declined is carried as declined, never re-accepted silently. The typed full name
is the signature, as on screen in the clinic; the signed-in session (one-time link, optional TOTP) authenticates it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.audit.services import audit_record
from biobank.errors import ConflictError, DomainError

from ...choices import (
    ConsentSource,
    ConsentStatus,
    MessageKind,
    ModuleChoice,
    PolicyStateValue,
    TemplateStatus,
    TemplateType,
    WithdrawalLevel,
)
from ...documents import document_read, signature_store
from ...free_text import free_text_check
from ...gate import decisions_for, donor_families
from ...models import Consent, Donor, DonorAccount, Module, Template, WithdrawalPropagation
from ..acts import donor_withdrawal_write, module_withdrawal_write
from ..consents.capture import _lock_and_check_current, _queue_receipt
from ..consents.signing import _check_choices, _expand, _lock_and_mark_signed, _save_choices, _template_modules
from .messages import donor_message_send

LANGUAGES = ("en", "de")


def family_ids(account: DonorAccount) -> set[int]:
    """Every donor record of the person the account belongs to (the merge family)."""
    return set(donor_families([account.donor_id])[account.donor_id].members)


def family_root(account: DonorAccount) -> int:
    return donor_families([account.donor_id])[account.donor_id].root


@dataclass(frozen=True)
class ModuleState:
    """The donor's answer for one module today, folded over every form and act (``consent.gate``)."""

    module: Module
    state: str  # accepted, declined, withdrawn, expired, unknown
    since: object  # date or None


def module_states(account: DonorAccount, modules: list[Module]) -> dict[str, ModuleState]:
    """Per module code: accepted only when every policy of the module is accepted today; withdrawn when any is
    withdrawn; declined (or refused) when any is; expired when any acceptance ran out; otherwise unknown."""
    today = timezone.localdate()
    codes_of = {m.code: sorted({p.code for p in m.policies.all()}) for m in modules}
    decisions = decisions_for(donor=account.donor_id, codes={c for cs in codes_of.values() for c in cs}, at=today)
    result: dict[str, ModuleState] = {}
    for module in modules:
        found = [decisions[c] for c in codes_of[module.code] if c in decisions]
        states = {d.state for d in found}
        since = max((d.act.valid_from for d in found), default=None)
        if not found:
            state = "unknown"
        elif PolicyStateValue.WITHDRAWN in states:
            state = "withdrawn"
        elif states & {PolicyStateValue.DECLINED, PolicyStateValue.REFUSED}:
            state = "declined"
        elif PolicyStateValue.EXPIRED in states:
            state = "expired"
        elif states == {PolicyStateValue.ACCEPTED} and len(found) == len(codes_of[module.code]):
            state = "accepted"
        else:
            state = "unknown"
        result[module.code] = ModuleState(module, state, since)
    return result


_CARRIED = {"accepted": ModuleChoice.ACCEPTED, "unknown": ModuleChoice.UNANSWERED}


def _own_consent(account: DonorAccount, consent: Consent) -> Consent:
    """The consent, locked, if it is the family's and counts; a foreign id is not found (the view's 404)."""
    consent = (
        Consent.objects.select_for_update(of=("self",))
        .select_related("template", "biobank")
        .get(pk=consent.pk, donor_id__in=family_ids(account))
    )
    if consent.status != ConsentStatus.VALID or consent.template.type != TemplateType.CONSENT:
        raise DomainError(
            _("This form cannot be changed here: it is not a consent form that counts."), code="consent_status"
        )
    return consent


def _sign_in_portal(
    *, account: DonorAccount, template: Template, choices: Mapping[str, str], signer_name: str, action: str
) -> Consent:
    """A consent given in the portal on ``template`` (the version in use), with its acts, signature and receipt."""
    now = timezone.now()
    today = timezone.localdate(now)
    # The person's current record: the account stays on the record it was made for, which may since have been
    # merged into another one.
    donor = Donor.objects.get(pk=family_root(account))
    if not donor.can_consent:
        raise DomainError(_("Your record is closed; the biobank can help you."), code="donor_status")
    template = _lock_and_check_current(template, today)
    language = account.language if template.texts.filter(language=account.language).exists() else "en"
    if not template.texts.filter(language=language).exists():
        language = template.texts.values_list("language", flat=True).first() or "en"
    modules = _template_modules(template)
    checked = _check_choices(template, modules, choices, language)
    signer_name = " ".join((signer_name or "").split())
    if not signer_name:
        raise DomainError(_("Type your full name: it is your signature."), field="signer_name", code="required")
    if len(signer_name) > 200:
        raise DomainError(_("Your name may have at most 200 characters."), field="signer_name")
    _lock_and_mark_signed(template, now)
    consent = Consent.objects.create(
        biobank_id=donor.biobank_id,
        donor=donor,
        template=template,
        language=language,
        source=ConsentSource.DONOR_PORTAL,
        status=ConsentStatus.VALID,
        signed_on=today,
        recorded_at=now,
        recorded_by=account.user,
    )
    signature_store(consent=consent, signer_name=signer_name)
    _save_choices(consent, checked)
    states = _expand(consent, checked, recorded_at=now, actor=account.user)
    audit_record(
        actor=account.user,
        action=action,
        obj=consent,
        details={
            "donor": donor.pid,
            "template": template.code,
            "version": template.version_label,
            "language": language,
            "choices": {m.code: checked[m.pk] for m in modules},
            "policy_states": len(states),
            "source": ConsentSource.DONOR_PORTAL,
        },
    )
    _queue_receipt(consent.pk)
    return consent


@transaction.atomic
def donor_choice_change(
    *, account: DonorAccount, consent: Consent, module_code: str, choice: str, signer_name: str = ""
) -> Consent | WithdrawalPropagation:
    """The donor changes their answer for one module of a consent they signed.

    Accepted → declined: the module is withdrawn from today (returns the propagation). Anything else: a new
    consent in the portal on the same version, with every other answer carried over (returns the consent).
    """
    consent = _own_consent(account, consent)
    modules = _template_modules(consent.template)
    module = next((m for m in modules if m.code == module_code), None)
    if module is None:
        raise DomainError(
            _("This form has no part %(module)r.") % {"module": module_code}, field="module", code="unknown_module"
        )
    if choice not in (ModuleChoice.ACCEPTED, ModuleChoice.DECLINED):
        raise DomainError(_("Choose “I agree” or “I do not agree”."), field="choice", code="choice")
    states = module_states(account, modules)
    current = states[module.code].state
    if (choice == ModuleChoice.ACCEPTED) == (current == "accepted"):
        raise ConflictError(
            _("Your answer for “%(module)s” is already “%(choice)s”: nothing to change.")
            % {"module": module.title_in(account.language), "choice": _label(choice)},
            code="unchanged",
        )
    if module.mandatory and choice == ModuleChoice.DECLINED:
        raise DomainError(
            _(
                "“%(module)s” is required to take part at all. To stop it, withdraw instead (your withdrawal page "
                "explains the three ways)."
            )
            % {"module": module.title_in(account.language)},
            field="choice",
            code="mandatory_module",
        )
    today = timezone.localdate()
    if choice == ModuleChoice.DECLINED and current == "accepted":
        newest = _newest_carrying(account, module)
        module_withdrawal_write(
            actor=account.user,
            consent=newest,
            module=module,
            effective=today,
            reason=_("The donor declined it in the donor portal."),
            by_donor=True,
        )
        result: Consent | WithdrawalPropagation = WithdrawalPropagation.objects.filter(
            donor_id=family_root(account)
        ).latest("pk")  # written just now by module_withdrawal_write
    else:
        if consent.template.status != TemplateStatus.ACTIVE:
            newer = Template.objects.filter(
                biobank_id=consent.biobank_id, code=consent.template.code, status=TemplateStatus.ACTIVE
            ).first()
            raise DomainError(
                _(
                    "The version you signed (%(version)s) is no longer in use; to change an answer, sign the "
                    "current version %(current)s."
                )
                % {"version": consent.template.version_label, "current": newer.version_label if newer else "—"},
                field="template",
                code="outdated_version",
            )
        required = [m for m in modules if m.mandatory and m.code != module.code and states[m.code].state != "accepted"]
        if required:
            raise DomainError(
                _(
                    "“%(module)s” is required to take part, and you no longer agree to it; to take part again, sign "
                    "the whole form anew."
                )
                % {"module": required[0].title_in(account.language)},
                field="choice",
                code="reconsent_needed",
            )
        choices: dict[str, str] = {
            code: _CARRIED.get(state.state, ModuleChoice.DECLINED) for code, state in states.items()
        }
        choices[module.code] = choice
        result = _sign_in_portal(
            account=account,
            template=consent.template,
            choices=choices,
            signer_name=signer_name,
            action="consent.donor_change",
        )
    donor_message_send(
        account=account,
        kind=MessageKind.CHOICE_CHANGED,
        context={"module": module.title_in(account.language), "choice": _label(choice), "effective": today},
    )
    return result


def _label(choice: str) -> str:
    return _("I agree") if choice == ModuleChoice.ACCEPTED else _("I do not agree")


def _newest_carrying(account: DonorAccount, module: Module) -> Consent:
    """The family's newest valid consent form that carries ``module`` (the withdrawal is recorded through it)."""
    found = (
        Consent.objects.filter(
            donor_id__in=family_ids(account),
            status=ConsentStatus.VALID,
            template__type=TemplateType.CONSENT,
            template__template_modules__module=module,
        )
        .order_by("-signed_on", "-recorded_at", "-pk")
        .first()
    )
    if found is None:  # the module came from the consent being changed, so one exists
        raise DomainError(_("No consent of yours carries this part."), field="module")
    return found


@transaction.atomic
def donor_reconsent(
    *, account: DonorAccount, template: Template, choices: Mapping[str, str], signer_name: str
) -> Consent:
    """The donor signs a newer version of a consent form they signed before (nothing pre-selected)."""
    template = Template.objects.get(pk=template.pk, biobank_id=account.biobank_id, type=TemplateType.CONSENT)
    signed_before = Consent.objects.filter(
        donor_id__in=family_ids(account), template__code=template.code, status=ConsentStatus.VALID
    )
    if not signed_before.exists():
        raise DomainError(
            _("You have not signed an earlier version of this form; the biobank will explain it to you first."),
            field="template",
            code="not_signed_before",
        )
    return _sign_in_portal(
        account=account, template=template, choices=choices, signer_name=signer_name, action="consent.donor_reconsent"
    )


CONSEQUENCES = {
    WithdrawalLevel.NO_FURTHER_CONTACT: "We will not contact you again. Your samples and data stay in use as you "
    "agreed.",
    WithdrawalLevel.NO_FURTHER_ACCESS: "We keep your samples and data, but release nothing new to anyone and collect "
    "no new information about you.",
    WithdrawalLevel.NO_FURTHER_USE: "We stop all use of your samples and data and destroy your samples; only an "
    "administrative record of your participation and withdrawal is kept.",
}


@transaction.atomic
def donor_self_withdraw(
    *,
    account: DonorAccount,
    level: str = "",
    consent: Consent | None = None,
    module_code: str = "",
    words: str = "",
) -> WithdrawalPropagation:
    """The donor withdraws in the portal, effective today: at a level, or one module of a consent they signed.

    A second submission of the same withdrawal is refused (``ConflictError`` code ``withdrawn``): nothing is
    recorded twice and nothing is propagated twice.
    """
    today = timezone.localdate()
    reason = _("Withdrawn by the donor in the donor portal.")
    if (words or "").strip():
        said = " ".join(words.split())[:1000]
        try:  # the reason is permanent history: kept only without names, dates or identifiers
            reason = f"{reason} {free_text_check(said, field='words', donor=account.donor)}"
        except DomainError:  # never a reason to refuse a withdrawal (as easy as consenting)
            dropped = _("(The donor wrote a few words; they were not kept: they named a person, a date or an ID.)")
            reason = f"{reason} {dropped}"
    root = family_root(account)
    if level:
        if level not in WithdrawalLevel.values:
            raise DomainError(_("Choose one of the three ways to withdraw."), field="level", code="level")
        standing = _standing_level(account)
        if standing and _RANK[standing] >= _RANK[level]:
            raise ConflictError(
                _("You have already withdrawn (“%(level)s”); nothing more to do.")
                % {"level": WithdrawalLevel(standing).label},
                code="withdrawn",
            )
        donor_withdrawal_write(
            actor=account.user, donor=account.donor, level=level, effective=today, reason=reason, by_donor=True
        )
        what = str(WithdrawalLevel(level).label)
    else:
        if consent is None or not module_code:
            raise DomainError(
                _("Choose a way to withdraw, or the part of your consent you withdraw from."),
                field="level",
                code="required",
            )
        consent = _own_consent(account, consent)
        module = next((m for m in _template_modules(consent.template) if m.code == module_code), None)
        if module is None:
            raise DomainError(_("This form has no part %(module)r.") % {"module": module_code}, field="module")
        if module_states(account, [module])[module.code].state == "withdrawn":
            raise ConflictError(
                _("You have already withdrawn from “%(module)s”.") % {"module": module.title_in(account.language)},
                code="withdrawn",
            )
        module_withdrawal_write(
            actor=account.user, consent=consent, module=module, effective=today, reason=reason, by_donor=True
        )
        what = module.title_in(account.language)
    propagation = WithdrawalPropagation.objects.filter(donor_id=root).latest("pk")  # written just now
    audit_record(
        actor=account.user,
        action="donor.portal_withdraw",
        obj=propagation.donor,
        details={"propagation": propagation.pk, "what": str(what)},
    )
    return propagation


_RANK: dict[str, int] = {
    WithdrawalLevel.NO_FURTHER_CONTACT: 1,
    WithdrawalLevel.NO_FURTHER_ACCESS: 2,
    WithdrawalLevel.NO_FURTHER_USE: 3,
}


def _standing_level(account: DonorAccount) -> str:
    """The strongest donor-level withdrawal with no consent form signed after it ("" when none stands)."""
    from ...choices import ActOrigin
    from ...models import PolicyState

    members = family_ids(account)
    acts = PolicyState.objects.filter(donor_id__in=members).exclude(withdrawal_level="")
    last_signed = (
        PolicyState.objects.filter(donor_id__in=members, origin=ActOrigin.SIGNATURE, state=PolicyStateValue.ACCEPTED)
        .order_by("-valid_from", "-recorded_at")
        .values_list("recorded_at", flat=True)
        .first()
    )
    standing = [a for a in acts if last_signed is None or a.recorded_at > last_signed]
    return max((a.withdrawal_level for a in standing), key=lambda lv: _RANK[lv], default="")


@transaction.atomic
def donor_preferences_update(
    *, account: DonorAccount, notify_news: bool, notify_results: bool, notify_recontact: bool, language: str
) -> DonorAccount:
    """The donor's notification preferences and language (of the pages and of every message to them)."""
    if language not in LANGUAGES:
        raise DomainError(_("Choose English or German (got %(language)r).") % {"language": language}, field="language")
    account = DonorAccount.objects.select_for_update().get(pk=account.pk)
    before = {
        "notify_news": account.notify_news,
        "notify_results": account.notify_results,
        "notify_recontact": account.notify_recontact,
        "language": account.language,
    }
    after = {
        "notify_news": bool(notify_news),
        "notify_results": bool(notify_results),
        "notify_recontact": bool(notify_recontact),
        "language": language,
    }
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        for name, value in after.items():
            setattr(account, name, value)
        account.save(update_fields=list(after))
        audit_record(actor=account.user, action="donor.portal_preferences", obj=account.donor, changes=changes)
    return account


@transaction.atomic
def donor_receipt_read(*, account: DonorAccount, consent: Consent) -> bytes:
    """The receipt PDF of one of the donor's own consents, through their own session only; audited. A consent of
    anyone else is not found (``Consent.DoesNotExist``: the view's 404)."""
    own = Consent.objects.get(pk=consent.pk, donor_id__in=family_ids(account))
    if not own.receipt_sha256:
        raise DomainError(
            _("There is no receipt for this form yet (a paper form has none; an on-screen one is being made)."),
            code="not_ready",
        )
    data = document_read(own, "receipt")
    audit_record(
        actor=account.user,
        action="consent.receipt_read",
        obj=own,
        reason="the donor's own receipt",
        details={"sha256": own.receipt_sha256, "by_donor": True},
    )
    return data


__all__ = [
    "CONSEQUENCES",
    "ModuleState",
    "donor_choice_change",
    "donor_preferences_update",
    "donor_receipt_read",
    "donor_reconsent",
    "donor_self_withdraw",
    "family_ids",
    "module_states",
]
