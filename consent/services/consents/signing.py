"""Checks and writes shared by both ways of signing (on screen and scanned paper): the form's choices, the
language, the representative, who informed the donor, and the per-policy state rows a signature expands into.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from biobank.accounts.principals import Actor, person_or_none
from biobank.errors import DomainError

from ...choices import CHOICES_OF_FORM, ActOrigin, ModuleChoice, PolicyStateValue, TemplateType
from ...models import Consent, ConsentModuleChoice, Donor, Module, PolicyState, Template
from ...validity import shortest_end
from ..capture_checks import check_place, check_staff

STATE_OF_CHOICE: dict[str, PolicyStateValue] = {  # on a consent form
    ModuleChoice.ACCEPTED: PolicyStateValue.ACCEPTED,
    ModuleChoice.DECLINED: PolicyStateValue.DECLINED,
    ModuleChoice.UNANSWERED: PolicyStateValue.UNKNOWN,
}


def _template_modules(template: Template) -> list[Module]:
    return [link.module for link in template.template_modules.select_related("module").order_by("position")]


def _check_donor(donor: Donor) -> None:
    if not donor.can_consent:
        raise DomainError(
            _("Donor %(pid)s is %(status)s; consent can only be recorded for an active donor.")
            % {"pid": donor.pid, "status": donor.get_status_display().lower()},
            field="donor",
            code="donor_status",
        )


def _check_choices(
    template: Template, modules: list[Module], choices: Mapping[str, str], language: str
) -> dict[int, str]:
    """Module code → choice, checked against what the form type records (``CHOICES_OF_FORM``).

    A consent form: every mandatory module accepted, nesting respected. A withdrawal form: the ticked modules are
    ``withdrawn`` (at least one). A refusal form refuses everything on it: no module may be accepted.
    """
    by_code = {m.code: m for m in modules}
    unknown = sorted(set(choices) - set(by_code))
    if unknown:
        raise DomainError(
            _("The template has no module %(unknown)s; its modules are %(by_code)s.")
            % {"unknown": ", ".join(unknown), "by_code": ", ".join(by_code)},
            field="choices",
            code="unknown_module",
        )
    form = template.type
    allowed = CHOICES_OF_FORM[form]
    result: dict[int, str] = {}
    for module in modules:
        choice = choices.get(module.code) or ModuleChoice.UNANSWERED
        if choice not in allowed:
            what = {
                TemplateType.CONSENT: "a consent form records accepted, declined or unanswered",
                TemplateType.WITHDRAWAL: "a withdrawal form records the modules withdrawn (withdrawn) and leaves "
                "the others unanswered",
                TemplateType.REFUSAL: "a refusal form refuses everything on it: nothing can be accepted",
            }[TemplateType(form)]
            raise DomainError(
                _("The answer for “%(module_title)s” (%(module_code)s) cannot be %(choice)r: %(what)s.")
                % {
                    "module_title": module.title_in(language),
                    "module_code": module.code,
                    "choice": choice,
                    "what": what,
                },
                field=f"choices/{module.code}",
                code="choice_for_form",
            )
        if form == TemplateType.CONSENT and module.mandatory and choice != ModuleChoice.ACCEPTED:
            what = "was declined" if choice == ModuleChoice.DECLINED else "is missing"
            raise DomainError(
                _(
                    "The mandatory module “%(module_title)s” (%(module_code)s) %(what)s: the donor must accept it to "
                    "sign this form (record a refusal on a refusal form instead)."
                )
                % {"module_title": module.title_in(language), "module_code": module.code, "what": what},
                field=f"choices/{module.code}",
                code="mandatory_module",
            )
        result[module.pk] = choice
    if form == TemplateType.WITHDRAWAL and ModuleChoice.WITHDRAWN not in result.values():
        raise DomainError(
            _(
                "Tick at least one module the donor withdraws from (a withdrawal form with nothing ticked withdraws "
                "nothing)."
            ),
            field="choices",
            code="nothing_withdrawn",
        )
    for module in modules:
        parent_refused = module.parent_id in result and result[module.parent_id] != ModuleChoice.ACCEPTED
        if form == TemplateType.CONSENT and parent_refused and result[module.pk] == ModuleChoice.ACCEPTED:
            parent = next(m for m in modules if m.pk == module.parent_id)
            raise DomainError(
                _(
                    "“%(module_title)s” is part of “%(parent_title)s”, which was not accepted; it cannot be accepted "
                    "on its own."
                )
                % {
                    "module_title": module.title_in(language),
                    "parent_title": parent.title_in(language),
                },
                field=f"choices/{module.code}",
                code="nested_module",
            )
    return result


def _check_language(template: Template, language: str) -> None:
    languages = sorted(template.texts.values_list("language", flat=True))
    if language not in languages:
        raise DomainError(
            _("Template %(template)s has no text in %(language)r; it is available in %(languages)s.")
            % {"template": template, "language": language, "languages": ", ".join(languages)},
            field="language",
        )


def _check_representative(name: str, relation: str) -> tuple[str, str]:
    name, relation = (name or "").strip(), (relation or "").strip()
    if bool(name) != bool(relation):
        raise DomainError(
            _("For a legal representative or guardian give both the name and the relation to the donor."),
            field="representative_relation" if name else "representative_name",
            code="required",
        )
    return name, relation


def _check_information(actor: Actor, donor: Donor, informed_by: Any, informed_place: str) -> tuple[Any, str]:
    """Who informed the donor (a staff member of the biobank; the recorder needs no second check) and where."""
    if informed_by is None or informed_by != actor:
        check_staff(informed_by, biobank_id=donor.biobank_id, field="informed_by", what="person who informed the donor")
    return informed_by, check_place(informed_place)


def _capture_details(consent: Consent) -> dict[str, Any]:
    """Who stood beside the signature, for the audit trail: staff only, never the donor or the representative."""
    return {
        "witnessed_by": consent.countersigned_by.email if consent.countersigned_by else None,
        "informed_by": consent.informed_by.email if consent.informed_by else None,
        "informed_place": consent.informed_place,
        "representative_legal_basis": consent.representative_legal_basis or None,
    }


def _lock_and_mark_signed(template: Template, now: Any) -> Template:
    """Lock the version row; the first signature freezes it (``signed_at``), also for the database triggers."""
    locked = Template.objects.select_for_update().get(pk=template.pk)
    if locked.signed_at is None:
        locked.signed_at = now
        locked.save(update_fields=["signed_at"])
    return locked


def _save_choices(consent: Consent, checked: dict[int, str]) -> None:
    ConsentModuleChoice.objects.bulk_create(
        ConsentModuleChoice(consent=consent, module_id=pk, choice=choice) for pk, choice in checked.items()
    )


def _ancestors(module: Module, by_id: dict[int, Module]) -> list[Module]:
    chain, seen = [], set()
    while module.parent_id is not None and module.parent_id in by_id and module.parent_id not in seen:
        seen.add(module.parent_id)
        module = by_id[module.parent_id]
        chain.append(module)
    return chain


def nested_in(module_ids: set[int]) -> set[int]:
    """``module_ids`` and every module nested in them in the catalogue, at any depth — also those a withdrawal form
    does not list: withdrawing a module withdraws what is part of it (one query per level of nesting)."""
    affected, frontier = set(module_ids), set(module_ids)
    while frontier:
        frontier = set(Module.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - affected
        affected |= frontier
    return affected


def _expand(consent: Consent, choices: dict[int, str], *, recorded_at: Any, actor: Actor) -> list[PolicyState]:
    """The acts a signature writes, one per module and policy, as the form type says.

    Consent form: accepted / declined / unknown per module; an acceptance lasts the shortest of the template's, the
    module's (and its parents') and the policy's validity. Withdrawal form: ``withdrawn`` for the ticked modules and
    everything nested in them. Refusal form: ``refused`` for every policy on it.
    """
    modules = _template_modules(consent.template)
    form = consent.template.type
    if form == TemplateType.WITHDRAWAL:
        ticked = {pk for pk, choice in choices.items() if choice == ModuleChoice.WITHDRAWN}
        chosen = nested_in(ticked)
        modules = [*modules, *Module.objects.filter(pk__in=chosen - {m.pk for m in modules})]
        state_of = dict.fromkeys(chosen, PolicyStateValue.WITHDRAWN)
    elif form == TemplateType.REFUSAL:
        state_of = {m.pk: PolicyStateValue.REFUSED for m in modules}
    else:
        state_of = {pk: STATE_OF_CHOICE[choice] for pk, choice in choices.items()}
    through = Module.policies.through.objects.filter(module__in=modules).select_related("policy")
    policies_of: dict[int, list] = {}
    for row in through:
        policies_of.setdefault(row.module_id, []).append(row.policy)
    by_id = {m.pk: m for m in modules}
    rows = []
    for module in modules:
        if module.pk not in state_of:
            continue
        state = state_of[module.pk]
        limits = [consent.template.consent_validity, module.validity, *(m.validity for m in _ancestors(module, by_id))]
        for policy in sorted(policies_of.get(module.pk, []), key=lambda p: p.code):
            accepted = state == PolicyStateValue.ACCEPTED
            valid_to = shortest_end([*limits, policy.validity], start=consent.signed_on) if accepted else None
            if valid_to is not None and valid_to < consent.signed_on:
                raise DomainError(
                    _(
                        "Policy %(policy_code)s in module %(module_code)s would be valid only until %(valid_to)s, "
                        "before the form was signed on %(signed_on)s: the validity of the template, module or policy "
                        "has ended; sign a current version."
                    )
                    % {
                        "policy_code": policy.code,
                        "module_code": module.code,
                        "valid_to": valid_to,
                        "signed_on": consent.signed_on,
                    },
                    field="template",
                    code="validity_ended",
                )
            rows.append(
                PolicyState(
                    consent=consent,
                    donor_id=consent.donor_id,
                    module=module,
                    policy=policy,
                    origin=ActOrigin.SIGNATURE,
                    state=state,
                    valid_from=consent.signed_on,
                    valid_to=valid_to,
                    recorded_at=recorded_at,
                    recorded_by=person_or_none(actor),
                )
            )
    return PolicyState.objects.bulk_create(rows)
