"""The specimen list's date bounds are compared in UTC, whatever offset the caller writes."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("bound", ["created_before", "created_after", "collected_before", "collected_after"])
def test_a_bound_with_an_offset_postgresql_refuses_is_compared_in_utc_not_a_500(tech, specimen, bound):
    response = tech.get("/api/v1/specimens/", {bound: "0056-08-04T09:51:12.220-22:18"})

    assert response.status_code == 200
    expected = [specimen.barcode] if bound.endswith("after") and bound.startswith("created") else []
    assert [row["barcode"] for row in response.json()["results"]] == expected
