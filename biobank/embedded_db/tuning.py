"""The embedded PostgreSQL's settings, sized for the machine it runs on (not initdb's defaults for a tiny host).

initdb sets ``shared_buffers`` to 128 MB and leaves a checkpoint every 1 GB of WAL: on the 24 GB machine that runs
the benchmarks a million specimens no longer fit PostgreSQL's own buffers, and a bulk import or the audit drain of a
million events checkpoints every few seconds, writing each touched page a second time in full (a full-page image
after every checkpoint). These are the settings any operator gives a PostgreSQL of its own (docs/deployment.md,
"PostgreSQL settings" gives the same ones for a server of your own):

- ``shared_buffers``: a quarter of the memory, between 128 MB and 4 GB; ``effective_cache_size``: half of it (a
  planner hint; it allocates nothing);
- ``work_mem`` 32 MB (a sort or hash per plan node and connection), ``maintenance_work_mem`` a sixteenth of the
  memory, between 64 MB and 1 GB (index builds after a bulk load);
- ``max_wal_size`` 4 GB and ``checkpoint_timeout`` 15 min: checkpoints by time, not every gigabyte of an import;
- ``random_page_cost`` 1.1: solid-state storage, where a random page costs about what a sequential one does.

Durability is untouched: ``fsync``, ``full_page_writes`` and ``synchronous_commit`` keep their defaults.

The settings go into ``biobank.conf`` in the data directory, which ``postgresql.conf`` includes (one line appended
once). The file is rewritten when the server is not running, so a new machine's sizes apply at the next start; a
running server keeps the values it started with.
"""

from __future__ import annotations

import os
from pathlib import Path

MB = 1024 * 1024
GB = 1024 * MB
CONF_NAME = "biobank.conf"
INCLUDE_LINE = f"include_if_exists = '{CONF_NAME}'  # the portal's settings (biobank/embedded_db/tuning.py)\n"


def physical_memory() -> int:
    """Bytes of memory on this machine (1 GB where the platform does not say)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return GB


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _mb(size: int) -> str:
    return f"{size // MB}MB"


def settings_for(memory: int) -> dict[str, str]:
    """The server settings for a machine with ``memory`` bytes (see the module's description)."""
    return {
        "shared_buffers": _mb(_clamp(memory // 4, 128 * MB, 4 * GB)),
        "effective_cache_size": _mb(_clamp(memory // 2, 256 * MB, 64 * GB)),
        "work_mem": "32MB",
        "maintenance_work_mem": _mb(_clamp(memory // 16, 64 * MB, GB)),
        "max_wal_size": "4GB",
        "checkpoint_timeout": "15min",
        "random_page_cost": "1.1",
    }


def render(settings: dict[str, str]) -> str:
    lines = [f"# Written by the Biobank Portal at each start of its embedded server ({__name__}); edits are lost."]
    lines += [f"{name} = '{value}'" for name, value in settings.items()]
    return "\n".join(lines) + "\n"


def write(pgdata: Path, memory: int | None = None) -> bool:
    """Write the settings for this machine into an initialised ``pgdata`` and include them from its
    ``postgresql.conf``; True if anything changed (the server must not be running, or it applies at its next start)."""
    text = render(settings_for(physical_memory() if memory is None else memory))
    conf, main = pgdata / CONF_NAME, pgdata / "postgresql.conf"
    changed = False
    if not conf.exists() or conf.read_text() != text:
        conf.write_text(text)
        conf.chmod(0o644)  # the server runs as its own system user when we are root
        changed = True
    if INCLUDE_LINE not in main.read_text():
        with main.open("a") as appended:
            appended.write("\n" + INCLUDE_LINE)
        changed = True
    return changed
