"""Every response names its request id; the same id is on every log line of that request."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

GENERATED = re.compile(r"^[0-9a-f]{32}$")


def test_every_response_has_a_request_id(client):
    response = client.get("/healthz")
    assert GENERATED.match(response["X-Request-ID"])


def test_two_requests_get_different_ids(client):
    assert client.get("/healthz")["X-Request-ID"] != client.get("/healthz")["X-Request-ID"]


def test_a_well_formed_incoming_id_is_kept(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-2f9c.77_abc-DEF"})
    assert response["X-Request-ID"] == "lb-2f9c.77_abc-DEF"


@pytest.mark.parametrize(
    "incoming",
    ["short", "has spaces in it", "x" * 129, "<script>alert(1)</script>", "id\r\nSet-Cookie: a=b", "ünïcødé-id"],
)
def test_a_malformed_incoming_id_is_replaced(client, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert GENERATED.match(response["X-Request-ID"])


def test_a_404_page_carries_the_id_too(client):
    response = client.get("/no-such-page/", headers={"X-Request-ID": "trace-404-abcdef"})
    assert response.status_code == 404
    assert response["X-Request-ID"] == "trace-404-abcdef"


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_log_lines_of_a_request_carry_its_id(client, caplog):
    caplog.set_level(logging.WARNING)
    client.get("/readyz", headers={"X-Request-ID": "trace-1234-abcd"})
    records = [r for r in caplog.records if r.name in ("biobank.ops.views", "django.request")]
    assert records, "the unreachable broker is logged"
    assert {r.request_id for r in records} == {"trace-1234-abcd"}


def test_log_lines_outside_a_request_carry_a_dash(caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("biobank.test").info("outside any request")
    assert caplog.records[-1].request_id == "-"


def test_the_console_format_shows_the_request_id():
    from django.conf import settings

    assert "%(request_id)s" in settings.LOGGING["formatters"]["plain"]["format"]


def test_after_a_request_log_lines_no_longer_carry_its_id(client, caplog):
    caplog.set_level(logging.INFO)
    client.get("/healthz", headers={"X-Request-ID": "trace-done-abcd"})
    logging.getLogger("biobank.test").info("between requests")
    assert caplog.records[-1].request_id == "-"
