"""Container healthcheck: ``python -m biobank.ops.probe [PATH]`` exits 0 when the local portal answers 200.

Uses only the standard library (no Django start-up per probe). It sends a Host header the portal accepts (the
first of ALLOWED_HOSTS) and ``X-Forwarded-Proto: https`` as the TLS proxy in front of gunicorn would, so neither
host validation nor the HTTPS redirect turns a healthy portal into a failed probe.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def probe_host(allowed_hosts: str | None) -> str:
    """The Host header to send: the first concrete entry of ALLOWED_HOSTS (``.example.org`` → ``example.org``)."""
    for entry in (allowed_hosts or "").split(","):
        host = entry.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def probe(url: str, *, host: str, timeout: float = 5.0) -> int:
    request = urllib.request.Request(url, headers={"Host": host, "X-Forwarded-Proto": "https"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (a local http URL)
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"probe {url}: {error}", file=sys.stderr)
        return 1


def main(argv: list[str]) -> int:
    path = argv[1] if len(argv) > 1 else "/readyz"
    port = os.environ.get("PORT", "8000")
    return probe(f"http://127.0.0.1:{port}{path}", host=probe_host(os.environ.get("ALLOWED_HOSTS")))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
