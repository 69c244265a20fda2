"""Writes to the consent catalogue: policies, modules, template versions and their life cycle.

Every function is atomic, names its actor and audits in the same transaction. A template version that was signed is
immutable: these services refuse to change it (with a message), and database triggers refuse it as a second line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from biobank.accounts.models import Biobank
from biobank.accounts.principals import Actor, person_or_none
from biobank.audit.services import audit_record
from biobank.errors import ConflictError, DomainError

from ..choices import (
    TEMPLATE_ALLOWED_TRANSITIONS,
    ModuleDefault,
    PolicyAction,
    PolicyDataClass,
    TemplateStatus,
    TemplateType,
)
from ..codings import coding_validate, uri_validate
from ..duo import duo_terms_validate
from ..models import Module, Policy, Template, TemplateModule, TemplateText
from ..validity import validity_validate
from .catalogue_checks import _check_default_state, _check_disease, _check_texts
from .permissions import require_manage_consent

__all__ = [
    "module_create",
    "policy_create",
    "require_manage_consent",
    "template_activate",
    "template_create",
    "template_new_version",
    "template_retire",
    "template_texts_update",
]


def policy_create(
    *,
    actor: Actor,
    biobank: Biobank | None,
    code: str,
    name: str,
    action: str,
    data_class: str,
    version: str = "1",
    description: str = "",
    duo_terms: Iterable[str] = (),
    duo_disease: str = "",
    purpose: str = "research",
    validity: str = "",
    coding_system: str = "",
    coding_code: str = "",
) -> Policy:
    """An atomic permission; ``duo_terms`` are checked against the shipped DUO list (ids or shorthands).

    A DS (disease-specific) policy must name its disease, as ICD-10 or ORPHA (stored normalised, see
    ``consent.diseases``): without one the restriction could not be matched and DS would silently mean "any disease".
    ``coding_system``/``coding_code`` are the policy's coding for FHIR ``Consent.provision.code``.
    """
    require_manage_consent(actor, biobank)
    if action not in PolicyAction.values:
        raise DomainError(
            _("Action %(action)r is not one of %(values)s.")
            % {"action": action, "values": ", ".join(PolicyAction.values)},
            field="action",
        )
    if data_class not in PolicyDataClass.values:
        raise DomainError(
            _("Class %(data_class)r is not one of %(values)s.")
            % {"data_class": data_class, "values": ", ".join(PolicyDataClass.values)},
            field="class",
        )
    terms = duo_terms_validate(list(duo_terms))
    disease = _check_disease(terms, duo_disease)
    coding_system, coding_code = coding_validate(
        coding_system, coding_code, system_field="coding_system", code_field="coding_code"
    )
    policy = Policy(
        biobank=biobank,
        code=code,
        version=version,
        name=name,
        description=description,
        duo_terms=terms,
        duo_disease=disease,
        action=action,
        data_class=data_class,
        purpose=purpose,
        validity=validity_validate(validity),
        coding_system=coding_system,
        coding_code=coding_code,
    )
    try:
        with transaction.atomic():
            policy.save()
            audit_record(actor=actor, action="consent_policy.create", obj=policy, biobank=biobank, details=_p(policy))
    except IntegrityError:
        raise ConflictError(
            _("Policy %(code)s version %(version)s exists already.") % {"code": code, "version": version},
            field="code",
            code="duplicate",
        ) from None
    return policy


def _p(policy: Policy) -> dict:
    return {
        "code": policy.code,
        "version": policy.version,
        "duo_terms": policy.duo_terms,
        "duo_disease": policy.duo_disease,
        "validity": policy.validity,
        "coding": f"{policy.coding_system}|{policy.coding_code}" if policy.coding_code else "",
    }


def module_create(
    *,
    actor: Actor,
    biobank: Biobank | None,
    code: str,
    texts: Mapping[str, Any],
    policies: Iterable[Policy],
    mandatory: bool = False,
    default_state: str = ModuleDefault.NONE,
    parent: Module | None = None,
    validity: str = "",
    version: int = 1,
) -> Module:
    """The checkbox unit. Its policies must be network-wide or of the same biobank."""
    require_manage_consent(actor, biobank)
    policies = list(policies)
    if not policies:
        raise DomainError(
            _("Module %(code)s needs at least one policy.") % {"code": code}, field="policies", code="required"
        )
    for policy in policies:
        if policy.biobank_id not in (None, getattr(biobank, "pk", None)):
            raise DomainError(_("Policy %(policy)s belongs to another biobank.") % {"policy": policy}, field="policies")
    default_state = _check_default_state(default_state, mandatory=mandatory, code=code)
    module = Module(
        biobank=biobank,
        code=code,
        version=version,
        texts=_check_texts(texts, what=f"module {code}"),
        mandatory=mandatory,
        default_state=default_state,
        parent=parent,
        validity=validity_validate(validity),
    )
    try:
        with transaction.atomic():
            module.save()
            module.policies.set(policies)
            audit_record(
                actor=actor,
                action="consent_module.create",
                obj=module,
                biobank=biobank,
                details={"code": code, "version": version, "policies": [str(p) for p in policies]},
            )
    except IntegrityError:
        raise ConflictError(
            _("Module %(code)s version %(version)s exists already.") % {"code": code, "version": version},
            field="code",
            code="duplicate",
        ) from None
    return module


def _check_modules(biobank: Biobank, modules: list[Module]) -> None:
    if not modules:
        raise DomainError(_("A template needs at least one module."), field="modules", code="required")
    ids = {m.pk for m in modules}
    for module in modules:
        if module.biobank_id not in (None, biobank.pk):
            raise DomainError(_("Module %(module)s belongs to another biobank.") % {"module": module}, field="modules")
        if module.parent_id is not None and module.parent_id not in ids:
            raise DomainError(
                _("Module %(module)s is nested in a module the template does not contain.") % {"module": module},
                field="modules",
            )
    codes = [m.code for m in modules]
    if len(set(codes)) != len(codes):
        raise DomainError(_("A template contains each module code once."), field="modules")


@transaction.atomic
def template_create(
    *,
    actor: Actor,
    biobank: Biobank,
    code: str,
    version_label: str,
    texts: Mapping[str, Any],
    modules: Iterable[Module],
    type: str = TemplateType.CONSENT,
    valid_from: date | None = None,
    valid_to: date | None = None,
    consent_validity: str = "",
    policy_uri: str = "",
) -> Template:
    """The first version of a template family, as a draft. ``policy_uri`` identifies the version for FHIR."""
    require_manage_consent(actor, biobank)
    if Template.objects.filter(biobank=biobank, code=code).exists():
        raise ConflictError(
            _("Template %(code)s exists already; derive a new version from its latest one.") % {"code": code},
            field="code",
            code="duplicate",
        )
    return _template_insert(
        actor=actor,
        biobank=biobank,
        code=code,
        number=1,
        version_label=version_label,
        texts=_check_texts(texts, what="template"),
        modules=list(modules),
        type=type,
        valid_from=valid_from,
        valid_to=valid_to,
        consent_validity=consent_validity,
        policy_uri=policy_uri,
        derived_from=None,
    )


def _template_insert(*, actor: Actor, biobank: Biobank, derived_from: Template | None, **fields: Any) -> Template:
    texts, modules = fields.pop("texts"), fields.pop("modules")
    if fields["type"] not in TemplateType.values:
        raise DomainError(
            _("Type %(type)r is not one of %(values)s.")
            % {"type": fields["type"], "values": ", ".join(TemplateType.values)},
            field="type",
        )
    if not (fields["version_label"] or "").strip():
        raise DomainError(_("Give the version a label, e.g. v2 or 1.7.2."), field="version_label", code="required")
    fields["consent_validity"] = validity_validate(fields["consent_validity"], field="consent_validity")
    fields["policy_uri"] = uri_validate(fields["policy_uri"], field="policy_uri")
    if fields["valid_from"] and fields["valid_to"] and fields["valid_to"] < fields["valid_from"]:
        raise DomainError(_("“May be signed until” lies before “may be signed from”."), field="valid_to")
    _check_modules(biobank, modules)
    template = Template(
        biobank=biobank,
        derived_from=derived_from,
        created_by=person_or_none(actor),
        status=TemplateStatus.DRAFT,
        **fields,
    )
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise ConflictError(
            _("Template %(template_code)s already has a version labelled %(version_label)r.")
            % {"template_code": template.code, "version_label": template.version_label},
            field="version_label",
            code="duplicate",
        ) from None
    TemplateText.objects.bulk_create(
        TemplateText(template=template, language=lang, title=t["title"], text=t["text"]) for lang, t in texts.items()
    )
    TemplateModule.objects.bulk_create(
        TemplateModule(template=template, module=m, position=i) for i, m in enumerate(modules)
    )
    audit_record(
        actor=actor,
        action="consent_template.create",
        obj=template,
        details={
            "code": template.code,
            "version": template.version_label,
            "derived_from": derived_from.pk if derived_from else None,
            "languages": sorted(texts),
            "modules": [str(m) for m in modules],
            "policy_uri": template.policy_uri,
        },
    )
    return template


def _refuse_if_signed(template: Template) -> None:
    if template.is_signed:
        raise ConflictError(
            _(
                "Template %(template_code)s %(version_label)s was signed on %(signed_at)s; a signed version is "
                "immutable. Derive a new version."
            )
            % {
                "template_code": template.code,
                "version_label": template.version_label,
                "signed_at": formats.date_format(timezone.localtime(template.signed_at), "SHORT_DATE_FORMAT"),
            },
            code="signed",
        )


@transaction.atomic
def template_texts_update(*, actor: Actor, template: Template, texts: Mapping[str, Any]) -> Template:
    """Change the wording of a version that nobody has signed yet (drafts; active versions before first use)."""
    require_manage_consent(actor, template.biobank)
    template = Template.objects.select_for_update().get(pk=template.pk)
    _refuse_if_signed(template)
    clean = _check_texts(texts, what="template")
    before = {t.language: t.text for t in template.texts.all()}
    for language, value in clean.items():
        TemplateText.objects.update_or_create(
            template=template, language=language, defaults={"title": value["title"], "text": value["text"]}
        )
    audit_record(
        actor=actor,
        action="consent_template.update",
        obj=template,
        changes={
            f"text_{lang}": [before.get(lang), v["text"]] for lang, v in clean.items() if before.get(lang) != v["text"]
        },
    )
    return template


@transaction.atomic
def template_new_version(
    *,
    actor: Actor,
    previous: Template,
    version_label: str,
    texts: Mapping[str, Any] | None = None,
    module_texts: Mapping[str, Mapping[str, Any]] | None = None,
    consent_validity: str | None = None,
    policy_uri: str = "",
) -> Template:
    """A new draft derived from ``previous``: same modules, with changed wording where given.

    ``module_texts`` is ``{module code: {language: {"title", "text"}}}``; a module whose wording changes gets a new
    module version (the old one may be part of signed consents and stays as it was). ``policy_uri`` is not copied:
    a new version is a new document with its own identifier. A module that was signed with "accept" pre-selected
    (allowed before the rule) is copied with nothing pre-selected.
    """
    require_manage_consent(actor, previous.biobank)
    latest = Template.objects.filter(biobank=previous.biobank, code=previous.code).order_by("-number").first()
    assert latest is not None
    old_texts = {t.language: {"title": t.title, "text": t.text} for t in previous.texts.all()}
    new_texts = _check_texts(texts, what="template") if texts else old_texts
    modules: list[Module] = []
    replaced: dict[int, Module] = {}
    for link in previous.template_modules.select_related("module").order_by("position"):
        module = link.module
        wanted = (module_texts or {}).get(module.code)
        merged = {**module.texts, **_check_texts(wanted, what=f"module {module.code}")} if wanted else module.texts
        if merged != module.texts or module.parent_id in replaced or module.carried_default != module.default_state:
            newest = Module.objects.filter(biobank=module.biobank, code=module.code).order_by("-version").first()
            copy = Module.objects.create(
                biobank=module.biobank,
                code=module.code,
                version=(newest.version if newest else module.version) + 1,
                texts=merged,
                parent=module.parent if module.parent_id is None else replaced.get(module.parent_id, module.parent),
                mandatory=module.mandatory,
                default_state=module.carried_default,
                validity=module.validity,
            )
            copy.policies.set(module.policies.all())
            replaced[module.pk] = copy
            module = copy
        modules.append(module)
    return _template_insert(
        actor=actor,
        biobank=previous.biobank,
        derived_from=previous,
        code=previous.code,
        number=latest.number + 1,
        version_label=version_label,
        texts=new_texts,
        modules=modules,
        type=previous.type,
        valid_from=None,
        valid_to=None,
        consent_validity=previous.consent_validity if consent_validity is None else consent_validity,
        policy_uri=policy_uri,
    )


def _transition(template: Template, target: str) -> None:
    if not template.can_become(target):
        allowed = ", ".join(sorted(TEMPLATE_ALLOWED_TRANSITIONS[template.status])) or "none"
        raise ConflictError(
            _(
                "Template %(template_code)s %(version_label)s is %(status)s; it cannot become %(target)s (allowed from "
                "%(status)s: %(allowed)s)."
            )
            % {
                "template_code": template.code,
                "version_label": template.version_label,
                "status": template.status,
                "target": target,
                "allowed": allowed,
            },
            field="status",
            code="transition",
        )


@transaction.atomic
def template_activate(*, actor: Actor, template: Template) -> Template:
    """Make a draft the version donors sign; the previously active version of the family is retired."""
    require_manage_consent(actor, template.biobank)
    template = Template.objects.select_for_update().get(pk=template.pk)
    _transition(template, TemplateStatus.ACTIVE)
    if not template.texts.exists():
        raise DomainError(_("A template without text cannot be activated."), code="required")
    now = timezone.now()
    current = (
        Template.objects.select_for_update()
        .filter(biobank=template.biobank, code=template.code, status=TemplateStatus.ACTIVE)
        .first()
    )
    if current is not None:
        current.status, current.retired_at = TemplateStatus.RETIRED, now
        current.save(update_fields=["status", "retired_at"])
        audit_record(
            actor=actor,
            action="consent_template.retire",
            obj=current,
            changes={"status": [TemplateStatus.ACTIVE, TemplateStatus.RETIRED]},
            reason=f"replaced by {template.version_label}",
        )
    before = template.status
    template.status, template.activated_at = TemplateStatus.ACTIVE, now
    template.save(update_fields=["status", "activated_at"])
    audit_record(actor=actor, action="consent_template.activate", obj=template, changes={"status": [before, "active"]})
    return template


@transaction.atomic
def template_retire(*, actor: Actor, template: Template) -> Template:
    """Stop a version from being signed (consents already signed on it keep counting)."""
    require_manage_consent(actor, template.biobank)
    template = Template.objects.select_for_update().get(pk=template.pk)
    _transition(template, TemplateStatus.RETIRED)
    before = template.status
    template.status, template.retired_at = TemplateStatus.RETIRED, timezone.now()
    template.save(update_fields=["status", "retired_at"])
    audit_record(actor=actor, action="consent_template.retire", obj=template, changes={"status": [before, "retired"]})
    return template
