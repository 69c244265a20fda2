"""Two concurrent requests with the same Idempotency-Key: one registers, the other waits and replays its answer."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from rest_framework.test import APIClient

from biobank.accounts.models import IdempotencyKey
from specimens.api import specimen_views
from specimens.models import Specimen
from tests.accounts.factories import make_token

pytestmark = pytest.mark.django_db(transaction=True)


def test_of_two_concurrent_requests_with_one_key_exactly_one_registers(biobank_a, collection, donor, monkeypatch):
    secret = make_token(biobank_a, "view_specimens", "change_specimens")
    body = {
        "biobank": "biobank-a",
        "collection": collection.code,
        "donor": donor.pid_display,
        "sample_type": "SER",
        "quantity": "2",
        "unit": "mL",
    }
    real = specimen_views.specimen_register

    def slow_register(**kwargs):
        time.sleep(0.5)  # the second request arrives while the first still holds its key uncommitted
        return real(**kwargs)

    monkeypatch.setattr(specimen_views, "specimen_register", slow_register)
    answers: list = []
    start = threading.Barrier(2)

    def post() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        try:
            start.wait()
            answers.append(client.post("/api/v1/specimens/", body, format="json", HTTP_IDEMPOTENCY_KEY="same"))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(a.status_code for a in answers) == [201, 201], [a.content for a in answers]
    assert answers[0].content == answers[1].content
    assert sorted(a.has_header("Idempotent-Replayed") for a in answers) == [False, True]
    assert Specimen.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
