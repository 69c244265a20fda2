"""Nothing a page makes the browser load comes from another host (issue 9, item 18): the portal works offline, on a
hospital network without internet, and tells no third party who opened which page.

A load is what the browser fetches by itself: ``src=``, ``<link href>`` (style sheets, icons, preconnect), ``url( )``
and ``@import`` in CSS, fonts. A link in text (``<a href="https://www.bbmri-eric.eu">``) is followed only by a click
and is allowed. Style sheets and scripts the pages reference are read and checked too.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from drf_spectacular.views import SpectacularRedocView

from tests.web.pages import css_loads, is_foreign, parse, static_file

pytestmark = pytest.mark.django_db

# Host names that occur as plain strings in Swagger UI's minified bundle (drf-spectacular-sidecar) and are never
# fetched: XML and JSON Schema namespaces, RFC and OpenAPI references in its messages, React error-decoder and
# licence comments, example values. validator.swagger.io is the one Swagger UI would fetch (a badge image); the
# setting validatorUrl=None turns it off and tests/web/test_csp.py checks that. tests/e2e/test_csp.py watches the
# real browser for any request to another host. A new host here after an upgrade fails the test until reviewed.
SWAGGER_UI_STRINGS = {
    "www.w3.org", "datatracker.ietf.org", "www.rfc-editor.org", "spec.openapis.org", "json-schema.org",
    "github.com", "validator.swagger.io", "swagger.io", "spdx.org", "example.com", "base", "fb.me",
    "reactjs.org", "redux.js.org", "vladimirgorej.com", "twitter.com", "www.tiktok.com", "instagram.com",
    "www.facebook.com", "soundcloud.com",
}  # fmt: skip
JS_ABSOLUTE_URL = re.compile(r"https?://([a-z0-9][a-z0-9.-]*)", re.IGNORECASE)


def _is_vendored_swagger_ui(path: Path) -> bool:
    return "drf_spectacular_sidecar" in path.parts


def _script_problems(name: str, text: str, *, vendored: bool) -> list[str]:
    hosts = {host.lower() for host in JS_ABSOLUTE_URL.findall(text)}
    allowed = SWAGGER_UI_STRINGS if vendored else set()
    return [f"{name}: mentions https?://{host}" for host in sorted(hosts - allowed)]


class Scan:
    """Every load of every page, and every style sheet and script they reference (each file read once)."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.problems: list[str] = []
        self.files: dict[str, list[str]] = {}

    def page(self, where: str, html: str) -> None:
        markup = parse(html)
        loads = [*markup.loads]
        for css in markup.style_texts + markup.style_attributes:
            loads += css_loads(css)
        for url in loads:
            if is_foreign(url):
                self.problems.append(f"{where}: loads {url}")
        for url in markup.resources:
            if url.startswith("/") and not url.startswith("//"):
                self.problems += self.referenced(url)

    def referenced(self, url: str) -> list[str]:
        if url not in self.files:
            self.files[url] = self._check_file(url)
        return self.files[url]

    def _check_file(self, url: str) -> list[str]:
        path = static_file(url)
        if path is not None:
            text = path.read_text("utf-8", errors="replace")
            kind = path.suffix
        else:  # a generated file, such as Swagger UI's init script (/api/docs/?script=)
            response = self.client.get(url)
            text = response.content.decode("utf-8", "replace")
            kind = ".js" if "javascript" in response.get("Content-Type", "") else ".css" if "css" in url else ""
        if kind == ".css":
            problems = [f"{url}: loads {target}" for target in css_loads(text) if is_foreign(target)]
            for target in css_loads(text):
                if target.startswith("/") and not target.startswith("//"):
                    problems += self.referenced(target)
            return problems
        if kind == ".js":
            return _script_problems(url, text, vendored=path is not None and _is_vendored_swagger_ui(path))
        return []


def test_the_scan_sees_loads_from_other_hosts_and_lets_links_and_data_urls_pass():
    html = """
      <link rel="preconnect" href="https://fonts.gstatic.com">
      <link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Roboto">
      <img src="//cdn.example.net/logo.png" srcset="/static/a.png 1x, https://img.example.net/b.png 2x">
      <script src="https://unpkg.com/htmx.org"></script>
      <style>@import "https://example.net/x.css"; body { background: url('https://example.net/bg.png') }</style>
      <p style="background: url(https://example.net/p.png)">x</p>
      <a href="https://www.bbmri-eric.eu">BBMRI-ERIC</a>
      <img src="data:image/png;base64,AAAA"><img src="/static/ok.png"><link rel="stylesheet" href="http://testserver/a.css">
    """
    scan = Scan(Client())

    scan.page("snippet", html)

    assert [problem.split(" loads ")[1] for problem in scan.problems] == [
        "https://fonts.gstatic.com",
        "https://fonts.googleapis.com/css2?family=Roboto",
        "//cdn.example.net/logo.png",
        "https://img.example.net/b.png",
        "https://unpkg.com/htmx.org",
        "https://example.net/x.css",
        "https://example.net/bg.png",
        "https://example.net/p.png",
    ]


def test_the_scan_finds_foreign_hosts_in_a_script_and_knows_swagger_ui_strings_only_in_its_bundle():
    text = 'fetch("https://tracker.example.net/hit"); const ns = "http://www.w3.org/2000/svg";'

    assert _script_problems("own.js", text, vendored=False) == [
        "own.js: mentions https?://tracker.example.net",
        "own.js: mentions https?://www.w3.org",
    ]
    assert _script_problems("swagger-ui-bundle.js", text, vendored=True) == [
        "swagger-ui-bundle.js: mentions https?://tracker.example.net"
    ]


def test_drf_spectacular_stock_redoc_page_would_load_google_fonts(rf: RequestFactory):
    """Why ReDoc is gone: its stock page loads fonts from Google (the scan finds them)."""
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/api/redoc/")
    request.user = AnonymousUser()
    response = SpectacularRedocView.as_view(url_name="schema")(request)
    response.render()
    scan = Scan(Client())

    scan.page("stock ReDoc", response.content.decode())

    assert any("fonts.googleapis.com" in problem for problem in scan.problems), scan.problems


def test_no_page_of_any_persona_loads_anything_from_another_host(crawled_pages, capsys):
    scan = Scan(Client())

    pages = [page for page in crawled_pages if page.is_html]
    for page in pages:
        scan.page(f"{page.persona} {page.url}", page.body)

    assert scan.problems == []
    personas = {page.persona for page in pages}
    shown = [page for page in pages if page.status == 200]
    assert len(personas) == 12 and len(shown) >= 200
    # The figures of docs/security.md ("Content-Security-Policy and offline pages").
    with capsys.disabled():
        print(
            f"\nscanned {len(pages)} HTML responses ({len({p.url for p in pages})} URLs x {len(personas)} personas; "
            f"by status {sorted(Counter(page.status for page in pages).items())}) "
            f"and {len(scan.files)} referenced style sheets and scripts: {sorted(scan.files)}"
        )
    assert {
        "/static/css/portal.css",
        "/static/css/consent.css",
        "/static/js/portal.js",
        "/static/js/signature-pad.js",
        "/static/vendor/htmx/htmx.min.js",
    } <= set(scan.files)
    assert any("swagger-ui-bundle.js" in url for url in scan.files)
    assert any("script=" in url for url in scan.files)  # Swagger UI's init script
