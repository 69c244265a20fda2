"""Strict parsing of configuration from environment variables.

A malformed value stops start-up with ``ImproperlyConfigured`` naming the variable, what it held and what is
allowed — a typo in ``DEBUG=ture`` must not silently become ``False`` in a hospital's production system.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Mapping
from typing import Any, overload
from urllib.parse import unquote, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off"}
_UNSET: Any = object()


class Env:
    """Reads typed values from a mapping (``os.environ`` by default); every error names the variable."""

    def __init__(self, environ_map: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ_map is None else environ_map

    def _raw(self, name: str, default: Any) -> str | Any:
        value = self.environ.get(name)
        if value is None or value == "":
            if default is _UNSET:
                raise ImproperlyConfigured(f"Environment variable {name} is required but not set.")
            return default
        return value

    def is_set(self, name: str) -> bool:
        return bool(self.environ.get(name))

    def str(self, name: str, default: Any = _UNSET) -> str:
        return self._raw(name, default)

    def bool(self, name: builtins.str, default: Any = _UNSET) -> builtins.bool:
        value = self._raw(name, default)
        if isinstance(value, bool):
            return value
        lowered = value.strip().lower()
        if lowered in TRUE_VALUES:
            return True
        if lowered in FALSE_VALUES:
            return False
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not a boolean; use one of "
            f"{', '.join(sorted(TRUE_VALUES | FALSE_VALUES))}."
        )

    def int(self, name: builtins.str, default: Any = _UNSET, *, minimum: builtins.int | None = None) -> builtins.int:
        value = self._raw(name, default)
        if isinstance(value, int):
            return value
        try:
            number = int(value.strip())
        except ValueError:
            raise ImproperlyConfigured(f"Environment variable {name}={value!r} is not a whole number.") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"Environment variable {name}={number} must be at least {minimum}.")
        return number

    def list(self, name: builtins.str, default: Any = _UNSET) -> builtins.list[builtins.str]:
        value = self._raw(name, default)
        if isinstance(value, list):
            return value
        items = [item.strip() for item in value.split(",")]
        if any(not item for item in items):
            raise ImproperlyConfigured(
                f"Environment variable {name}={value!r} has an empty entry; give a comma-separated list."
            )
        return items

    @overload
    def url(self, name: builtins.str, default: None, *, schemes: tuple[builtins.str, ...]) -> builtins.str | None: ...

    @overload
    def url(
        self, name: builtins.str, default: builtins.str = ..., *, schemes: tuple[builtins.str, ...]
    ) -> builtins.str: ...

    def url(
        self, name: builtins.str, default: builtins.str | None = _UNSET, *, schemes: tuple[builtins.str, ...]
    ) -> builtins.str | None:
        value = self._raw(name, default)
        if value is None:
            return value
        parts = urlsplit(value)
        if parts.scheme not in schemes:
            raise ImproperlyConfigured(
                f"Environment variable {name} has scheme {parts.scheme or '(none)'!r}; allowed: {', '.join(schemes)}."
            )
        return value

    def db(self, name: builtins.str = "DATABASE_URL") -> dict[builtins.str, Any]:
        value = self.url(name, schemes=("postgres", "postgresql", "pgsql"))
        parts = urlsplit(value)
        if not parts.path.strip("/"):
            raise ImproperlyConfigured(
                f"Environment variable {name} names no database; use postgres://USER@HOST:PORT/DBNAME."
            )
        try:
            config = environ.Env.db_url_config(value)
        except Exception as error:
            raise ImproperlyConfigured(f"Environment variable {name} cannot be parsed: {error}") from None
        config.setdefault("OPTIONS", {})
        # A unix-socket directory is given percent-encoded as the host (postgres://user@%2Fvar%2Frun%2Fpostgresql/db).
        if isinstance(config.get("HOST"), str) and "%2f" in config["HOST"].lower():
            config["HOST"] = unquote(config["HOST"])
        return config

    def email(self, name: builtins.str = "EMAIL_URL", default: Any = _UNSET) -> dict[builtins.str, Any]:
        value = self.url(
            name,
            default,
            schemes=("smtp", "smtps", "smtp+tls", "smtp+ssl", "consolemail", "filemail", "memorymail", "dummymail"),
        )
        try:
            return environ.Env.email_url_config(value)
        except Exception as error:
            raise ImproperlyConfigured(f"Environment variable {name} cannot be parsed: {error}") from None
