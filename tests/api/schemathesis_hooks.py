"""Schemathesis hooks for ``tests/api/test_schemathesis.py`` (loaded by the CLI through ``SCHEMATHESIS_HOOKS``).

``anonymous_is_refused``: the auth-bypass check of the anonymous run (``SCHEMATHESIS_ROLE=anonymous``). Every
operation of /api/v1/ needs a credential, so a request without one gets 401; the only other answers allowed are
the refusals that come before authentication and reveal nothing: 400 ``malformed-request`` (e.g. a NUL byte in
the query), 406 (an ``Accept`` without JSON), 413 (a body over the cap) and the router's 404 for a path value no
route accepts (``/collections/abc/``: the URL patterns decide it, not the data). A 2xx, a 403, a 404, a validation
error... would mean the request reached the view. The public operations (``PUBLIC_PREFIXES``: the SPREC utilities of
issue 11; ``PUBLIC_READ_PREFIXES``: the catalogue's reads of issue 12 — no login by design, no ``security`` in the
schema) are left out of this check and of the anonymous tally; the catalogue's writes are checked like any other.

``status_tally``: counts the responses per status code and writes them to ``SCHEMATHESIS_TALLY`` (JSON) at the
end of the run, so the test can report how many requests each role sent.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

import schemathesis

ANONYMOUS_ALLOWED = {401, 406, 413}
PUBLIC_PREFIXES = ("/api/v1/sprec/", "/api/v1/duo/")  # every operation
PUBLIC_READ_PREFIXES = ("/api/v1/catalog/",)  # reads only: the catalogue's writes are for its data managers
ROUTE_NOT_FOUND = "No API resource at "  # biobank.api.exceptions.api_unknown_path: no route has this shape


def _public(case: Any) -> bool:
    path = str(case.operation.path)
    if path.startswith(PUBLIC_PREFIXES):
        return True
    return case.method.upper() in ("GET", "HEAD") and path.startswith(PUBLIC_READ_PREFIXES)


def _problem(response: Any) -> dict:
    try:
        body = response.json()
    except Exception:  # a body that is not a problem: the caller reports the status as the failure
        return {}
    return body if isinstance(body, dict) else {}


@schemathesis.check
def anonymous_is_refused(ctx: Any, response: Any, case: Any) -> bool | None:
    if os.environ.get("SCHEMATHESIS_ROLE") != "anonymous" or _public(case):
        return None
    status = response.status_code
    if status in ANONYMOUS_ALLOWED:
        return True
    problem = _problem(response)
    if status == 400 and problem.get("type") == "/api/problems/malformed-request":
        return True
    if status == 404 and str(problem.get("detail", "")).startswith(ROUTE_NOT_FOUND):
        return True  # a path value no route accepts (``/collections/abc/``): decided before any view or lookup
    raise AssertionError(
        f"Auth bypass: {case.method} {case.formatted_path} answered {status} to a request without credentials "
        "(expected 401)"
    )


@schemathesis.check
class status_tally:  # lower case: the name schemathesis reports the check by
    """Responses per status code of the whole run (``--no-shrink``: each response is seen once)."""

    def __init__(self) -> None:
        self.statuses: Counter[int] = Counter()

    def after_response(self, ctx: Any, response: Any, case: Any) -> None:
        if os.environ.get("SCHEMATHESIS_ROLE") == "anonymous" and _public(case):
            return  # answered without a login by design: the anonymous tally counts the refusals
        self.statuses[response.status_code] += 1

    def after_run(self, ctx: Any) -> None:
        target = os.environ.get("SCHEMATHESIS_TALLY")
        if target:
            with open(target, "w", encoding="utf-8") as handle:
                json.dump({str(status): count for status, count in sorted(self.statuses.items())}, handle)
