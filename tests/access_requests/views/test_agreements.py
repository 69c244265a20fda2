"""Agreement pages: versions and publishing, the researcher's conditions page, the signatory's one-time page."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from access_requests.choices import ResourceStatus
from access_requests.models import AgreementTemplate
from tests.access_requests.entitle_factories import make_conditions_indicated
from tests.access_requests.factories import make_researcher

pytestmark = pytest.mark.django_db

BODY = "The recipient uses the data only for the approved project and never tries to re-identify anyone."


def test_an_admin_publishes_a_version_and_sees_it(client, biobank_a, admin_a):
    client.force_login(admin_a)
    url = f"/requests/agreements/{biobank_a.code}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "dta", "title": "Data Transfer Agreement", "body": BODY})
    template = AgreementTemplate.objects.get()
    assert response.status_code == 302 and template.version == 1
    page = client.get(f"/requests/agreements/{biobank_a.code}/{template.pk}/")
    assert "re-identify" in page.content.decode()


def test_a_short_text_is_a_form_error(client, biobank_a, admin_a):
    client.force_login(admin_a)
    response = client.post(f"/requests/agreements/{biobank_a.code}/", {"kind": "dta", "title": "T", "body": "x"})
    assert response.status_code == 200 and "too short" in response.content.decode()


def test_a_technician_reads_but_may_not_publish(client, biobank_a, technician_a):
    client.force_login(technician_a)
    url = f"/requests/agreements/{biobank_a.code}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"kind": "dta", "title": "T", "body": BODY}).status_code == 403


def test_an_outsider_gets_404(client, biobank_a, outsider):
    client.force_login(outsider)
    assert client.get(f"/requests/agreements/{biobank_a.code}/").status_code == 404


def test_the_researcher_accepts_and_the_signatory_signs_by_link(client, biobank_a, django_capture_on_commit_callbacks):
    g = make_conditions_indicated(biobank_a)
    client.force_login(g.researcher)
    url = f"/requests/{g.request.pk}/resources/{g.resource.pk}/conditions/"
    page = client.get(url).content.decode()
    assert "Share the assay protocol" in page and g.agreement.title in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"name": "Rita Searcher", "confirm": "on", "version": g.agreement.version})
    assert response.status_code == 302
    links = [m for e in mail.outbox if (m := re.search(r"/requests/sign/([\w-]+)/", e.body))]
    token = links[-1].group(1)  # the signatory's e-mail (notifications of the same step go out too)
    client.logout()
    sign_url = f"/requests/sign/{token}/"
    assert client.get(sign_url).status_code == 200
    done = client.post(sign_url, {"name": "Ina Signer", "confirm": "on", "version": g.agreement.version})
    assert done.status_code == 200 and "The link no longer works" in done.content.decode()
    g.resource.refresh_from_db()
    assert g.resource.status == ResourceStatus.CONDITIONS_ACCEPTED
    assert client.get(sign_url).status_code == 404


def test_a_foreign_researcher_gets_404_on_the_conditions(client, biobank_a):
    g = make_conditions_indicated(biobank_a)
    client.force_login(make_researcher())
    assert client.get(f"/requests/{g.request.pk}/resources/{g.resource.pk}/conditions/").status_code == 404


def test_declining_from_the_page(client, biobank_a):
    g = make_conditions_indicated(biobank_a)
    client.force_login(g.researcher)
    client.post(f"/requests/{g.request.pk}/resources/{g.resource.pk}/decline/", {"reason": "Too strict."})
    g.resource.refresh_from_db()
    assert g.resource.status == ResourceStatus.CONDITIONS_DECLINED
