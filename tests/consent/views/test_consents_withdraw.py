"""A module withdrawal on the consent's page (issue 16, item 7): a refused one shows its errors at the fields and in a
summary linking to them, keeps the donor's words, and names the modules as the donor signed them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from biobank.accounts.choices import Role
from consent.models import PolicyState
from tests.accounts.factories import make_member
from tests.consent.factories import make_catalogue, make_donor, media_root, module, record  # noqa: F401

pytestmark = pytest.mark.django_db

WORDS = "Ich möchte nicht mehr kontaktiert werden, bitte keine Anrufe mehr."


@pytest.fixture
def officer(biobank_a):
    return make_member(biobank_a, Role.CONSENT_OFFICER, email="officer@example.org")


@pytest.fixture
def consent_de(biobank_a, officer, media_root):  # noqa: F811
    return record(officer, make_donor(biobank_a), make_catalogue(biobank_a, actor=officer), language="de")


def _url(consent) -> str:
    return f"/consent/{consent.biobank.code}/consents/{consent.pk}/"


def test_the_modules_are_named_as_the_donor_signed_them(client, officer, consent_de):
    client.force_login(officer)
    html = client.get(_url(consent_de)).content.decode()

    assert ">Recontact (de)</option>" in html  # the German title of the signed version, not the code
    assert ">recontact</option>" not in html


def test_a_refused_withdrawal_keeps_the_words_and_shows_each_error_at_its_field(client, officer, consent_de):
    client.force_login(officer)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    before = PolicyState.objects.count()

    response = client.post(_url(consent_de) + "withdraw/", {"module": "", "effective": future, "reason": WORDS})

    assert response.status_code == 200  # the page again, not a redirect with a banner
    html = response.content.decode()
    assert WORDS in html  # the donor's words are kept
    assert f'value="{future}"' in html
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    assert 'href="#id_module"' in summary and 'href="#id_effective"' in summary
    assert 'id="id_module_error"' in html and 'id="id_effective_error"' in html
    assert PolicyState.objects.count() == before  # nothing written


def test_a_withdrawal_the_service_refuses_is_shown_at_the_form_with_the_input(client, officer, consent_de, biobank_a):
    client.force_login(officer)
    data = module(consent_de.template, "data")
    earlier = (consent_de.signed_on - timedelta(days=30)).isoformat()  # before the consent was signed

    response = client.post(_url(consent_de) + "withdraw/", {"module": data.pk, "effective": earlier, "reason": WORDS})

    assert response.status_code == 200
    html = response.content.decode()
    assert WORDS in html and 'class="error-summary"' in html
    assert f'<option value="{data.pk}" selected>' in html


def test_a_valid_withdrawal_is_recorded_and_leads_back_to_the_consent(client, officer, consent_de):
    client.force_login(officer)
    recontact = module(consent_de.template, "recontact")

    response = client.post(
        _url(consent_de) + "withdraw/",
        {"module": recontact.pk, "effective": timezone.localdate().isoformat(), "reason": WORDS},
    )

    assert response.status_code == 302 and response["Location"] == _url(consent_de)
    assert PolicyState.objects.filter(module=recontact, reason=WORDS).exists()
