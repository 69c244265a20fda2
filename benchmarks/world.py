"""The generated network as a cached PostgreSQL template database, and a fresh copy of it for each run.

``world(scale, seed)`` looks for the template ``biobank_bench_tpl_<scale>_s<seed>_<key>`` on the server named by
``DATABASE_URL``; ``<key>`` hashes every migration file, the generator's source and the audit key the chain was
signed with, so a new migration or a changed generator makes (and uses) a new template. Missing, it is built once:
a copy of the migrated empty database (itself cached as ``biobank_bench_tpl_migrated_<migrations key>``: migrating
takes a minute or more), ``benchmarks.generate.generate`` fills it, and it is renamed into place (another process
building the same template at the same time loses the rename and drops its copy). Each run then works on
``CREATE DATABASE biobank_bench_run_<pid> TEMPLATE …`` — benchmarks may write — dropped at the end.

Keys the data depend on live in ``var/bench/keys/`` (git-ignored): the audit chain's HMAC key (the chain in the
template is verified later) and the release pseudonym key. ``python -m benchmarks --drop-cache`` drops every
template.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.generate import Plan, plan

REPO = Path(__file__).resolve().parent.parent
VAR = REPO / "var" / "bench"
KEYS = VAR / "keys"
PREFIX = "biobank_bench_tpl_"
RUN = "biobank_bench_run_"


@dataclass
class World:
    """A fresh copy of the generated network, the current database while the ``world()`` block runs."""

    plan: Plan
    database: str
    template: str
    generated_seconds: float | None  # None: the template came from the cache

    @property
    def scale(self) -> str:
        return self.plan.scale

    def biobanks(self) -> list[Any]:
        from biobank.accounts.models import Biobank

        return list(Biobank.objects.filter(code__startswith="bb").order_by("code"))

    def biobank(self) -> Any:
        return self.biobanks()[0]


def configure(tmp: Path) -> None:
    """Settings every run shares: no DEBUG, the test host, persistent keys, media and checkpoints in ``tmp``."""
    from django.conf import settings

    from biobank.audit.checkpoints import hmac_key
    from biobank.crypto.keys import new_key_line

    settings.DEBUG = False  # DEBUG keeps every SQL statement in memory: not what production pays
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    KEYS.mkdir(parents=True, exist_ok=True)
    settings.AUDIT_HMAC_KEY_FILE = KEYS / "audit-hmac.key"
    settings.AUDIT_HMAC_KEY_AUTOCREATE = True
    settings.AUDIT_CHECKPOINT_PATH = str(tmp / "audit-checkpoints.log")
    settings.AUDIT_CHECKPOINT_SYSLOG = False
    settings.MEDIA_ROOT = str(tmp / "media")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # notifications go nowhere
    pseudonyms = KEYS / "pseudonym.keys"
    if not pseudonyms.exists():
        pseudonyms.write_text(new_key_line("b1") + "\n")
        pseudonyms.chmod(0o600)
    settings.PSEUDONYM_KEY_FILE = pseudonyms
    hmac_key()  # made now if missing: the template's name depends on it


def _migrations() -> list[Path]:
    return sorted(REPO.glob("*/migrations/*.py")) + sorted(REPO.glob("biobank/*/migrations/*.py"))


def cache_key(*, generated: bool = True) -> str:
    """Hash of every migration file and (``generated``) the generator's source and the audit key (10 hex digits)."""
    digest = hashlib.sha256()
    files = _migrations()
    if generated:
        files += [REPO / "benchmarks" / "generate.py", KEYS / "audit-hmac.key"]
    for path in files:
        digest.update(path.relative_to(REPO).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:10]


def template_name(scale: str, seed: int) -> str:
    return f"{PREFIX}{scale}_s{seed}_{cache_key()}"


def _admin(sql: str, params: list[Any] | None = None) -> list[tuple]:
    """A statement on the server's maintenance database (CREATE/DROP DATABASE cannot run in the current one)."""
    from django.db import connection

    with connection._nodb_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _exists(name: str) -> bool:
    return bool(_admin("SELECT 1 FROM pg_database WHERE datname = %s", [name]))


def _kick(name: str) -> None:
    """End other sessions on ``name`` (a drain thread of this process may still hold one)."""
    _admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]
    )


def _drop(name: str) -> None:
    _kick(name)
    _admin(f'DROP DATABASE IF EXISTS "{name}"')


def _use(name: str) -> None:
    from django.conf import settings
    from django.db import connection, connections

    connections.close_all()
    settings.DATABASES["default"]["NAME"] = name
    connection.settings_dict["NAME"] = name


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def drop_cache() -> list[str]:
    """Drop every cached template and the run copies left behind by processes that are gone; their names."""
    names = [row[0] for row in _admin("SELECT datname FROM pg_database WHERE datname LIKE 'biobank\\_bench\\_%%'")]
    names = [
        name
        for name in names
        if name.startswith(PREFIX) or (name.startswith(RUN) and not _alive(name.removeprefix(RUN)))
    ]
    for name in names:
        _drop(name)
    return names


def build(name: str, scale: str, seed: int, log: Callable[[str], None]) -> float:
    """Migrate an empty database, generate the network into it, rename it to ``name``; the seconds it took."""
    from django.core.management import call_command

    from benchmarks.generate import generate

    original = _current()
    building = f"{name}_b{os.getpid()}"
    empty = f"{PREFIX}migrated_{cache_key(generated=False)}"  # the migrated empty database, for every scale
    _drop(building)
    started = time.perf_counter()
    if _exists(empty):
        _admin(f'CREATE DATABASE "{building}" TEMPLATE "{empty}"')
    else:
        _admin(f'CREATE DATABASE "{building}"')
    try:
        _use(building)
        if not _exists(empty):
            call_command("migrate", verbosity=0, interactive=False)
            _use(original)
            _kick(building)
            if not _exists(empty):
                _admin(f'CREATE DATABASE "{empty}" TEMPLATE "{building}"')
            _use(building)
        log(f"generating {scale} (seed {seed}) into {building}")
        generate(scale, seed, log=log)
        _use(original)
        _kick(building)
        if _exists(name):  # another run made it meanwhile
            _drop(building)
        else:
            _admin(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    except BaseException:
        _use(original)
        _drop(building)
        raise
    return time.perf_counter() - started


def _current() -> str:
    from django.db import connection

    return connection.settings_dict["NAME"]


@contextmanager
def world(scale: str, seed: int = 1, log: Callable[[str], None] = print) -> Iterator[World]:
    """A fresh copy of the generated network of ``scale``/``seed`` as the current database, dropped afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        configure(Path(tmp))
        template = template_name(scale, seed)
        seconds = None
        if not _exists(template):
            seconds = build(template, scale, seed, log)
            log(f"generated {scale} in {seconds:.1f} s; cached as {template}")
        else:
            log(f"using the cached {template}")
        original = _current()
        database = f"{RUN}{os.getpid()}"
        _drop(database)
        _admin(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
        try:
            _use(database)
            yield World(plan=plan(scale, seed), database=database, template=template, generated_seconds=seconds)
        finally:
            from biobank.audit.integrity import checkpoint_clock

            checkpoint_clock.reset()  # nothing left to sign at exit in a database that is gone
            _use(original)
            _drop(database)
