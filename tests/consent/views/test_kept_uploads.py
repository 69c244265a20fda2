"""The scan upload keeps the chosen file across a form error (issue 16, item 6): the page names it, the next submit
uses it, and only the session that chose it can."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from biobank.accounts.choices import Role
from consent.models import Consent
from tests.accounts.factories import make_member
from tests.consent.factories import make_catalogue, make_donor, media_root  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/consent/biobank-a/scans/new/"
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


@pytest.fixture
def officer(biobank_a):
    return make_member(biobank_a, Role.CONSENT_OFFICER, email="officer@example.org")


@pytest.fixture
def kept_dir(media_root):  # noqa: F811
    return media_root / "kept-uploads"


@pytest.fixture
def template(biobank_a, officer):
    return make_catalogue(biobank_a, actor=officer)


def _form(officer, template, donor, **changes):
    data = {
        "pid": donor.pid,
        "template": template.pk,
        "language": "en",
        "signed_on": timezone.localdate().isoformat(),
        "accepted": "data",
        "informed_by": officer.pk,
        "informed_place": "Ward 3",
    }
    return {**data, **changes}


def _token(html: str) -> str:
    return re.search(r'name="kept_scan" value="([^"]+)"', html).group(1)


def test_the_scan_is_kept_across_an_error_and_used_by_the_next_submit(client, officer, template, biobank_a, kept_dir):
    client.force_login(officer)
    donor = make_donor(biobank_a)

    first = client.post(URL, {**_form(officer, template, donor, pid=""), "scan": SimpleUploadedFile("scan.png", PNG)})

    html = first.content.decode()
    assert first.status_code == 200 and 'class="error-summary"' in html
    assert "“scan.png” is kept." in html and "Choose another file only to replace it" in html
    token = _token(html)
    assert list(kept_dir.glob("*.bin"))
    assert PNG not in (kept_dir / f"{token}.bin").read_bytes()  # encrypted at rest

    second = client.post(URL, {**_form(officer, template, donor), "kept_scan": token})  # no file chosen again

    consent = Consent.objects.get()
    assert second.status_code == 302 and second["Location"].endswith(f"/consents/{consent.pk}/")
    assert consent.scan_sha256 == hashlib.sha256(PNG).hexdigest()  # the very file chosen at first
    assert not list(kept_dir.glob("*.bin"))  # dropped after success


def test_a_kept_scan_survives_several_errors_and_a_new_file_replaces_it(client, officer, template, biobank_a, kept_dir):
    client.force_login(officer)
    donor = make_donor(biobank_a)
    first = client.post(URL, {**_form(officer, template, donor, pid=""), "scan": SimpleUploadedFile("a.png", PNG)})
    token = _token(first.content.decode())

    again = client.post(URL, {**_form(officer, template, donor, informed_place=""), "kept_scan": token})
    assert "“a.png” is kept." in again.content.decode() and _token(again.content.decode()) == token

    other = PNG + b"1"
    replaced = client.post(
        URL, {**_form(officer, template, donor, pid=""), "kept_scan": token, "scan": SimpleUploadedFile("b.png", other)}
    )
    html = replaced.content.decode()
    assert "“b.png” is kept." in html and _token(html) != token
    assert len(list(kept_dir.glob("*.bin"))) == 1  # the replaced one is gone


def test_another_session_cannot_use_a_kept_scan(client, officer, template, biobank_a, kept_dir):
    client.force_login(officer)
    donor = make_donor(biobank_a)
    first = client.post(URL, {**_form(officer, template, donor, pid=""), "scan": SimpleUploadedFile("a.png", PNG)})
    token = _token(first.content.decode())

    colleague = make_member(biobank_a, Role.CONSENT_OFFICER, email="colleague@example.org")
    client.force_login(colleague)
    response = client.post(URL, {**_form(colleague, template, donor), "kept_scan": token})

    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not Consent.objects.exists()
