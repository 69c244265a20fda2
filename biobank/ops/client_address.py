"""The client's address, also behind the TLS proxy: one answer for rate limits, the API throttle and the audit trail.

Behind ``TRUSTED_PROXY_COUNT`` proxies the connecting address (``REMOTE_ADDR``) is the nearest proxy's. Each proxy
appends the address it saw to ``X-Forwarded-For``, so the client is the entry ``TRUSTED_PROXY_COUNT`` places from
the right; everything left of it was sent by the client and may be forged. With 0 (the default: the portal is
reached directly) the header is ignored. It is ignored too on a connection that does not come from one of
``TRUSTED_PROXY_ADDRESSES`` (``FORWARDED_ALLOW_IPS``, the addresses gunicorn trusts for the scheme; ``*``: any peer),
so nothing else on the network can choose the address it is recorded under. With fewer entries than proxies every
entry was written by a trusted proxy, and the left-most one is the client's. An unreadable entry falls back to the
connecting address.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
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


@cache
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] | None:
    """The trusted proxies as networks, or ``None`` for any peer ("*")."""
    if "*" in entries:
        return None
    try:
        return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)
    except ValueError as error:
        raise ImproperlyConfigured(f"FORWARDED_ALLOW_IPS: {error} (addresses or networks, comma-separated)") from None


def from_trusted_proxy(remote: str | None, trusted: Iterable[str] | None = None) -> bool:
    """Whether a connection from ``remote`` may tell the client's address (``TRUSTED_PROXY_ADDRESSES``)."""
    if trusted is None:
        trusted = getattr(settings, "TRUSTED_PROXY_ADDRESSES", ("*",))
    networks = _networks(tuple(trusted))
    if networks is None:
        return True
    address = ipaddress.ip_address(remote) if remote else None
    return address is not None and any(address in network for network in networks)


def client_address(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request`` (see the module docstring), or ``None`` if there is none."""
    remote = _host(request.META.get("REMOTE_ADDR", "") or "")
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded.strip() or not from_trusted_proxy(remote):
        return remote
    entries = forwarded.split(",")
    return _host(entries[-min(proxies, len(entries))]) or remote
