"""/healthz answers while the process lives; /readyz only when the database (and a configured broker) answer."""

from __future__ import annotations

import os
import socket
from unittest import mock

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"


def redis_is_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_healthz_answers_200_without_touching_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@override_settings(CELERY_BROKER_URL=None)
def test_readyz_is_200_when_the_database_answers_and_no_broker_is_configured(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("not configured")


@override_settings(CELERY_BROKER_URL=UNREACHABLE_BROKER)
def test_readyz_is_503_when_the_configured_broker_is_unreachable(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("unreachable")


@override_settings(CELERY_BROKER_URL=None)
def test_readyz_is_503_when_the_database_is_unreachable(client):
    from django.db import OperationalError

    with mock.patch("biobank.ops.views.connection.cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unreachable (OperationalError)"


@override_settings(CELERY_BROKER_URL=LOCAL_REDIS)
def test_readyz_is_200_with_the_real_redis(client):
    if not redis_is_reachable():
        if os.environ.get("CI"):
            pytest.fail("CI runs Redis at 127.0.0.1:6379, but it is not reachable")
        pytest.skip("no Redis at 127.0.0.1:6379 on this machine")
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_the_probes_answer_get_only(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
