"""Attachments: judged by their bytes, at most 10 MB, only by the researcher while the request is editable, and
downloadable only by people who may read the request."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from access_requests.choices import AttachmentKind, RequestStatus
from access_requests.models import AccessRequest
from access_requests.services import attachments
from access_requests.services.attachments import attachment_add
from biobank.errors import DomainError
from tests.access_requests.factories import make_request, make_researcher
from tests.access_requests.wizard_factories import PDF, pdf_upload

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 20


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
     (odt(), attachments.ODT)],
)  # fmt: skip
def test_it_stores_allowed_files_with_their_real_type_and_hash(biobank_a, data, content_type):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a])
    stored = attachment_add(actor=researcher, request=request, kind=AttachmentKind.PROTOCOL,
                            file=SimpleUploadedFile("doc.bin", data))  # fmt: skip
    assert stored.content_type == content_type and stored.size == len(data) and len(stored.sha256) == 64
    assert request.events.filter(kind="attachment.added").exists()


def test_a_renamed_executable_is_refused_naming_the_file(biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a])
    with pytest.raises(DomainError) as error:
        attachment_add(actor=researcher, request=request, kind="protocol",
                       file=SimpleUploadedFile("approval.pdf", b"MZ\x90\x00 not a pdf"))  # fmt: skip
    assert "approval.pdf" in error.value.message and "PDF" in error.value.message
    assert error.value.code == "file_type"


def test_a_zip_that_is_no_document_is_refused(biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.sh", "rm -rf /")
    with pytest.raises(DomainError):
        attachment_add(
            actor=researcher, request=request, kind="protocol", file=SimpleUploadedFile("a.docx", buffer.getvalue())
        )


def test_a_file_over_10_mb_is_refused(biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a])
    big = SimpleUploadedFile("scan.pdf", PDF + b"\0" * (10 * 1024 * 1024))
    with pytest.raises(DomainError) as error:
        attachment_add(actor=researcher, request=request, kind="ethics_approval", file=big)
    assert error.value.code == "file_size" and "10 MB" in error.value.message


def test_an_unknown_kind_and_an_empty_file_are_refused(biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a])
    with pytest.raises(DomainError):
        attachment_add(actor=researcher, request=request, kind="selfie", file=pdf_upload())
    with pytest.raises(DomainError) as error:
        attachment_add(actor=researcher, request=request, kind="protocol", file=SimpleUploadedFile("e.pdf", b""))
    assert error.value.code == "empty"


def test_only_editable_requests_take_attachments(biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a], status=RequestStatus.SUBMITTED)
    with pytest.raises(DomainError) as error:
        attachment_add(actor=researcher, request=request, kind="protocol", file=pdf_upload())
    assert error.value.code == "not_editable"


def test_a_foreign_researcher_cannot_add_or_download(client, biobank_a):
    researcher = make_researcher()
    request = make_request(researcher, [biobank_a])
    stored = attachment_add(actor=researcher, request=request, kind="protocol", file=pdf_upload())
    stranger = make_researcher()
    with pytest.raises(AccessRequest.DoesNotExist):
        attachment_add(actor=stranger, request=request, kind="protocol", file=pdf_upload())
    url = reverse("access_requests:attachment", args=[request.pk, stored.pk])
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(researcher)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
