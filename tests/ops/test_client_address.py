"""Which address is the client's behind the TLS proxy (issue 9, item 7).

``TRUSTED_PROXY_COUNT`` proxies stand in front of the portal; each appends the address it saw to
``X-Forwarded-For``, so the client is the entry that many places from the right. Anything further left was written by
the client itself and proves nothing. One function, ``client_address``, answers for the e-mail forms' rate limits,
the API's throttle and the audit trail.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import RequestFactory

from biobank.accounts.ratelimit import EMAIL_FORM_LIMIT
from biobank.audit.models import AuditOutbox
from biobank.ops.client_address import client_address

PROXY = "172.18.0.2"  # the proxy container, as gunicorn sees it
ALICE, BOB = "198.51.100.7", "203.0.113.9"


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_a_forged_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from(ALICE, "10.0.0.1")) == ALICE


def test_behind_one_proxy_the_entry_it_appended_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from(PROXY, ALICE)) == ALICE


def test_behind_one_proxy_a_forged_leftmost_entry_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from(PROXY, f"10.0.0.1, 127.0.0.1,{ALICE}")) == ALICE


def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request_from(PROXY, f"10.0.0.1, {ALICE}, 192.0.2.10")) == ALICE
    # fewer entries than proxies: every entry there is was written by a trusted proxy; the left-most is the client's
    assert client_address(request_from(PROXY, ALICE)) == ALICE


def test_a_missing_or_unreadable_entry_falls_back_to_the_connecting_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from(PROXY)) == PROXY
    assert client_address(request_from(PROXY, "unknown")) == PROXY
    assert client_address(request_from(PROXY, "")) == PROXY


def test_an_entry_with_a_port_is_read_as_its_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from(PROXY, f"{ALICE}:51234")) == ALICE
    assert client_address(request_from(PROXY, "[2001:db8::7]:443")) == "2001:db8::7"


@pytest.mark.django_db
def test_behind_the_proxy_the_email_form_limit_separates_two_clients(client, settings):
    """Before: every user behind the proxy shared the proxy's bucket, so one flood locked everyone out."""
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(EMAIL_FORM_LIMIT):
        response = client.post(
            "/accounts/password/reset/",
            {"email": f"someone{number}@example.org"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"10.0.0.{number}, {ALICE}",  # Alice forges a new left-most entry every time
        )
        assert response.status_code == 302
    alice_again = client.post(
        "/accounts/password/reset/", {"email": "other@example.org"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ALICE
    )
    bob = client.post(
        "/accounts/password/reset/", {"email": "bob@example.org"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=BOB
    )

    assert alice_again.status_code == 429
    assert bob.status_code == 302
    assert mail.outbox == []  # none of these addresses has an account: nothing to send, but each was counted


@pytest.mark.django_db
def test_without_trusted_proxies_a_forged_header_does_not_escape_the_email_form_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for number in range(EMAIL_FORM_LIMIT + 1):
        response = client.post(
            "/accounts/password/reset/",
            {"email": f"someone{number}@example.org"},
            REMOTE_ADDR=ALICE,
            HTTP_X_FORWARDED_FOR=f"10.0.0.{number}",
        )
    assert response.status_code == 429


@pytest.mark.django_db
def test_the_audit_event_carries_the_client_behind_the_proxy_not_the_proxy(client, settings, technician_a):
    settings.TRUSTED_PROXY_COUNT = 1
    client.force_login(technician_a)
    response = client.get("/audit/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"10.0.0.1, {ALICE}")

    assert response.status_code == 403
    assert AuditOutbox.objects.filter(action="access.denied").latest("id").client_ip == ALICE


def test_the_api_throttle_reads_the_same_client_address_and_not_a_forged_header(settings):
    """DRF's own reading took the whole X-Forwarded-For header as the bucket: a fresh forgery, a fresh bucket."""
    from biobank.api.throttling import PrincipalRateThrottle

    settings.TRUSTED_PROXY_COUNT = 0
    assert PrincipalRateThrottle().get_ident(request_from(ALICE, "10.0.0.1")) == ALICE
    settings.TRUSTED_PROXY_COUNT = 1
    assert PrincipalRateThrottle().get_ident(request_from(PROXY, f"10.0.0.1, {ALICE}")) == ALICE


# --- Only the proxy may tell the client's address (issue 9, item 20) ----------------------------------------------

NEIGHBOUR = "172.30.80.9"  # another container on the same network as web, not the proxy


def test_a_forwarded_header_from_a_peer_that_is_not_the_trusted_proxy_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_ADDRESSES = ["172.30.80.2"]
    assert client_address(request_from("172.30.80.2", f"10.0.0.1, {ALICE}")) == ALICE
    assert client_address(request_from(NEIGHBOUR, ALICE)) == NEIGHBOUR  # it cannot claim to be Alice


def test_trusted_proxies_may_be_networks_and_a_star_trusts_every_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_ADDRESSES = ["10.9.0.0/16", "2001:db8::/32"]
    assert client_address(request_from("10.9.3.4", ALICE)) == ALICE
    assert client_address(request_from("2001:db8::1", ALICE)) == ALICE
    assert client_address(request_from(NEIGHBOUR, ALICE)) == NEIGHBOUR
    settings.TRUSTED_PROXY_ADDRESSES = ["*"]
    assert client_address(request_from(NEIGHBOUR, ALICE)) == ALICE


@pytest.mark.django_db
def test_a_neighbour_cannot_put_a_chosen_address_into_the_audit_trail(client, settings, technician_a):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_ADDRESSES = [PROXY]
    client.force_login(technician_a)
    client.get("/audit/", REMOTE_ADDR=NEIGHBOUR, HTTP_X_FORWARDED_FOR=ALICE)
    assert AuditOutbox.objects.filter(action="access.denied").latest("id").client_ip == NEIGHBOUR
