"""The page shell: landmarks, skip link, assets from static/, error pages."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_layout_has_landmarks_a_skip_link_and_one_h1(client, admin_a):
    client.force_login(admin_a)
    page = client.get(reverse("web:dashboard")).content.decode()
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in page
    assert 'href="#main"' in page and "Skip to main content" in page
    assert page.count("<h1") == 1
    assert '<html lang="en">' in page


def test_every_asset_is_served_from_static_and_none_from_a_cdn(client, admin_a):
    client.force_login(admin_a)
    page = client.get(reverse("web:dashboard")).content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page)
    assert set(assets) == {"/static/css/portal.css", "/static/vendor/htmx/htmx.min.js", "/static/js/portal.js"}
    assert "//" not in "".join(assets)


def test_every_input_of_the_login_form_has_a_label(client):
    page = client.get(reverse("accounts:login")).content.decode()
    for input_id in re.findall(r'<input[^>]*type="(?:email|password|text)"[^>]*id="([^"]+)"', page):
        assert f'for="{input_id}"' in page


def test_the_404_page_says_what_happened(client, admin_a):
    client.force_login(admin_a)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_500_page_renders_without_a_request_or_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        page = render_to_string("500.html")
    assert "Something went wrong on our side" in page
    assert "/static/css/portal.css" in page


def test_the_german_translation_switches_the_document_language(client):
    with override_settings(LANGUAGE_CODE="de"):
        page = client.get(reverse("accounts:login"), headers={"Accept-Language": "de"}).content.decode()
    assert '<html lang="de">' in page


# --- consent: the language switcher and the document language (issue 16, Build 3) ---


def _switcher(page: str) -> str:
    return page[page.index('<form method="post" action="/i18n/setlang/"') :].split("</form>", 1)[0]


def test_the_header_offers_each_language_named_in_itself_as_a_keyboard_button(client, admin_a):
    client.force_login(admin_a)
    switcher = _switcher(client.get(reverse("web:dashboard")).content.decode())

    assert 'name="csrfmiddlewaretoken"' in switcher and 'name="next" value="/"' in switcher
    buttons = re.findall(
        r'<button type="submit" name="language" value="(\w+)" lang="(\w+)"[^>]*>([^<]+)</button>', switcher
    )
    assert buttons == [("en", "en", "English"), ("de", "de", "Deutsch")]
    assert 'value="en" lang="en" class="button button--ghost" aria-current="true"' in switcher


def test_choosing_deutsch_makes_every_page_german_and_sends_the_person_back(client):
    chosen = client.post("/i18n/setlang/", {"language": "de", "next": reverse("accounts:password_reset")})

    page = client.get(reverse("accounts:login")).content.decode()
    assert chosen.status_code == 302 and chosen["Location"] == reverse("accounts:password_reset")
    assert chosen.cookies["django_language"]["httponly"] and chosen.cookies["django_language"]["samesite"] == "Lax"
    assert '<html lang="de">' in page and "Anmelden" in page
    assert 'value="de" lang="de" class="button button--ghost" aria-current="true"' in _switcher(page)


def test_the_switcher_sends_nobody_to_another_site(client):
    chosen = client.post("/i18n/setlang/", {"language": "de", "next": "https://evil.example/"})

    assert chosen["Location"] == "/"


def test_the_standalone_500_page_names_the_active_language():
    from django.utils.translation import override

    with override("de"):
        page = render_to_string("500.html")
    assert '<html lang="de">' in page


def test_the_switcher_takes_only_a_post(client):
    assert client.get("/i18n/setlang/?language=de").status_code == 405
