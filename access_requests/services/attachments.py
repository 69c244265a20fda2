"""Files on a request: type-checked by their bytes (not by the name or the browser's word), at most 10 MB, with
their SHA-256 kept so a committee can tell two versions apart."""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from biobank.errors import DomainError

from ..choices import AttachmentKind
from ..models import AccessRequest, RequestAttachment
from .requests import _editable, _researcher_only
from .workflow import event_record

MAX_BYTES = 10 * 1024 * 1024
ALLOWED_TEXT = "PDF, PNG, JPEG, DOCX or ODT"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"


def sniff(head: bytes, data: bytes) -> str | None:
    """What the bytes are (a MIME type), or ``None`` when they are none of the allowed kinds."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                    return ODT
                if "[Content_Types].xml" in names and "word/document.xml" in names:
                    return DOCX
        except (zipfile.BadZipFile, KeyError, OSError):
            return None
    return None


@transaction.atomic
def attachment_add(*, actor: Any, request: AccessRequest, kind: str, file: Any) -> RequestAttachment:
    """Store ``file`` on the request (only by its researcher, only while it can be edited)."""
    request = _researcher_only(actor, request)
    _editable(request)
    name = (getattr(file, "name", "") or "file").rsplit("/", 1)[-1][:200]
    if kind not in AttachmentKind.values:
        raise DomainError(
            _("%(kind)r is not a kind of attachment; allowed: %(allowed)s.")
            % {"kind": kind, "allowed": ", ".join(AttachmentKind.values)},
            field="kind",
        )
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _too_big(name, size)
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _too_big(name, len(data))
    if not data:
        raise DomainError(
            _("%(name)s is empty; upload the document itself.") % {"name": name}, field="file", code="empty"
        )
    content_type = sniff(data[:16], data)
    if content_type is None:
        raise DomainError(
            _("%(name)s is not a %(allowed)s file (judged by its content, not its name); save it as PDF and try again.")
            % {"name": name, "allowed": ALLOWED_TEXT},
            field="file",
            code="file_type",
        )
    digest = hashlib.sha256(data).hexdigest()
    attachment = RequestAttachment(
        request=request, kind=kind, name=name, content_type=content_type, size=len(data), sha256=digest,
        uploaded_by=actor,
    )  # fmt: skip
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    event_record(
        request=request,
        actor=actor,
        kind="attachment.added",
        data={"attachment": attachment.pk, "kind": kind, "name": name, "sha256": digest},
        audit_obj=attachment,
    )
    return attachment


def _too_big(name: str, size: int) -> DomainError:
    return DomainError(
        _("%(name)s has %(size).1f MB; at most 10 MB are allowed per file.")
        % {"name": name, "size": size / 1024 / 1024},
        field="file",
        code="file_size",
    )
