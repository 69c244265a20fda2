"""Walks the project's URL patterns and management commands and says which of them can write (issue 9, item 11).

A route writes when a handler answers POST, PUT, PATCH or DELETE:
- class-based views (Django and DRF): the view class defines ``post``/``put``/``patch``/``delete`` (a viewset: its
  action map names one); a ``RedirectView`` only redirects;
- the Django admin's model views: ``add``/``change``/``delete`` when the model admin permits it to a superuser, the
  change list when it offers actions or inline editing, never the history;
- the admin site's own views: ``login``, ``logout`` and ``password_change`` (they delegate to auth's views);
- any other function view: its source (decorators included) mentions ``POST``, ``PUT``, ``PATCH``, ``DELETE`` or
  ``request.method``.

Every route is keyed ``"<namespace:name> <METHOD>"`` (or by its pattern when unnamed) so the table of the test can
name each write exactly once.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.core.management import get_commands
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.generic import RedirectView
from django.views.generic.edit import ProcessFormView

WRITE_METHODS = ("post", "put", "patch", "delete")
ADMIN_SITE_WRITES = {"login": ("POST",), "logout": ("POST",), "password_change": ("POST",)}
_WRITES_IN_SOURCE = re.compile(r"request\.method")
# "POST" alone or in require_POST, never inside a longer word such as INPUT
_METHOD_NAMED = {m: re.compile(rf"(?<![A-Za-z0-9]){m}(?![A-Za-z0-9])") for m in ("POST", "PUT", "PATCH", "DELETE")}


@dataclass(frozen=True)
class Route:
    key: str  # the route's name with its namespace, or its pattern when unnamed
    pattern: str
    callback: Any


def routes(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    """Every URL pattern of the project, depth first, with its full pattern and namespaced name."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routes(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            key = f"{namespace}{entry.name}" if entry.name else pattern
            yield Route(key=key, pattern=pattern, callback=entry.callback)


def _superuser_request() -> Any:
    from biobank.accounts.models import User

    request = RequestFactory().get("/admin/")
    request.user = User(email="walker@example.org", is_superuser=True, is_staff=True, is_active=True)
    return request


def _model_admin_methods(callback: Any) -> tuple[str, ...]:
    model_admin = callback.model_admin
    request, view = _superuser_request(), callback.__name__
    if view == "add_view":
        allowed = model_admin.has_add_permission(request)
    elif view == "change_view":
        allowed = model_admin.has_change_permission(request)
    elif view == "delete_view":
        allowed = model_admin.has_delete_permission(request)
    elif view == "changelist_view":
        allowed = bool(model_admin.get_actions(request) or model_admin.list_editable)
    else:
        allowed = False
    return ("POST",) if allowed else ()


def _handles(view_class: type, method: str) -> bool:
    """Whether ``view_class`` answers ``method``; Django's form views' ``put`` is only ``post`` again."""
    handler = getattr(view_class, method, None)
    return handler is not None and not (method == "put" and handler is ProcessFormView.put)


def write_methods(route: Route) -> tuple[str, ...]:
    """The HTTP methods by which ``route`` may change data (empty: it only reads)."""
    callback = route.callback
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    actions = getattr(callback, "actions", None)
    if actions is not None:  # a DRF viewset: only the methods its action map binds
        return tuple(m.upper() for m in WRITE_METHODS if m in actions)
    if view_class is not None:
        if issubclass(view_class, RedirectView):
            return ()
        return tuple(m.upper() for m in WRITE_METHODS if _handles(view_class, m))
    if hasattr(callback, "model_admin"):
        return _model_admin_methods(callback)
    namespace, _, name = route.key.rpartition(":")
    if namespace == admin.site.name:  # the admin site's own views (index, login, logout, password change, ...)
        return ADMIN_SITE_WRITES.get(name, ())
    function = inspect.unwrap(callback)
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):  # no source: treat as writing, so the table has to say what it does
        return ("POST",)
    named = tuple(m for m in ("POST", "PUT", "PATCH", "DELETE") if _METHOD_NAMED[m].search(source))
    return named or (("POST",) if _WRITES_IN_SOURCE.search(source) else ())


def writing_routes() -> dict[str, Route]:
    """``{"<key> <METHOD>": route}`` for every write a client can send."""
    found: dict[str, Route] = {}
    for route in routes():
        for method in write_methods(route):
            found[f"{route.key} {method}"] = route
    return found


def project_commands() -> list[str]:
    """The management commands defined by the project's own apps (inside the repository), overrides included."""
    base = Path(settings.BASE_DIR).resolve()
    names = []
    for name, app in get_commands().items():
        path = Path(import_module(f"{app}.management.commands.{name}").__file__ or "").resolve()
        if base in path.parents and ".venv" not in path.parts:
            names.append(name)
    return sorted(names)
