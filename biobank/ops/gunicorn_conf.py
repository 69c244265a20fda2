"""gunicorn settings for the web container (``gunicorn biobank.wsgi --config python:biobank.ops.gunicorn_conf``).

Sized from the environment: WEB_CONCURRENCY worker processes (default 2 x CPUs + 1, at most 8) on PORT.

Forwarded headers: gunicorn takes the scheme from ``X-Forwarded-Proto`` only on connections from
``FORWARDED_ALLOW_IPS`` (docker-compose: the proxy's fixed address), and the portal itself reads ``X-Forwarded-For``
only from the same addresses (``biobank.ops.client_address``). Production settings do not set
``SECURE_PROXY_SSL_HEADER``: Django would believe that header from anyone, so the scheme comes from gunicorn alone.
Unset, only 127.0.0.1 is trusted (gunicorn's own default), never every peer.
"""

from __future__ import annotations

import multiprocessing
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"  # inside the container; the proxy in front terminates TLS
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("WEB_THREADS", "1"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then, a guard against slow leaks
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")  # the proxy's address (docker-compose.yml)
