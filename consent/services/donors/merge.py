"""Merging two donors that are the same person: every reference moves, both histories are kept."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models.fields.reverse_related import ManyToManyRel
from django.utils.translation import gettext as _

from biobank.accounts.choices import Perm
from biobank.accounts.principals import Actor
from biobank.errors import ConflictError, DomainError

from ...choices import DonorStatus
from ...free_text import free_text_check
from ...models import Donor
from .access import _audit, _require_perm


def _repoint(*, source: Donor, target: Donor) -> dict[str, int]:
    """Move every reference to ``source`` onto ``target`` (see the ``Donor`` docstring); ``{model label: rows}``."""
    moved: dict[str, int] = {}
    for relation in Donor._meta.related_objects:
        model = relation.related_model
        if model is Donor or getattr(model, "KEEP_ON_MERGE", False):
            continue
        label = model._meta.label_lower
        hook = getattr(model, "donor_merge_repoint", None)
        try:
            with transaction.atomic():
                if hook is not None:
                    count = hook(source=source, target=target, field_name=relation.field.name)
                elif isinstance(relation, ManyToManyRel):
                    through = relation.through
                    assert through is not None  # Django resolves it when the models are loaded
                    to_donor, to_owner = relation.field.m2m_reverse_field_name(), relation.field.m2m_field_name()
                    linked = through._default_manager.filter(**{to_donor: target}).values(to_owner)
                    through._default_manager.filter(**{to_donor: source, f"{to_owner}__in": linked}).delete()
                    count = through._default_manager.filter(**{to_donor: source}).update(**{to_donor: target})
                else:
                    name = relation.field.name
                    count = model._base_manager.filter(**{name: source}).update(**{name: target})
        except IntegrityError:
            raise ConflictError(
                _(
                    "Cannot merge: %(records)s of %(pid_display)s collide with those of %(target_pid)s (the target may "
                    "have only one); resolve them first."
                )
                % {
                    "records": model._meta.verbose_name_plural,
                    "pid_display": source.pid_display,
                    "target_pid": target.pid_display,
                },
                field="source",
            ) from None
        if count:
            moved[label] = moved.get(label, 0) + count
    return moved


@transaction.atomic
def donor_merge(*, actor: Actor, source: Donor, target: Donor, reason: str) -> Donor:
    """Merge ``source`` into ``target`` (both the same person): everything about the source moves to the target,
    the source stays as a record marked MERGED with ``merged_into`` — its PID still resolves, its history and
    vault row stay, so both histories are kept. Returns the target.
    """
    _require_perm(actor, source.biobank, Perm.MANAGE_CONSENT, "merge donors")
    if not isinstance(reason, str) or not reason.strip():
        raise DomainError(
            _("State why these donors are the same person; it is kept in the audit trail."),
            field="reason",
            code="required",
        )
    if source.pk == target.pk:
        raise DomainError(_("A donor cannot be merged into itself; choose another donor."), field="target")
    if source.biobank_id != target.biobank_id:
        raise DomainError(_("Donors of different biobanks cannot be merged."), field="target")
    locked = {d.pk: d for d in Donor.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk")}
    src, tgt = locked[source.pk], locked[target.pk]
    if not src.can_become(DonorStatus.MERGED):
        raise ConflictError(
            _("Donor %(pid_display)s is already merged into another donor.") % {"pid_display": src.pid_display},
            field="source",
        )
    if tgt.status == DonorStatus.MERGED:
        raise DomainError(
            _("Donor %(pid_display)s was itself merged; merge into the donor it was merged into.")
            % {"pid_display": tgt.pid_display},
            field="target",
        )
    reason = free_text_check(reason, field="reason", donor=src)
    free_text_check(reason, field="reason", donor=tgt)
    moved = _repoint(source=src, target=tgt)
    old_status = src.status
    src.status, src.merged_into = DonorStatus.MERGED, tgt
    src.save(update_fields=["status", "merged_into", "updated_at"])
    _audit(
        actor=actor,
        action="donor.merge",
        obj=src,
        changes={"status": [old_status, DonorStatus.MERGED], "merged_into": [None, tgt.pid_display]},
        details={"target": tgt.pid_display, "moved": moved},
        reason=reason.strip(),
    )
    _audit(
        actor=actor,
        action="donor.merge_receive",
        obj=tgt,
        details={"source": src.pid_display, "moved": moved},
        reason=reason.strip(),
    )
    source.status, source.merged_into = src.status, tgt
    return tgt
