"""Data releases: a committee decider asks for one (``release_request``), a Celery job builds it
(``release_build``, via ``access_requests.release_builder``), a failed build is retried (``release_retry``).

The build re-checks every donor's consent on the day it runs, so a donor who withdrew before it is never in it
(counted in ``excluded_donors``); it writes only the approved attributes under the release's own pseudonyms.
"""

from __future__ import annotations

import logging
import shutil
from datetime import timedelta
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.choices import Perm
from biobank.accounts.selectors import user_has_biobank_perm
from biobank.errors import ConflictError, ForbiddenError
from biobank.ops.after_commit import after_commit
from biobank.pseudonyms.choices import DomainKind
from biobank.pseudonyms.services import domain_create

from ..choices import ReleaseStatus
from ..models import Release, ReleaseDonor, RequestResource
from ..release_builder import build_files, ordered_attributes
from .fulfilment_common import end_of_day, release_transition, require_granted, running_entitlements
from .workflow import event_record

logger = logging.getLogger(__name__)
BUILD_ACTOR = "system:release-build"


def require_decider(actor: Any, resource: RequestResource) -> None:
    """Releases are asked for by whoever decides requests for the resource's biobank (DECIDE_REQUESTS)."""
    if not user_has_biobank_perm(user=actor, biobank=resource.biobank, perm=Perm.DECIDE_REQUESTS):
        raise ForbiddenError(
            _("Only those who decide access requests for %(biobank)s may build its releases.")
            % {"biobank": resource.biobank.name}
        )


def _dispatch(release: Release) -> None:
    from ..tasks import release_build as task

    after_commit(task, release_id=release.pk)


@transaction.atomic
def release_request(*, actor: Any, resource: RequestResource) -> Release:
    """Queue a release of ``resource`` with its approved attributes; the build runs after commit."""
    resource = RequestResource.objects.select_for_update().select_related("request", "biobank").get(pk=resource.pk)
    require_decider(actor, resource)
    require_granted(resource)
    if not running_entitlements(resource=resource).exists():
        raise ConflictError(
            _("No entitlement to %(biobank)s runs for request %(number)s today: grant or renew access first.")
            % {"biobank": resource.biobank.name, "number": resource.request.number},
            field="resource",
            code="no_entitlement",
        )
    attributes = ordered_attributes(list(resource.approved_attributes))
    release = Release.objects.create(resource=resource, attributes=attributes, requested_by=actor)
    event_record(
        request=resource.request,
        resource=resource,
        actor=actor,
        kind="release.queued",
        to_status=ReleaseStatus.QUEUED,
        data={"release": release.pk, "attributes": attributes},
        audit_obj=release,
    )
    _dispatch(release)
    return release


@transaction.atomic
def release_retry(*, actor: Any, release: Release) -> Release:
    """A failed build is queued again (its error kept in the log); anything else is refused by the table."""
    require_decider(actor, release.resource)
    release_transition(release=release, to=ReleaseStatus.QUEUED, actor=actor, error="")
    _dispatch(release)
    return release


def _store(release: Release, built: Any) -> None:
    stem = f"release-{release.pk}"
    for field, path, suffix in (
        ("csv_file", built.csv_path, "csv"),
        ("xlsx_file", built.xlsx_path, "xlsx"),
        ("dictionary_file", built.dictionary_path, "dictionary.csv"),
    ):
        with path.open("rb") as handle:
            getattr(release, field).save(f"{stem}.{suffix}", File(handle), save=False)


def release_build(*, release_id: int) -> Release | None:
    """Build a QUEUED release (the Celery job). Returns ``None`` when there is nothing to do (built already, being
    built by another worker). A failure leaves the release FAILED with the error; ``release_retry`` re-queues it."""
    try:
        with transaction.atomic():
            release = (
                Release.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("resource__request", "resource__biobank")
                .filter(pk=release_id, status=ReleaseStatus.QUEUED)
                .first()
            )
            if release is None:
                return None
            return _build(release)
    except Exception as error:  # recorded on the release: staff see why and retry
        logger.exception("Release %s failed to build.", release_id)
        with transaction.atomic():
            release = Release.objects.select_for_update().get(pk=release_id)
            if release.status != ReleaseStatus.QUEUED:  # another worker settled it meanwhile
                return release
            message = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
            release_transition(
                release=release, to=ReleaseStatus.FAILED, actor=BUILD_ACTOR, data={"error": message}, error=message
            )
        return release


def _build(release: Release) -> Release:
    resource = release.resource
    request = resource.request
    release_transition(release=release, to=ReleaseStatus.BUILDING, actor=BUILD_ACTOR)
    ends = running_entitlements(resource=resource).order_by("-ends_on").values_list("ends_on", flat=True).first()
    if ends is None:
        raise ConflictError(_("No entitlement runs for this resource any more: nothing was released."))
    domain = domain_create(
        actor=BUILD_ACTOR, code=f"release-{release.pk}", kind=DomainKind.RELEASE, biobank=resource.biobank
    )
    checked_at = timezone.now()
    built = build_files(
        resource=resource, request=request, attributes=release.attributes, domain=domain, at=timezone.localdate()
    )
    try:
        _store(release, built)
    finally:
        shutil.rmtree(built.directory, ignore_errors=True)
    ReleaseDonor.objects.bulk_create(
        [ReleaseDonor(release=release, donor_id=d, specimen_count=n) for d, n in built.donor_specimens.items()],
        batch_size=5000,
    )
    Release.objects.filter(pk=release.pk).update(domain=domain)
    release.domain = domain
    ready = release_transition(
        release=release,
        to=ReleaseStatus.READY,
        actor=BUILD_ACTOR,
        data={
            "specimens": built.specimen_count,
            "donors": len(built.donor_specimens),
            "excluded_donors": built.excluded_donors,
        },
        csv_file=release.csv_file.name,
        xlsx_file=release.xlsx_file.name,
        dictionary_file=release.dictionary_file.name,
        specimen_count=built.specimen_count,
        donor_count=len(built.donor_specimens),
        excluded_donors=built.excluded_donors,
        built_at=timezone.now(),
        consent_checked_at=checked_at,
        expires_at=end_of_day(ends),
    )
    # the entitled researchers may download it from now on (django-guardian object permission, same transaction)
    from .entitlements import entitlement_perms_sync

    entitlement_perms_sync(resource)
    return ready


def releases_queued_ids(*, older_than_seconds: int = 60, limit: int = 50) -> list[int]:
    """QUEUED releases older than a minute: their dispatch was lost (broker down); the beat task builds them."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        Release.objects.filter(status=ReleaseStatus.QUEUED, requested_at__lt=cutoff)
        .order_by("requested_at")
        .values_list("pk", flat=True)[:limit]
    )
