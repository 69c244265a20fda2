"""The embedded PostgreSQL as a Django database backend: PostgreSQL's own, started on the first connection."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.backends.postgresql import base, client

from . import ensure_started


class DatabaseClient(client.DatabaseClient):
    """``manage.py dbshell`` needs the server's socket before it runs ``psql``."""

    def runshell(self, parameters: Iterable[str]) -> None:
        ensure_started(self.connection.settings_dict)
        super().runshell(parameters)


class DatabaseWrapper(base.DatabaseWrapper):
    """Starts (or attaches to) the embedded server when the process first connects, never when settings load."""

    client_class = DatabaseClient

    def get_connection_params(self) -> dict[str, Any]:
        ensure_started(self.settings_dict)
        return super().get_connection_params()
