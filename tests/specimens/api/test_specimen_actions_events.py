"""GET/POST /api/v1/specimens/<barcode>/events/: the timeline, cursor-paginated, and the steps recorded by hand."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from biobank.audit.models import AuditOutbox
from specimens.models import Specimen
from specimens.services import specimens_consume

from .conftest import url

pytestmark = pytest.mark.django_db


def test_the_timeline_pages_through_every_event_oldest_first(tech, specimen):
    for _ in range(4):
        tech.post(url(specimen, "events"), {"type": "processed"}, format="json")

    seen, page = [], tech.get(url(specimen, "events"), {"page_size": 3}).json()
    seen += page["results"]
    while page["next"]:
        cursor = parse_qs(urlsplit(page["next"]).query)["cursor"][0]
        page = tech.get(url(specimen, "events"), {"page_size": 3, "cursor": cursor}).json()
        seen += page["results"]

    assert [event["type"] for event in seen] == ["processed"] * 4
    assert [event["id"] for event in seen] == sorted(event["id"] for event in seen)


def test_a_thaw_is_counted_and_recorded(lis, specimen):
    response = lis.post(url(specimen, "events"), {"type": "thawed", "note": "ELISA"}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["type"] == "thawed" and response.json()["details"] == {"freeze_thaw_count": 1}
    assert Specimen.objects.get(pk=specimen.pk).freeze_thaw_count == 1
    assert lis.get(url(specimen)).json()["freeze_thaw_count"] == 1


def test_a_qc_concentration_becomes_the_specimens_concentration(lis, specimen):
    body = {"type": "qc_result", "measure": "concentration", "value": "12.5", "unit": "ng/uL", "passed": True}

    response = lis.post(url(specimen, "events"), body, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["details"]["measure"] == "concentration"
    assert lis.get(url(specimen)).json()["concentration"] == "12.5000"
    assert AuditOutbox.objects.filter(action="specimen.event").exists()


def test_a_reception_is_recorded_at_the_time_given(tech, specimen):
    when = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)

    response = tech.post(url(specimen, "events"), {"type": "received", "occurred_at": when.isoformat()}, format="json")

    assert response.status_code == 201
    assert parse_datetime(response.json()["occurred_at"]) == when


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"type": "qc_result"}, "/measure"),
        ({"type": "qc_result", "measure": "rin", "value": "11"}, "/value"),
        ({"type": "qc_result", "measure": "rin", "value": "8", "unit": "mL"}, "/unit"),
        ({"type": "shipped"}, "/type"),
        ({"type": "received", "occurred_at": "2999-01-01T00:00:00Z"}, "/occurred_at"),
        ({"type": "received", "occurred_at": "soon"}, "/occurred_at"),
    ],
)
def test_an_invalid_event_is_a_400_naming_the_field(tech, specimen, body, pointer):
    response = tech.post(url(specimen, "events"), body, format="json")

    assert response.status_code == 400, response.content
    assert pointer in [error["pointer"] for error in response.json()["errors"]]


def test_thawing_a_specimen_no_longer_in_the_biobank_is_a_409(tech, specimen):
    specimens_consume(actor=None, specimens=[specimen], reason="Used.")

    response = tech.post(url(specimen, "events"), {"type": "thawed"}, format="json")

    assert response.status_code == 409 and response.json()["errors"][0]["code"] == "status"
