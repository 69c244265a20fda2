"""Registering a donor (issue 16, item 6): one submit names every problem, each said once (the summary puts the
field's name before the message, the field shows the message under its label), and what was typed stays."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from consent.models import Donor, DuplicateReview

pytestmark = pytest.mark.django_db

FORM = {
    "given_names": "Paul",
    "family_name": "Weber",
    "date_of_birth": "1981-11-02",
    "sex": "male",
    "hospital_id": "MRN-777",
    "national_id": "",
    "email": "",
    "phone": "",
    "address": "",
}
URL = reverse("consent:donor_register", args=["biobank-a"])


def test_three_bad_values_are_all_named_in_one_submit(client, consent_officer_a):
    client.force_login(consent_officer_a)
    bad = {"family_name": "", "date_of_birth": "2999-01-01", "email": "nope", "phone": "call me"}

    response = client.post(URL, {**FORM, **bad})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"family_name", "date_of_birth", "email", "phone"}
    html = response.content.decode()
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    for field in bad:
        assert f'href="#id_{field}"' in summary
        assert f'id="id_{field}_error"' in html
    assert not Donor.objects.exists() and not DuplicateReview.objects.exists()


def test_each_message_names_its_field_once(client, consent_officer_a):
    client.force_login(consent_officer_a)

    response = client.post(URL, {**FORM, "date_of_birth": "2999-01-01", "email": "nope"})

    html = response.content.decode()
    assert "Date of birth: Date of birth" not in html and "E-mail: E-mail" not in html
    assert response.context["form"].errors["date_of_birth"] == ["2999-01-01 is in the future."]
    assert re.search(r'<a href="#id_date_of_birth">Date of birth: 2999-01-01 is in the future\.</a>', html)
    assert response.context["form"].errors["email"][0].startswith("Not a valid e-mail address")


def test_what_was_typed_is_kept(client, consent_officer_a):
    client.force_login(consent_officer_a)

    response = client.post(URL, {**FORM, "date_of_birth": "2999-01-01", "address": "Hauptstraße 5\n10115 Berlin"})

    html = response.content.decode()
    assert 'value="Paul"' in html and 'value="Weber"' in html and 'value="MRN-777"' in html
    assert 'value="2999-01-01"' in html and "Hauptstraße 5" in html
    assert re.search(r'value="male"[^>]*checked', html)
