"""Every REST answer gives its times in UTC, ISO 8601, ending in ``Z`` (docs/ui.md, "Time, dates and language";
issue 16): ``biobank.api.utc``'s field and filter, used by every serializer of every app."""

from __future__ import annotations

import importlib
import io
import pkgutil
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework import serializers
from rest_framework.test import APIClient

from biobank.accounts.models import User
from biobank.api.serializers import ModelSerializer
from biobank.api.utc import UtcDateTimeField, UtcIsoDateTimeField

pytestmark = pytest.mark.django_db

TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
APPS = ("biobank", "catalog", "consent", "specimens", "access_requests")

# (who, list endpoint): each list has at least one time in the demo data
LISTS = [
    ("staff@example.org", "/api/v1/specimens/"),
    ("staff@example.org", "/api/v1/storage-units/"),
    ("consent@example.org", "/api/v1/consents/"),
    ("consent@example.org", "/api/v1/donors/"),
    ("consent@example.org", "/api/v1/consent-templates/"),
    ("researcher@example.org", "/api/v1/access-requests/"),
    ("data@example.org", "/api/v1/collections/"),
    ("data@example.org", "/api/v1/catalog/biobanks/"),
    ("data@example.org", "/api/v1/catalog/networks/"),
    ("admin@example.org", "/api/v1/biobanks/ukrm-biobank/members/"),
    ("auditor@example.org", "/api/v1/audit-events/"),
    ("donor@example.org", "/api/v1/me/consents/"),
    ("donor@example.org", "/api/v1/me/history/"),
]


@pytest.fixture
def demo(settings):
    settings.TIME_ZONE = "Europe/Berlin"  # the portal's zone: pages show it, the API must not
    call_command("seed_demo", stdout=io.StringIO())


def client_of(email: str) -> APIClient:
    client = APIClient()
    client.force_login(User.objects.get(email=email))
    return client


def times_in(value: Any, where: str = "") -> list[tuple[str, str]]:
    """Every string of the answer that is a date and time, with where it is."""
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in times_in(item, f"{where}.{key}")]
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in times_in(item, f"{where}[{index}]")]
    return [(where, value)] if isinstance(value, str) and TIME.match(value) else []


def test_every_time_in_every_list_answer_is_utc_ending_in_z(demo):
    """One demo world, every list walked (seeding it once per list would cost a minute and a half)."""
    without_time, not_utc = [], []
    for email, url in LISTS:
        response = client_of(email).get(url)
        assert response.status_code == 200, (url, response.content)
        found = times_in(response.json())
        if not found:
            without_time.append(url)
        not_utc += [(url, where, value) for where, value in found if not value.endswith("Z")]
    assert not_utc == []
    assert without_time == []


def test_the_audit_api_gives_the_same_moment_as_the_database(demo):
    response = client_of("auditor@example.org").get("/api/v1/audit-events/")
    event = response.json()["results"][0]
    from biobank.audit.models import AuditEvent

    stored = AuditEvent.objects.get(seq=event["seq"]).occurred_at
    assert datetime.fromisoformat(event["occurred_at"]) == stored


def test_a_time_without_an_offset_is_utc_in_a_filter_and_in_a_body(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    field = UtcDateTimeField()
    assert field.to_internal_value("2026-12-07T09:30:00") == datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    assert field.to_representation(datetime(2026, 12, 7, 10, 30, tzinfo=UTC)) == "2026-12-07T10:30:00Z"
    assert field.to_internal_value("2026-12-07T10:30:00+01:00") == datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    bound = UtcIsoDateTimeField()
    assert bound.clean("2026-12-07T09:30") == datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    assert bound.clean("2026-12-07T10:30+01:00") == datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    assert bound.clean("2026-12-07T10:30-22:18").utcoffset().total_seconds() == 0  # beyond what PostgreSQL takes


def test_a_specimen_filter_without_an_offset_is_read_as_utc(demo):
    client = client_of("staff@example.org")
    first = client.get("/api/v1/specimens/").json()["results"][0]
    created = first["created_at"].removesuffix("Z")
    assert first["barcode"] in {
        row["barcode"] for row in client.get(f"/api/v1/specimens/?created_after={created}").json()["results"]
    }
    later = client.get("/api/v1/specimens/", {"created_before": created, "barcode": first["barcode"]}).json()
    assert later["results"] == []


def _serializer_classes() -> list[type[serializers.Serializer]]:
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".api" in module.name and "migrations" not in module.name:
                importlib.import_module(module.name)
    found, todo = [], [serializers.Serializer]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in APPS:
                found.append(sub)
    return found


def test_every_serializer_of_every_app_writes_its_times_in_utc():
    classes = _serializer_classes()
    assert len(classes) > 50
    plain = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in classes
        for name, field in cls._declared_fields.items()
        if isinstance(field, serializers.DateTimeField) and not isinstance(field, UtcDateTimeField)
    ]
    assert plain == []
    models = [
        f"{cls.__module__}.{cls.__name__}"
        for cls in classes
        if issubclass(cls, serializers.ModelSerializer) and not issubclass(cls, ModelSerializer)
    ]
    assert models == []
