"""The researcher's verbs on a request: create and edit the draft, submit it, withdraw it, resubmit it after the
committee asked for changes. Each checks who acts and what is valid, then goes through the workflow primitives
(``services/workflow.py``) so every change is in the request's log and the audit trail."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.errors import DomainError, ForbiddenError, InvalidFields
from catalog.models import Collection
from catalog.search import published_collections

from ..choices import REQUEST_EDITABLE, AttachmentKind, PurposeKind, RequestStatus, TeamRole
from ..models import AccessRequest, RequestResource
from ..selectors import request_get_for
from ..validation import request_values_clean
from .workflow import event_record, request_number_assign, request_transition

EDITABLE_FIELDS = frozenset(
    {
        "title", "lay_summary", "abstract", "purpose_kind", "disease", "methods_development", "commercial",
        "material", "donors_requested", "samples_requested", "criteria", "inclusion_criteria", "data_categories",
        "ethics_reference", "ethics_expiry", "funding", "duration_months", "search_description",
    }
)  # fmt: skip


def _researcher_only(actor: Any, request: AccessRequest) -> AccessRequest:
    """The request, fresh, if ``actor`` is its researcher; 404 if they may not read it, 403 if they only read it."""
    visible = request_get_for(user=actor, pk=request.pk)
    if visible.researcher_id != actor.pk:
        raise ForbiddenError(_("Only the researcher who wrote request %(n)s may change it.") % {"n": visible.number})
    return visible


def _editable(request: AccessRequest) -> None:
    if request.status not in REQUEST_EDITABLE:
        raise DomainError(
            _("Request %(n)s is %(status)s: it can be edited only as a draft or when the committee asked for changes.")
            % {"n": request.number, "status": request.get_status_display()},
            field="status",
            code="not_editable",
        )


def _checked(fields: dict[str, Any], *, purpose_kind: str) -> dict[str, Any]:
    unknown = sorted(set(fields) - EDITABLE_FIELDS)
    if unknown:
        raise DomainError(
            _("%(fields)s cannot be set on a request; editable fields: %(allowed)s.")
            % {"fields": ", ".join(unknown), "allowed": ", ".join(sorted(EDITABLE_FIELDS))},
            field=unknown[0],
            code="unknown_field",
        )
    values, problems = request_values_clean(fields, purpose_kind=purpose_kind)
    if problems:
        raise InvalidFields(problems)
    return values


def collections_checked(collection_ids: Iterable[int]) -> list[Collection]:
    """Published collections of the public catalogue, or an error naming the ids that are not."""
    ids = list(dict.fromkeys(int(i) for i in collection_ids))
    found = {c.pk: c for c in published_collections().filter(pk__in=ids).select_related("biobank")}
    missing = [i for i in ids if i not in found]
    if missing:
        raise DomainError(
            _("Collection(s) %(ids)s are not in the public catalogue; choose published collections.")
            % {"ids": ", ".join(str(i) for i in missing)},
            field="collections",
            code="unknown_collection",
        )
    return [found[i] for i in ids]


def _resources_set(request: AccessRequest, collections: list[Collection]) -> None:
    by_biobank: dict[int, list[Collection]] = defaultdict(list)
    for collection in collections:
        by_biobank[collection.biobank_id].append(collection)
    request.resources.exclude(biobank_id__in=list(by_biobank)).delete()
    for biobank_id, chosen in by_biobank.items():
        resource, _created = RequestResource.objects.get_or_create(request=request, biobank_id=biobank_id)
        resource.collections.set(chosen)


@transaction.atomic
def request_create(*, actor: Any, collection_ids: Iterable[int] = (), **fields: Any) -> AccessRequest:
    """A new draft by a researcher, optionally for catalogue collections: one resource per biobank. (The wizard asks
    for the researcher's profile first; the committees read it from there.)"""
    if not getattr(actor, "is_researcher", False):
        raise ForbiddenError(_("Only researchers write access requests; register as a researcher first."))
    fields.setdefault("title", "")
    values = _checked(fields, purpose_kind=fields.get("purpose_kind", PurposeKind.HMB))
    collections = collections_checked(collection_ids)
    request = AccessRequest.objects.create(researcher=actor, **values)
    request_number_assign(request)
    _resources_set(request, collections)
    event_record(
        request=request, actor=actor, kind="request.created", data={"collections": [c.pk for c in collections]}
    )
    return request


@transaction.atomic
def request_update(
    *, actor: Any, request: AccessRequest, collection_ids: Iterable[int] | None = None, **fields: Any
) -> AccessRequest:
    """Change the given fields (and, in a draft, the collections asked for); only by its researcher, only while
    editable. Every field is checked and every problem reported at once; nothing is saved on error."""
    request = _researcher_only(actor, request)
    locked = AccessRequest.objects.select_for_update().get(pk=request.pk)
    _editable(locked)
    values = _checked(fields, purpose_kind=fields.get("purpose_kind", locked.purpose_kind))
    changed = {name: value for name, value in values.items() if getattr(locked, name) != value}
    for name, value in changed.items():
        setattr(locked, name, value)
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    if collection_ids is not None:
        if locked.status != RequestStatus.DRAFT:
            raise DomainError(
                _("The biobanks asked cannot change after submission; they already review the request."),
                field="collections",
                code="resources_fixed",
            )
        _resources_set(locked, collections_checked(collection_ids))
        changed["collections"] = list(collection_ids)
    if changed:
        event_record(request=locked, actor=actor, kind="request.edited", data={"fields": sorted(changed)})
    return locked


def completeness_problems(request: AccessRequest) -> dict[str, list[str]]:
    """Everything still missing before the request can go to the committees (field → messages)."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(str(message))

    for name, message in (
        ("title", _("Give the project a title.")),
        ("lay_summary", _("Write a lay summary: what the project does, in words a donor understands.")),
        ("abstract", _("Write the scientific abstract.")),
        ("ethics_reference", _("Give the reference of the ethics approval.")),
    ):
        if not getattr(request, name).strip():
            add(name, message)
    if request.purpose_kind == PurposeKind.DISEASE and not request.disease:
        add("disease", _("A disease-specific purpose (DS) needs the disease as an ICD-10 code, e.g. E11."))
    if not request.material and not request.data_categories:
        add("material", _("Ask for material (at least one row) or data (at least one data category)."))
    if request.ethics_expiry is None:
        add("ethics_expiry", _("Give the date until which the ethics approval is valid."))
    elif request.ethics_expiry <= timezone.localdate():
        add("ethics_expiry", _("The ethics approval has expired; give an approval valid after today."))
    if not request.attachments.filter(kind=AttachmentKind.ETHICS_APPROVAL).exists():
        add("attachments", _("Upload the ethics approval (PDF or image)."))
    if request.duration_months is None:
        add("duration_months", _("Give the project's duration in months (1 to 60)."))
    if not request.resources.exists():
        add("collections", _("Choose at least one biobank collection."))
    waiting = request.team.filter(role=TeamRole.CO_APPLICANT, confirmed_at__isnull=True).values_list("name", flat=True)
    if waiting:
        add("team", _("Co-applicants who have not confirmed yet: %(names)s.") % {"names": ", ".join(waiting)})
    return problems


@transaction.atomic
def request_submit(*, actor: Any, request: AccessRequest) -> AccessRequest:
    """Send a complete draft to the biobanks' committees; every missing thing is listed at once."""
    request = _researcher_only(actor, request)
    if request.status != RequestStatus.DRAFT:
        return request_transition(request=request, to=RequestStatus.SUBMITTED, actor=actor)  # refused with a reason
    problems = completeness_problems(request)
    if problems:
        raise InvalidFields(problems)
    return request_transition(request=request, to=RequestStatus.SUBMITTED, actor=actor)


@transaction.atomic
def request_withdraw(*, actor: Any, request: AccessRequest, reason: str) -> AccessRequest:
    """The researcher takes the request back (from any state that allows it), saying why."""
    request = _researcher_only(actor, request)
    if not (reason or "").strip():
        raise DomainError(
            _("Say why you withdraw the request (the committees read it)."), field="reason", code="required"
        )
    return request_transition(request=request, to=RequestStatus.WITHDRAWN, actor=actor, reason=reason.strip())


@transaction.atomic
def request_resubmit(*, actor: Any, request: AccessRequest) -> AccessRequest:
    """After the committee asked for changes: back under review; the biobanks' resources keep their states."""
    request = _researcher_only(actor, request)
    if request.status == RequestStatus.CHANGES_REQUESTED:
        problems = completeness_problems(request)
        if problems:
            raise InvalidFields(problems)
    return request_transition(request=request, to=RequestStatus.UNDER_REVIEW, actor=actor)
