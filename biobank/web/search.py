"""The global search of the page header (``/search/?q=``): a barcode, a PID, a request number or a collection name.

The core knows no domain app: each app registers a search provider from its ``AppConfig.ready()`` with
``register_search_provider`` (like the navigation links and the dashboard tiles). A provider takes the person and
the typed text and returns the hits that person may see, read through the app's own visibility selector, so that an
object of a biobank the person does not see is absent exactly as a nonexistent one is: the same queries run either
way (the scope is part of the SQL, never a second look-up), and the answer is the same "nothing found" page.

A provider runs a fixed number of queries whatever the text (at most ``MAX_HITS`` rows each), so the page's query
count does not depend on what exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

MAX_QUERY_LENGTH = 100  # longer text is no code, PID, number or name: nothing found, no query
MAX_HITS = 20  # per provider: a results page lists matches, it is no report


@dataclass(frozen=True)
class SearchHit:
    """One object found: its kind (shown as a group heading), what to call it, and its page."""

    kind: Any  # a (lazy) translated label, e.g. "Specimens"
    label: str
    url: str
    detail: str = ""  # e.g. the biobank's name
    # A fallback is shown only when nothing else matched (a technician's PID: the donor's specimens, when the person
    # may not open the donor itself).
    fallback: bool = False


SearchProvider = Callable[[Any, str], Iterable[SearchHit]]  # (person, stripped text) -> visible hits

SEARCH_PROVIDERS: list[tuple[str, SearchProvider]] = []


def register_search_provider(name: str, provider: SearchProvider) -> None:
    """Called from a domain app's ``AppConfig.ready()``; providers are asked in the order of ``INSTALLED_APPS``."""
    if all(known != name for known, _provider in SEARCH_PROVIDERS):
        SEARCH_PROVIDERS.append((name, provider))


def search_clean(text: Any) -> str:
    """The typed text without surrounding blanks; empty if there is nothing a provider could match."""
    if not isinstance(text, str):
        return ""
    text = text.strip()
    if len(text) > MAX_QUERY_LENGTH or "\x00" in text:
        return ""
    return text


def search_all(*, user: Any, text: str) -> list[SearchHit]:
    """Every provider's visible hits for ``text``; the fallbacks only when nothing else was found."""
    if not text:
        return []
    hits = [hit for _name, provider in SEARCH_PROVIDERS for hit in list(provider(user, text))[:MAX_HITS]]
    primary = [hit for hit in hits if not hit.fallback]
    return primary or hits


def hits_by_kind(hits: Iterable[SearchHit]) -> list[tuple[str, list[SearchHit]]]:
    """The hits grouped under their kind, in the order the kinds first appear."""
    groups: dict[str, list[SearchHit]] = {}
    for hit in hits:
        groups.setdefault(str(hit.kind), []).append(hit)
    return list(groups.items())
