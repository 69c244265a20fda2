"""Downloads of a release: a personal link that expires (7 days, or the entitlement's end if sooner), and each
download checked again (the same person, a running entitlement, the guardian permission) and recorded as a
``Download`` row, a request event and an audit event in one transaction. Only the hash of a link's token is kept.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from biobank.errors import DomainError, ForbiddenError

from ..choices import ReleaseStatus
from ..models import Download, DownloadLink, Release
from .fulfilment_common import end_of_day, running_entitlements
from .workflow import event_record

LINK_DAYS = 7
FILES = {"csv": "csv_file", "xlsx": "xlsx_file", "dictionary": "dictionary_file"}


class LinkNotFound(DomainError):
    """No such link, or a link of someone else: 404, nothing said about it."""

    status_code = 404
    title = "Not found"


class LinkGone(DomainError):
    """The link expired or its release was withdrawn: 410."""

    status_code = 410
    title = "Gone"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _may_download(user: Any, release: Release) -> tuple[bool, str]:
    """Whether ``user`` may have ``release`` now, and if not why (in words).

    A running entitlement (not ended, not revoked, ``ends_on`` today or later) of the user on the release's
    resource, and the guardian permission ``access_requests.download_release`` on the release (given while the
    entitlement runs by ``entitlement_perms_sync``)."""
    if release.status != ReleaseStatus.READY:
        return False, _("This release is %(status)s and cannot be downloaded.") % {
            "status": release.get_status_display()
        }
    if not getattr(user, "is_authenticated", False):
        return False, _("Sign in to download.")
    if not running_entitlements(resource=release.resource, user=user).exists():
        return False, _("Your access to this release has ended or was revoked; nothing can be downloaded.")
    if not user.has_perm("access_requests.download_release", release):
        return False, _("You are not entitled to download this release.")
    return True, ""


@transaction.atomic
def download_link_create(*, actor: Any, release: Release) -> tuple[DownloadLink, str]:
    """A new link for ``actor`` (the entitled researcher): ``(link, token)``; the token is shown once."""
    allowed, why = _may_download(actor, release)
    if not allowed:
        raise ForbiddenError(why)
    entitlement_end = (
        running_entitlements(resource=release.resource, user=actor)
        .order_by("-ends_on")
        .values_list("ends_on", flat=True)
    )[0]
    expires = min(timezone.now() + timedelta(days=LINK_DAYS), end_of_day(entitlement_end))
    token = secrets.token_urlsafe(32)
    link = DownloadLink.objects.create(release=release, user=actor, token_hash=token_hash(token), expires_at=expires)
    event_record(
        request=release.resource.request,
        resource=release.resource,
        actor=actor,
        kind="release.download_link",
        data={"release": release.pk, "expires_at": expires.isoformat()},
        audit_obj=release,
    )
    return link, token


@transaction.atomic
def download_record(*, user: Any, token: str, file: str, ip: str | None = None) -> tuple[Release, Any]:
    """Check the link and the person, record the download; ``(release, file field)`` to stream.

    404: unknown link, someone else's, unknown file; 410: the link expired; 403: the entitlement ended or was
    revoked, or the permission is gone. Nothing is recorded when refused."""
    if file not in FILES:
        raise LinkNotFound(_("No such file: choose csv, xlsx or dictionary."), field="file")
    link = (
        DownloadLink.objects.select_related("release__resource__request")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    if link is None or link.user_id != getattr(user, "pk", None):
        raise LinkNotFound(_("This download link does not exist or is not yours."), field="token")
    if link.expires_at <= timezone.now():
        raise LinkGone(
            _("This download link expired on %(when)s. Ask for a new link on the request's page.")
            % {"when": formats.date_format(timezone.localtime(link.expires_at), "DATETIME_FORMAT")},
            field="token",
            code="expired",
        )
    release = link.release
    allowed, why = _may_download(user, release)
    if not allowed:
        if release.status == ReleaseStatus.WITHDRAWN:
            raise LinkGone(why, field="token", code="withdrawn")
        raise ForbiddenError(why)
    Download.objects.create(release=release, user=user, file=file, ip=ip)
    event_record(
        request=release.resource.request,
        resource=release.resource,
        actor=user,
        kind="release.downloaded",
        data={"release": release.pk, "file": file},
        audit_obj=release,
    )
    return release, getattr(release, FILES[file])
