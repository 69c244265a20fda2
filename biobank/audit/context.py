"""Where the current request came from, for every event recorded while it runs (set by ``AuditContextMiddleware``).

Outside a request (Celery tasks, management commands) the context is empty and events carry no IP or user agent.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from biobank.ops.logging import request_id_var

USER_AGENT_MAX = 512


@dataclass(frozen=True)
class RequestContext:
    client_ip: str | None = None
    user_agent: str = ""


_EMPTY = RequestContext()
_context: ContextVar[RequestContext | None] = ContextVar("audit_request_context", default=None)


def set_request_context(*, client_ip: str | None, user_agent: str) -> object:
    """Returns a token for ``reset_request_context``."""
    return _context.set(RequestContext(client_ip=client_ip or None, user_agent=user_agent[:USER_AGENT_MAX]))


def reset_request_context(token: object) -> None:
    _context.reset(token)  # type: ignore[arg-type]


def current_request_context() -> tuple[str, str | None, str]:
    """(request id, client IP, user agent) of the request being served, or empty values outside a request."""
    request_id = request_id_var.get()
    ctx = _context.get() or _EMPTY
    return ("" if request_id == "-" else request_id), ctx.client_ip, ctx.user_agent
