"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering. Touches nothing else."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        logger.warning("readiness: database unreachable: %s", error)
        return f"unreachable ({type(error).__name__})"
    return None


def _check_broker() -> str | None:
    from biobank.celery import app

    try:
        # The URL from settings (not the app's cached configuration), so what is probed is what is configured.
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as error:
        logger.warning("readiness: broker unreachable: %s", error)
        return f"unreachable ({type(error).__name__})"
    return None


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: the database answers and, if a broker is configured, the broker too; 503 otherwise."""
    checks: dict[str, str] = {}
    problem = _check_database()
    checks["database"] = problem or "ok"
    if settings.CELERY_BROKER_URL:
        broker_problem = _check_broker()
        checks["broker"] = broker_problem or "ok"
        problem = problem or broker_problem
    else:
        checks["broker"] = "not configured (tasks run in-process)"
    status = 503 if problem else 200
    return JsonResponse({"status": "ok" if status == 200 else "unavailable", "checks": checks}, status=status)
