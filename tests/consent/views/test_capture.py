"""The capture screen (issue 16, items 1 and 2): it speaks the form's language, not the staff member's, and a drawn
signature survives a form error and is never lost on the way to the record."""

from __future__ import annotations

import base64
import re
from html import unescape

import pytest
from django.utils.translation import gettext, override

from consent.documents import signature_values
from consent.forms.consents import NO_DRAWING
from consent.models import Consent
from tests.consent.factories import make_catalogue, make_donor, media_root, signature_png  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/consent/biobank-a/record/"


@pytest.fixture
def template(biobank_a, consent_officer_a):
    return make_catalogue(biobank_a, actor=consent_officer_a)


@pytest.fixture
def signed_in(client, consent_officer_a):
    client.force_login(consent_officer_a)
    return client


@pytest.fixture
def start(biobank_a, template):
    return {"pid": make_donor(biobank_a).pid, "template": template.pk}


def complete(start: dict, officer, **changes) -> dict:
    data = {
        **start,
        "language": "en",
        "module_data": "accepted",
        "module_biomaterial": "declined",
        "signer_name": "Erika Mustermann",
        "informed_by": officer.pk,
        "informed_place": "Ward 3",
        "witness": officer.pk,
        "countersigned": "on",
    }
    return {key: value for key, value in (data | changes).items() if value is not None}


def drawing() -> str:
    return "data:image/png;base64," + base64.b64encode(signature_png()).decode()


def form_part(html: str) -> str:
    """The donor's part of the page: from the wrapper of the form to the end of the form."""
    start = html.index('<div class="capture-form"')
    return html[start : html.index("</form>", start)]


def in_german(message: str) -> str:
    with override("de"):
        return gettext(message)


def test_a_german_form_asks_its_choices_in_german_while_the_staff_page_stays_english(signed_in, start):
    page = signed_in.get(URL, {**start, "language": "de"}).content.decode()

    form = form_part(page)
    assert '<div class="capture-form" lang="de">' in page
    assert "Ja, ich stimme zu" in form and "Yes, I agree" not in form
    assert "Ihre Entscheidungen" in form and "Your choices" not in form
    assert in_german("Sign and record the consent") in form
    assert '<html lang="en">' in page and "choose another form" in page  # the staff member's own page around it


def test_the_errors_of_a_german_form_are_german(signed_in, start, consent_officer_a):
    data = complete(start, consent_officer_a, language="de", module_data=None, countersigned=None)

    response = signed_in.post(URL, data)

    form = form_part(response.content.decode())
    assert response.status_code == 200 and not Consent.objects.exists()
    assert "Es gibt ein Problem" in form and "There is a problem" not in form
    assert "Fehler:" in form
    for message in (
        "This module is mandatory: the donor must agree to sign this form.",
        "Confirm that the signature was witnessed.",
    ):
        assert unescape(in_german(message)) in unescape(form)


def test_an_english_form_under_a_german_staff_page_is_english_and_says_so(signed_in, start):
    signed_in.cookies["django_language"] = "de"

    page = signed_in.get(URL, {**start, "language": "en"}).content.decode()

    assert '<html lang="de">' in page and "Abmelden" in page  # the staff member's page is German
    assert '<div class="capture-form" lang="en">' in page
    form = form_part(page)
    assert "Yes, I agree" in form and "Ja, ich stimme zu" not in form


def test_the_form_in_the_staff_members_own_language_needs_no_lang_of_its_own(signed_in, start):
    page = signed_in.get(URL, {**start, "language": "en"}).content.decode()

    assert '<div class="capture-form">' in page


def test_a_drawing_sent_with_a_forgotten_countersignature_comes_back_and_is_then_recorded(
    signed_in, start, consent_officer_a
):
    data = complete(start, consent_officer_a, signature_method="drawn", signature=drawing(), countersigned=None)

    refused = signed_in.post(URL, data)

    html = refused.content.decode()
    hidden = re.search(r'<input type="hidden" name="signature" value="([^"]*)"', html)
    assert refused.status_code == 200 and not Consent.objects.exists()
    assert hidden and hidden.group(1) == drawing()  # kept for the pad to draw again
    assert re.search(r'<input type="radio" name="signature_method" value="drawn"[^>]* checked', html)

    recorded = signed_in.post(URL, {**data, "signature": hidden.group(1), "countersigned": "on"})

    assert recorded.status_code == 302
    assert signature_values(Consent.objects.get()).signature_png == signature_png()


def test_a_drawn_signature_that_did_not_arrive_is_refused_at_the_pad(signed_in, start, consent_officer_a):
    response = signed_in.post(URL, complete(start, consent_officer_a, signature_method="drawn", signature=""))

    html = response.content.decode()
    pad = html[html.index('id="signature-pad-field"') : html.index("<canvas")]
    assert response.status_code == 200 and not Consent.objects.exists()
    assert unescape(str(NO_DRAWING)) in unescape(pad)
    assert 'class="field field--error" id="signature-pad-field"' in html
    assert 'href="#id_signature"' in html  # the error summary leads to the pad


def test_the_typed_name_alone_signs_and_keeps_no_drawing(signed_in, start, consent_officer_a):
    response = signed_in.post(URL, complete(start, consent_officer_a, signature_method="typed", signature=drawing()))

    assert response.status_code == 302
    assert signature_values(Consent.objects.get()).signature_png is None


def test_a_post_without_a_method_counts_a_drawing_that_came_as_drawn(signed_in, start, consent_officer_a):
    response = signed_in.post(URL, complete(start, consent_officer_a, signature=drawing()))

    assert response.status_code == 302
    assert signature_values(Consent.objects.get()).signature_png == signature_png()


def test_each_refused_answer_is_described_by_its_own_message(signed_in, start, consent_officer_a):
    data = complete(start, consent_officer_a, module_data=None, countersigned=None)

    form = form_part(signed_in.post(URL, data).content.decode())

    for field in ("module_data", "countersigned"):
        assert f'<ul class="errorlist" id="id_{field}_error">' in form
    assert re.search(r'<fieldset aria-describedby="[^"]*\bid_module_data_error\b[^"]*">', form)
    assert re.search(r'<input type="checkbox"[^>]*aria-describedby="id_countersigned_error"', form)
