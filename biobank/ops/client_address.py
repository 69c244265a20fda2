"""The client's address, also behind the TLS proxy: one answer for rate limits, the API throttle and the audit trail.

Behind ``TRUSTED_PROXY_COUNT`` proxies the connecting address (``REMOTE_ADDR``) is the nearest proxy's. Each proxy
appends the address it saw to ``X-Forwarded-For``, so the client is the entry ``TRUSTED_PROXY_COUNT`` places from
the right; everything left of it was sent by the client and may be forged. With 0 (the default: the portal is
reached directly) the header is ignored. With fewer entries than proxies every entry was written by a trusted proxy,
and the left-most one is the client's. An unreadable entry falls back to the connecting address.
"""

from __future__ import annotations

import ipaddress
import re

from django.conf import settings
from django.http import HttpRequest

_WITH_PORT = re.compile(r"^\[(?P<v6>[^\]]+)\](?::\d+)?$|^(?P<v4>\d{1,3}(?:\.\d{1,3}){3}):\d+$")


def _host(value: str) -> str | None:
    """A host address as text ("198.51.100.7", "2001:db8::7"), also from "addr:port" and "[v6]:port"; else None."""
    value = value.strip()
    match = _WITH_PORT.match(value)
    if match:
        value = match.group("v6") or match.group("v4")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request`` (see the module docstring), or ``None`` if there is none."""
    remote = _host(request.META.get("REMOTE_ADDR", "") or "")
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded.strip():
        return remote
    entries = forwarded.split(",")
    return _host(entries[-min(proxies, len(entries))]) or remote
