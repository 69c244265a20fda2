"""The reports page and the compliance PDF: the researcher reports, the committee and auditors export."""

from __future__ import annotations

import pytest

from access_requests.models import Report
from tests.access_requests.entitle_factories import make_granted
from tests.access_requests.factories import make_researcher

pytestmark = pytest.mark.django_db


def test_the_researcher_adds_a_publication(client, biobank_a):
    g = make_granted(biobank_a)
    client.force_login(g.researcher)
    url = f"/requests/{g.request.pk}/reports/"
    response = client.post(url, {"kind": "publication", "title": "Paper", "doi": "https://doi.org/10.1000/xyz"})
    assert response.status_code == 302
    assert Report.objects.get().doi == "10.1000/xyz"
    bad = client.post(url, {"kind": "publication", "title": "Paper", "doi": "nonsense"})
    assert "not a DOI" in bad.content.decode()


def test_the_chair_and_the_auditor_export_the_pdf(client, biobank_a, auditor_a):
    g = make_granted(biobank_a)
    for user in (g.chair, auditor_a):
        client.force_login(user)
        response = client.get(f"/requests/{g.request.pk}/compliance.pdf")
        assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_researcher_may_not_export_and_a_stranger_gets_404(client, biobank_a, auditor_b):
    g = make_granted(biobank_a)
    client.force_login(g.researcher)
    assert client.get(f"/requests/{g.request.pk}/compliance.pdf").status_code == 403
    client.force_login(make_researcher())
    assert client.get(f"/requests/{g.request.pk}/compliance.pdf").status_code == 404
    client.force_login(auditor_b)
    assert client.get(f"/requests/{g.request.pk}/compliance.pdf").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_export_is_audited_in_its_own_transaction_as_in_production(client, biobank_a, auditor_a):
    """Outside a test's wrapping transaction (as on the server), the export still records its audit event."""
    from biobank.audit.models import AuditEvent, AuditOutbox

    g = make_granted(biobank_a)
    client.force_login(auditor_a)
    assert client.get(f"/requests/{g.request.pk}/compliance.pdf").status_code == 200
    actions = {
        *AuditOutbox.objects.values_list("action", flat=True),
        *AuditEvent.objects.values_list("action", flat=True),
    }
    assert "access_request.compliance_exported" in actions
