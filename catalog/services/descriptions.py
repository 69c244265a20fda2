"""Saving MIABIS descriptions: biobank profiles, collections, persons, networks and research resources.

Every write validates all fields at once (``InvalidFields`` lists each problem with its field, the value and what
is allowed), writes in one transaction and is audited with the changed fields.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from biobank.accounts.models import Biobank
from biobank.accounts.principals import Actor
from biobank.audit.services import audit_record
from biobank.errors import InvalidFields

from .. import identifiers
from ..choices import CatalogAuditAction
from ..models import BiobankProfile, Collection, Network, Person, PublicationState, QualityStandard, ResearchResource
from ..schema import (
    BIOBANK_CODES,
    COLLECTION_CODES,
    COLLECTION_REQUIRED_TO_PUBLISH,
    NETWORK_CODES,
    PERSON_CODES,
    QUALITY_CODES,
    RESEARCH_RESOURCE_CODES,
    validate_age_range,
    validate_codes_of,
)

M = TypeVar("M", bound=models.Model)
COLLECTION_DESCRIPTION_FIELDS = (
    "name", "description", "bbmri_id", "parent", "acronym", "url", "contact", "head", "country", "sample_source",
    "sex", "age_low", "age_high", "age_unit", "dataset_types", "materials", "storage_temperatures", "diseases",
    "collection_settings", "collection_designs", "use_access_conditions", "data_use", "status", "number_of_subjects",
    "inclusion_criteria", "publications", "collection_types", "data_categories", "access_fee",
    "access_joint_project", "access_description", "access_uri", "sops", "collaboration_commercial",
    "collaboration_non_for_profit", "withdrawn",
)  # fmt: skip


def _value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def _model_errors(instance: models.Model, exclude: list[str], errors: dict[str, list[str]]) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)


def _save(
    *,
    actor: Actor,
    instance: M,
    data: dict[str, Any],
    codes: dict[str, str],
    action: str,
    exclude: list[str],
    errors: dict[str, list[str]] | None = None,
) -> M:
    """Validate everything (with the caller's own ``errors`` found so far), then write: all problems at once."""
    data = dict(data)
    errors = {field: list(messages) for field, messages in (errors or {}).items()}
    for field, messages in validate_codes_of(codes, data).items():
        errors.setdefault(field, []).extend(messages)
    ages = {field: getattr(instance, field, None) for field in ("age_low", "age_high", "age_unit")}
    validate_age_range({**ages, **{k: v for k, v in data.items() if k in ages}}, errors)
    before = {field: _value(getattr(instance, field, None)) for field in data}
    for field, value in data.items():
        setattr(instance, field, value)
    _model_errors(instance, exclude, errors)
    if errors:  # a field checked twice (an ID by the service and by its model validator) says it once
        raise InvalidFields({field: list(dict.fromkeys(messages)) for field, messages in errors.items()})
    creating = instance.pk is None or not type(instance)._default_manager.filter(pk=instance.pk).exists()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise InvalidFields(
            {"bbmri_id": [_("This ID is already used by another record (%(error)s).") % {"error": error}]}
        ) from None
    changes = {
        field: [None if creating else old, _value(getattr(instance, field))]
        for field, old in before.items()
        if creating or old != _value(getattr(instance, field))
    }
    if changes:
        audit_record(actor=actor, action=action, obj=instance, changes=changes)
    return instance


@transaction.atomic
def person_save(*, actor: Actor, person: Person | None = None, **data: Any) -> Person:
    return _save(
        actor=actor, instance=person or Person(), data=data, codes=PERSON_CODES,
        action=CatalogAuditAction.PERSON_SAVE, exclude=["biobank"],
    )  # fmt: skip


@transaction.atomic
def profile_save(*, actor: Actor, biobank: Biobank, **data: Any) -> BiobankProfile:
    """Create or change a biobank's MIABIS description; ``quality_standards`` is ``[(standard, level), …]``."""
    quality = data.pop("quality_standards", None)
    profile = BiobankProfile.objects.filter(biobank=biobank).first() or BiobankProfile(biobank=biobank)
    errors: dict[str, list[str]] = {}
    if quality is not None:
        for standard, level in quality:
            found = validate_codes_of(QUALITY_CODES, {"standard": standard, "assessment_level": level})
            for messages in found.values():
                errors.setdefault("quality_standards", []).extend(messages)
    profile = _save(
        actor=actor, instance=profile, data=data, codes=BIOBANK_CODES,
        action=CatalogAuditAction.PROFILE_SAVE, exclude=["biobank"], errors=errors,
    )  # fmt: skip
    if quality is not None:
        old = sorted(profile.quality_standards.values_list("standard", "assessment_level"))
        new = sorted((s, lvl) for s, lvl in dict(quality).items())
        if old != new:
            profile.quality_standards.all().delete()
            QualityStandard.objects.bulk_create(
                QualityStandard(biobank=profile, standard=s, assessment_level=lvl) for s, lvl in new
            )
            audit_record(
                actor=actor, action=CatalogAuditAction.PROFILE_SAVE, obj=profile,
                changes={"quality_standards": [[list(x) for x in old], [list(x) for x in new]]},
            )  # fmt: skip
    return profile


def _check_parent(collection: Collection, parent: Collection | None, errors: dict[str, list[str]]) -> None:
    if parent is None:
        return
    if parent.biobank_id != collection.biobank_id:
        errors.setdefault("parent", []).append(
            _("A sub-collection must be part of a collection of the same biobank; %(parent)r belongs to another.")
            % {"parent": parent.code}
        )
        return
    node: Collection | None = parent
    seen: set[int] = set()
    while node is not None and node.pk not in seen:
        if collection.pk is not None and node.pk == collection.pk:
            errors.setdefault("parent", []).append(
                _("%(collection)r cannot be part of %(parent)r: %(parent)r is already part of %(collection)r.")
                % {"collection": collection.code, "parent": parent.code}
            )
            return
        seen.add(node.pk)
        node = node.parent


@transaction.atomic
def collection_describe(*, actor: Actor, collection: Collection, **data: Any) -> Collection:
    """Change a collection's MIABIS description (any of ``COLLECTION_DESCRIPTION_FIELDS``)."""
    unknown = set(data) - set(COLLECTION_DESCRIPTION_FIELDS)
    if unknown:
        raise InvalidFields(
            {
                field: [_("%(field)r is not a collection attribute you can change.") % {"field": field}]
                for field in sorted(unknown)
            }
        )
    errors: dict[str, list[str]] = {}
    if "parent" in data:
        _check_parent(collection, data["parent"], errors)
    if data.get("bbmri_id"):
        profile = BiobankProfile.objects.filter(biobank_id=collection.biobank_id).first()
        try:
            identifiers.validate_collection_id(data["bbmri_id"], biobank_id=profile.bbmri_id if profile else None)
        except ValidationError as error:
            errors.setdefault("bbmri_id", []).extend(error.messages)
    if data.get("bbmri_id") == "":
        data["bbmri_id"] = None
    return _save(
        actor=actor, instance=collection, data=data, codes=COLLECTION_CODES,
        action=CatalogAuditAction.COLLECTION_DESCRIBE, exclude=["biobank"], errors=errors,
    )  # fmt: skip


def publication_problems(collection: Collection) -> dict[str, list[str]]:
    """What MIABIS requires before a collection may be published (empty when it may)."""
    errors: dict[str, list[str]] = {}
    for field in COLLECTION_REQUIRED_TO_PUBLISH:
        if getattr(collection, field) in (None, "", []):
            errors.setdefault(field, []).append(
                _("MIABIS requires %(field)s before the collection can be published.")
                % {"field": getattr(Collection._meta.get_field(field), "verbose_name", field)}
            )
    return errors


@transaction.atomic
def collection_set_state(*, actor: Actor, collection: Collection, state: str) -> Collection:
    if state not in PublicationState.values:
        raise InvalidFields({"state": [_("Unknown state %(state)r; allowed: draft, published.") % {"state": state}]})
    if state == PublicationState.PUBLISHED:
        problems = publication_problems(collection)
        if problems:
            raise InvalidFields(problems)
    if collection.state != state:
        old = collection.state
        collection.state = state
        collection.save(update_fields=["state", "updated_at"])
        audit_record(
            actor=actor, action=CatalogAuditAction.COLLECTION_PUBLISH, obj=collection, changes={"state": [old, state]}
        )
    return collection


@transaction.atomic
def network_save(*, actor: Actor, network: Network | None = None, **data: Any) -> Network:
    members = data.pop("member_biobanks", None)
    network = _save(
        actor=actor, instance=network or Network(), data=data, codes=NETWORK_CODES,
        action=CatalogAuditAction.NETWORK_SAVE, exclude=[],
    )  # fmt: skip
    if members is not None:
        old = sorted(network.member_biobanks.values_list("code", flat=True))
        network.member_biobanks.set(members)
        new = sorted(b.code for b in members)
        if old != new:
            audit_record(
                actor=actor, action=CatalogAuditAction.NETWORK_SAVE, obj=network,
                changes={"member_biobanks": [old, new]},
            )  # fmt: skip
    return network


@transaction.atomic
def research_resource_save(
    *, actor: Actor, biobank: Biobank, resource: ResearchResource | None = None, **data: Any
) -> ResearchResource:
    collections = data.pop("collections", None)
    resource = _save(
        actor=actor, instance=resource or ResearchResource(biobank=biobank), data=data,
        codes=RESEARCH_RESOURCE_CODES, action=CatalogAuditAction.RESEARCH_RESOURCE_SAVE, exclude=["biobank"],
    )  # fmt: skip
    if collections is not None:
        resource.collections.set(collections)
    return resource
