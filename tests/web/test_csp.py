"""Content-Security-Policy on every page, and no inline script or style to need it loosened (issue 9, item 18)."""

from __future__ import annotations

import json
import re

import pytest

from tests.accounts.factories import UserFactory
from tests.web.pages import is_foreign, parse

pytestmark = pytest.mark.django_db

EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def inline_code(html: str, nonce: str | None) -> list[str]:
    """What the policy would block (or only a nonce may allow) in one page's markup."""
    markup = parse(html)
    found = [*markup.handlers, *markup.style_attributes, *markup.javascript_urls]
    found += [f"<script {attrs}> without the page's nonce" for attrs in markup.inline_scripts if
              not nonce or attrs.get("nonce") != nonce]  # fmt: skip
    found += [f"<style {attrs}> without the page's nonce" for attrs in markup.style_elements if
              not nonce or attrs.get("nonce") != nonce]  # fmt: skip
    return found


def test_the_policy_allows_only_this_server_and_no_inline_code(client):
    response = client.get("/accounts/login/")

    assert directives(response["Content-Security-Policy"]) == EXPECTED_POLICY


def test_the_check_finds_inline_scripts_styles_and_handlers():
    html = """<p style="color: red">x</p><button onclick="go()">go</button><a href="javascript:go()">go</a>
        <script>go()</script><script nonce="abc">ok()</script><style>p { color: red }</style>
        <script src="/static/js/portal.js"></script>"""

    found = inline_code(html, nonce="abc")

    assert len(found) == 5, found
    assert inline_code('<script nonce="abc">ok()</script>', nonce="abc") == []
    assert inline_code('<script nonce="abc">ok()</script>', nonce=None) != []


def test_every_page_of_every_persona_carries_the_policy_and_no_inline_code(crawled_pages):
    html_pages = [page for page in crawled_pages if page.is_html]
    problems = []

    for page in html_pages:
        header = page.headers.get("Content-Security-Policy")
        if header is None:
            problems.append(f"{page.persona} {page.url}: no Content-Security-Policy header")
            continue
        policy = directives(header)
        for directive in ("script-src", "style-src"):
            loose = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'"} & set(policy.get(directive, ["?"]))
            if loose:
                problems.append(f"{page.persona} {page.url}: {directive} allows {sorted(loose)}")
        nonce = next((word[7:-1] for word in policy["script-src"] if word.startswith("'nonce-")), None)
        problems += [f"{page.persona} {page.url}: {what}" for what in inline_code(page.body, nonce)]

    assert problems == []
    # Each persona sees real pages, not only refusals: the crawl reaches the demo data.
    assert len({page.persona for page in html_pages if page.status == 200}) == 12
    assert len([page for page in html_pages if page.status == 200]) >= 200


def test_the_admin_pages_of_the_superuser_have_the_policy_and_no_inline_code(client, admin_a, collection_a):
    """Django's admin (superusers only) lives under the same policy: its index, every list, add and change page."""
    from django.contrib import admin
    from django.urls import reverse

    client.force_login(UserFactory(email="operator@example.org", is_superuser=True, is_staff=True))
    urls = ["/admin/"]
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{info}_changelist"), reverse(f"{info}_add")]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"{info}_change", args=[first.pk]))
    problems = []

    for url in urls:
        response = client.get(url)
        html = response.content.decode()
        assert directives(response["Content-Security-Policy"]) == EXPECTED_POLICY, url
        problems += [f"{url}: {what}" for what in inline_code(html, nonce=None)]
        problems += [f"{url}: loads {load}" for load in parse(html).loads if is_foreign(load)]

    assert problems == []
    assert len(urls) > 20


def test_swagger_ui_has_no_inline_code_and_its_init_script_is_a_same_origin_file(client, admin_a):
    client.force_login(admin_a)

    page = client.get("/api/docs/")

    html = page.content.decode()
    assert page.status_code == 200 and inline_code(html, nonce=None) == []
    script_url = re.findall(r'<script src="([^"]+\?[^"]*script=[^"]*)"', html)
    assert len(script_url) == 1, html
    script = client.get(script_url[0].replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content
    # No badge image from validator.swagger.io (another host).
    assert re.search(rb"validatorUrl\W+null", script.content)


def test_the_old_redoc_address_leads_to_swagger_ui(client):
    response = client.get("/api/redoc/")

    assert (response.status_code, response["Location"]) == (301, "/api/docs/")


def test_htmx_may_neither_inject_styles_nor_evaluate_attributes(client):
    html = client.get("/accounts/login/").content.decode()

    config = re.search(r"""<meta name="htmx-config" content='([^']+)'>""", html)
    assert config is not None
    assert json.loads(config.group(1)) == {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "allowScriptTags": False,
    }
