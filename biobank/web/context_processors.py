"""Navigation for the page header: only the links the signed-in person can use, built from their roles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from biobank.accounts.choices import Perm

from .access import BiobankAccess, biobank_access


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool = False


@dataclass
class NavSection:
    title: str
    subtitle: str
    links: list[NavLink] = field(default_factory=list)


@dataclass
class Navigation:
    main: list[NavLink]
    biobanks: list[NavSection]
    account: list[NavLink]


@dataclass(frozen=True)
class BiobankLinkSpec:
    """A link a domain app adds to each biobank's section, shown to those holding ``perm`` there."""

    label: Any  # a lazy translation
    url_name: str  # reversed with the biobank's code as the only argument
    perm: Perm


@dataclass(frozen=True)
class MainLinkSpec:
    """A link a domain app adds to the main navigation, shown if the person holds ``perm`` in any biobank."""

    label: Any
    url_name: str
    perm: Perm


@dataclass(frozen=True)
class PublicLinkSpec:
    """A link a domain app shows to everyone, signed in or not (a public page such as the catalogue)."""

    label: Any
    url_name: str


@dataclass(frozen=True)
class AccountLinkSpec:
    """A link a domain app adds under "Your account", shown when ``show(user, accesses)`` is true (no query)."""

    label: Any
    url_name: str
    show: Callable[[Any, list[BiobankAccess]], bool]


BIOBANK_LINKS: list[BiobankLinkSpec] = []
ACCOUNT_LINKS: list[AccountLinkSpec] = []
MAIN_LINKS: list[MainLinkSpec] = []
PUBLIC_LINKS: list[PublicLinkSpec] = []


def register_biobank_link(*, label: Any, url_name: str, perm: Perm) -> None:
    """Called from a domain app's ``AppConfig.ready()``: the core never imports the apps above it."""
    spec = BiobankLinkSpec(label, url_name, perm)
    if spec not in BIOBANK_LINKS:
        BIOBANK_LINKS.append(spec)


def register_account_link(*, label: Any, url_name: str, show: Callable[[Any, list[BiobankAccess]], bool]) -> None:
    """A link in the person's account section (e.g. their notifications), for whom ``show`` says."""
    if all(spec.url_name != url_name for spec in ACCOUNT_LINKS):
        ACCOUNT_LINKS.append(AccountLinkSpec(label, url_name, show))


def register_main_link(*, label: Any, url_name: str, perm: Perm) -> None:
    spec = MainLinkSpec(label, url_name, perm)
    if spec not in MAIN_LINKS:
        MAIN_LINKS.append(spec)


def register_public_link(*, label: Any, url_name: str) -> None:
    """A link for everyone: in the main navigation when signed in, in the page header for anonymous visitors."""
    spec = PublicLinkSpec(label, url_name)
    if spec not in PUBLIC_LINKS:
        PUBLIC_LINKS.append(spec)


# Links for signed-in people who hold no biobank role (a researcher): shown when ``test(user)`` is true.
USER_LINKS: list[tuple[Any, str, Callable[[Any], bool]]] = []


def register_user_link(*, label: Any, url_name: str, test: Callable[[Any], bool]) -> None:
    """A main-navigation link decided by the user alone (e.g. ``user.is_researcher``), not by a biobank role."""
    if not any(name == url_name for _label, name, _test in USER_LINKS):
        USER_LINKS.append((label, url_name, test))


def public_links(request: HttpRequest) -> list[NavLink]:
    return [_link(request, str(spec.label), reverse(spec.url_name)) for spec in PUBLIC_LINKS]


def _link(request: HttpRequest, label: str, url: str, *, exact: bool = False) -> NavLink:
    current = request.path == url if exact else request.path.startswith(url)
    return NavLink(label, url, current)


def _one_current(links: list[NavLink]) -> list[NavLink]:
    """Of links matched by prefix (``/specimens/x/`` and ``/specimens/x/storage/``), only the longest is current."""
    current = [link for link in links if link.current]
    if len(current) < 2:
        return links
    best = max(current, key=lambda link: len(link.url))
    return [link if link is best or not link.current else NavLink(link.label, link.url, False) for link in links]


def build_navigation(request: HttpRequest) -> Navigation:
    """One query (the person's memberships), however many biobanks they belong to."""
    user = request.user
    accesses = biobank_access(request)
    main = [_link(request, _("Dashboard"), reverse("web:dashboard"), exact=True)]
    for spec in MAIN_LINKS:
        if any(a.can(spec.perm) for a in accesses):
            main.append(_link(request, str(spec.label), reverse(spec.url_name)))
    main += [_link(request, str(label), reverse(name)) for label, name, test in USER_LINKS if test(user)]
    main += public_links(request)
    if user.is_superuser:
        main.append(_link(request, _("Django admin"), reverse("admin:index")))
    sections = []
    for access in accesses:
        code = access.biobank.code
        section = NavSection(access.biobank.name, ", ".join(access.role_labels) or _("Superuser"))
        section.links.append(_link(request, _("Overview"), reverse("web:biobank", args=[code]), exact=True))
        section.links.append(_link(request, _("Members"), reverse("web:members", args=[code])))
        if access.can(Perm.MANAGE_API_TOKENS):
            section.links.append(_link(request, _("API tokens"), reverse("web:tokens", args=[code])))
        for link in BIOBANK_LINKS:
            if access.can(link.perm):
                section.links.append(_link(request, str(link.label), reverse(link.url_name, args=[code])))
        section.links = _one_current(section.links)
        sections.append(section)
    account = [_link(request, _("Profile"), reverse("accounts:profile"))]
    if user.is_authenticated and user.has_usable_password():  # always signed in here (see navigation)
        account.append(_link(request, _("Change password"), reverse("accounts:password_change")))
    else:  # a donor who signs in by e-mailed link: the same page offers to set one (no old password asked)
        account.append(_link(request, _("Set a password"), reverse("accounts:password_change")))
    account += [
        _link(request, str(spec.label), reverse(spec.url_name)) for spec in ACCOUNT_LINKS if spec.show(user, accesses)
    ]
    return Navigation(main=main, biobanks=sections, account=account)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"public_links": public_links(request)} if PUBLIC_LINKS else {}
    return {"nav": SimpleLazyObject(lambda: build_navigation(request))}
