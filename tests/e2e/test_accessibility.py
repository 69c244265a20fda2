"""WCAG 2.1 AA in CI (issue 16, build 2): every main page of every role of the demo world, at 1280 and 820 px.

Each role of ``seed_demo`` (and the anonymous visitor of the public catalogue) walks its navigation and its main
detail pages and forms (tests/e2e/walk.py) at 1280 x 900 and 820 x 1180. On every page:

* axe-core (vendored from npm, tests/e2e/vendor/axe-core/) with the WCAG 2.0/2.1 A and AA rules finds no critical
  and no serious violation;
* the page does not scroll sideways (``scrollWidth <= innerWidth``);
* the first Tab reaches the skip link, and every main action (primary buttons, the heading's actions, submit
  buttons) takes the keyboard focus and is on screen.

The main forms of each role (tests/e2e/error_states.py) are also sent with errors (empty, or with clearly invalid
values, so nothing changes), and their error state passes axe and fits the width too; its error summary is announced
(``role="alert"`` or focused) and links to every invalid field, and each invalid field is ``aria-invalid`` and
described by its error message.

The demo data are seeded and committed once for the module and served by a server of this module's own:
pytest-django's ``live_server`` makes every test transactional, which would empty the database after the first role.
The database is emptied after the module, as a transactional test leaves it. Signing in is by session cookie
(walk.py); the sign-in form and its second step have their own browser tests (test_login.py, test_mfa.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO

import pytest

from tests.e2e import error_states, walk

pytestmark = [pytest.mark.e2e]

# Page states that fail today and are being fixed by another helper of issue 16, by (view name, check): the check
# is an axe rule id, "overflow" or "keyboard". Remove an entry once the fix is merged; the test then guards it.
KNOWN: dict[tuple[str, str], str] = {}  # (view name, check) -> who fixes it; empty: every page passes


@dataclass
class Site:
    url: str
    paths: dict[str, str]
    cookies: dict[str, list[dict]]  # per role: a session made before the tests (their own transactions roll back)
    checked: set[tuple[str, str]]  # (path, width) already checked by an earlier role: the same page once


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, _allow_orm_beside_playwright) -> Iterator[Site]:
    from django.core.management import call_command
    from django.db import connections
    from pytest_django.live_server_helper import LiveServer

    # The server's thread reads the database all along: open for the whole module, emptied at its end.
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=StringIO())
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            cookies = {role.key: walk.session_cookies(role.email, server.url) for role in walk.ROLES if role.email}
            yield Site(url=server.url, paths=walk.demo_paths(), cookies=cookies, checked=set())
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            connections.close_all()  # this fixture's own connection: the test database is dropped after the session


def view_name(path: str) -> str:
    from django.urls import Resolver404, resolve

    try:
        return resolve(path.split("?")[0]).view_name
    except Resolver404:
        return path


def check_page(page, path: str) -> list[tuple[str, str]]:
    """(check, description) of every problem of the page at ``path``, as the browser shows it now."""
    response = page.goto(path)
    if response is None or response.status != 200:
        return [("status", f"answers {response.status if response else 'nothing'}, not 200")]
    problems = [(rule, text) for rule, text in walk.axe_problems(page)]
    overflow = walk.overflow_problem(page)
    if overflow:
        problems.append(("overflow", overflow))
    skip = walk.tab_reaches_content(page)
    if skip:
        problems.append(("keyboard", skip))
    problems += [("keyboard", f"main action {text}") for text in walk.keyboard_problems(page)]
    return problems


@pytest.mark.django_db  # marked, so the test database exists; the demo data are the module's (``site``)
@pytest.mark.parametrize("role", walk.ROLES, ids=[role.key for role in walk.ROLES])
def test_every_main_page_of_the_role_passes_axe_fits_the_width_and_works_by_keyboard(browser, site, role):
    failures: list[str] = []
    known: list[str] = []
    pages: list[str] = []
    for width, viewport in walk.WIDTHS.items():
        context = walk.new_context(browser, site.url, viewport, site.cookies.get(role.key, []), bypass_csp=True)
        page = context.new_page()
        try:
            pages = pages or walk.role_pages(page, role, site.url, site.paths)
            for path in pages:
                if path != "/" and (path, width) in site.checked:
                    continue
                site.checked.add((path, width))
                for check, text in check_page(page, path):
                    line = f"{role.key} {width} ({viewport['width']} px) {path}: {text}"
                    helper = KNOWN.get((view_name(path), check))
                    (known if helper else failures).append(f"{line}  [left to helper {helper}]" if helper else line)
        finally:
            context.close()
    if known:
        print("Known, being fixed elsewhere:\n  " + "\n  ".join(known))
    assert len(pages) >= 3, f"{role.key}: only {pages} found to check; the navigation changed?"
    assert not failures, f"{len(failures)} problem(s) on {role.key}'s pages:\n" + "\n".join(failures)


def check_error_state(page, form: error_states.ErrorForm, path: str) -> list[tuple[str, str]]:
    """(check, description) of every problem of ``form``'s error state, after submitting it at ``path``."""
    response = page.goto(path)
    if response is None or response.status != 200:
        return [("status", f"answers {response.status if response else 'nothing'}, not 200")]
    not_sent = error_states.submit_with_errors(page, form)
    if not_sent:
        return [("error-state", not_sent)]
    problems = [(rule, text) for rule, text in walk.axe_problems(page)]
    overflow = walk.overflow_problem(page)
    if overflow:
        problems.append(("overflow", overflow))
    return problems + [("error-state", text) for text in error_states.error_state_problems(page, form)]


@pytest.mark.django_db  # as above: the demo data are the module's
@pytest.mark.parametrize("role", list(error_states.FORMS), ids=list(error_states.FORMS))
def test_the_main_forms_of_the_role_show_errors_that_pass_axe_are_announced_and_tied_to_their_fields(
    browser, site, role
):
    person = next(candidate for candidate in walk.ROLES if candidate.key == role)
    failures: list[str] = []
    for width, viewport in walk.WIDTHS.items():
        context = walk.new_context(browser, site.url, viewport, site.cookies.get(role, []), bypass_csp=True)
        page = context.new_page()
        try:
            for form in error_states.FORMS[role]:
                path = walk.resolve(page, person, form.path, site.url, site.paths)
                assert path is not None, f"{role}: {form.name}: {form.path} is not in the demo data; seed_demo changed?"
                for check, text in check_error_state(page, form, path):
                    failures.append(f"{role} {width} ({viewport['width']} px) {form.name} ({path}): {check}: {text}")
        finally:
            context.close()
    assert not failures, f"{len(failures)} problem(s) in {role}'s error states:\n" + "\n".join(failures)


def test_the_vendored_axe_is_the_one_the_provenance_note_names():
    import hashlib

    note = (walk.AXE.parent / "PROVENANCE.md").read_text()
    digest = hashlib.sha256(walk.AXE.read_bytes()).hexdigest()

    assert digest in note, "axe.min.js differs from the file PROVENANCE.md describes"
    assert (walk.AXE.parent / "LICENSE").read_text().startswith("Mozilla Public License")
