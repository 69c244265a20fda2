"""Write-path exercises of the public DUO match (access_requests/api/duo.py): it answers and stores nothing."""

from __future__ import annotations

from rest_framework.test import APIClient

from tests.audit.write_path_exercises import Fixtures, _ok

BODY = {"dataset": {"terms": ["GRU"]}, "purpose": {"hmb": True}}


def api_duo_match(f: Fixtures) -> None:
    """``POST /api/v1/duo/match``: no login, a decision with its rationale, no row read or written."""
    response = _ok(APIClient().post("/api/v1/duo/match", BODY, format="json"), 200)
    assert response.json()["decision"] == "APPROVE", response.content[:300]


def api_duo_match_slash(f: Fixtures) -> None:
    """``POST /api/v1/duo/match/`` (the slash partners add): the same answer, nothing stored."""
    response = _ok(APIClient().post("/api/v1/duo/match/", BODY, format="json"), 200)
    assert response.json()["decision"] == "APPROVE", response.content[:300]
