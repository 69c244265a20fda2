"""Changing one choice, re-consenting to a newer version, and withdrawing: one form, one POST each; errors at the
field with the input kept; a withdrawal sent twice changes nothing the second time."""

from __future__ import annotations

import re

import pytest

from consent.choices import ConsentSource
from consent.models import Consent, WithdrawalPropagation
from consent.services import template_activate, template_new_version


def test_declining_a_part_agreed_to_withdraws_it_from_today(as_jane, jane):
    response = as_jane.post("/my/choices/recontact/", {"choice": "declined", "signer_name": "Jane Marie Schmidt"})

    assert response.status_code == 302 and response["Location"] == "/my/"
    propagation = WithdrawalPropagation.objects.get(donor=jane.donor)
    assert propagation.module_code == "recontact" and propagation.by_donor
    home = as_jane.get("/my/")
    row = next(r for r in home.context["choices"] if r.code == "recontact")
    assert row.state == "withdrawn"
    assert "Your choice is saved." in home.content.decode()


def test_agreeing_to_a_part_declined_is_a_new_consent_given_in_the_portal(as_jane, jane):
    response = as_jane.post("/my/choices/research/", {"choice": "accepted", "signer_name": "Jane Marie Schmidt"})

    assert response.status_code == 302
    newest = Consent.objects.filter(donor=jane.donor).order_by("-pk").first()
    assert newest.pk != jane.consent.pk and newest.source == ConsentSource.DONOR_PORTAL
    assert newest.choices.get(module__code="research").choice == "accepted"
    assert newest.choices.get(module__code="recontact").choice == "accepted"  # carried over
    row = next(r for r in as_jane.get("/my/").context["choices"] if r.code == "research")
    assert row.state == "accepted"


def test_without_a_name_the_error_is_at_the_field_and_the_choice_is_kept(as_jane, jane):
    response = as_jane.post("/my/choices/recontact/", {"choice": "declined", "signer_name": ""})

    assert response.status_code == 400
    form = response.context["form"]
    assert "signer_name" in form.errors and form["choice"].value() == "declined"
    assert 'value="declined" required id="id_choice_1" checked' in response.content.decode() or (
        "checked" in response.content.decode()
    )
    assert Consent.objects.filter(donor=jane.donor).count() == 1


def test_the_same_answer_again_is_refused_at_the_field(as_jane, jane):
    response = as_jane.post("/my/choices/recontact/", {"choice": "accepted", "signer_name": "Jane Schmidt"})

    assert response.status_code == 400 and "choice" in response.context["form"].errors
    assert '<fieldset aria-describedby="id_choice_helptext id_choice_error">' in response.content.decode()
    assert Consent.objects.filter(donor=jane.donor).count() == 1


def test_a_mandatory_part_offers_no_form_but_the_way_to_withdraw(as_jane):
    response = as_jane.get("/my/choices/data/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "required to take part" in page and 'href="/my/withdraw/"' in page
    assert 'name="signer_name"' not in page
    assert as_jane.post("/my/choices/data/", {"choice": "declined", "signer_name": "J S"}).status_code == 400


@pytest.fixture
def version_2(catalogue, consent_officer_a):
    texts = {"en": {"title": "Broad consent v2", "text": "The new text."}, "de": {"title": "B2", "text": "Neu."}}
    template = template_new_version(actor=consent_officer_a, previous=catalogue, version_label="v2", texts=texts)
    return template_activate(actor=consent_officer_a, template=template)


def test_a_newer_version_is_offered_with_nothing_preselected_and_signed(as_jane, jane, version_2):
    home = as_jane.get("/my/").content.decode()
    assert f'href="/my/reconsent/{version_2.pk}/"' in home

    page = as_jane.get(f"/my/reconsent/{version_2.pk}/").content.decode()
    assert "The new text." in page and "checked" not in page

    answers = {"module_data": "accepted", "module_biomaterial": "accepted", "module_recontact": "declined"}
    missing = as_jane.post(f"/my/reconsent/{version_2.pk}/", {**answers, "signer_name": "Jane Schmidt"})
    assert missing.status_code == 400 and "module_research" in missing.context["form"].errors
    assert missing.context["form"]["module_recontact"].value() == "declined"  # input kept
    assert re.search(r'<fieldset aria-describedby="[^"]*\bid_module_research_error"', missing.content.decode())

    done = as_jane.post(
        f"/my/reconsent/{version_2.pk}/", {**answers, "module_research": "accepted", "signer_name": "Jane Schmidt"}
    )
    assert done.status_code == 302
    signed = Consent.objects.get(donor=jane.donor, template=version_2)
    assert signed.source == ConsentSource.DONOR_PORTAL
    assert signed.choices.get(module__code="recontact").choice == "declined"


def test_a_withdrawal_is_one_post_and_the_second_says_already(as_jane, jane):
    page = as_jane.get("/my/withdraw/").content.decode()
    for words in ("No further contact", "No further access", "No further use", "administrative record"):
        assert words in page

    first = as_jane.post("/my/withdraw/", {"what": "no_further_use", "words": "I moved abroad."})
    assert first.status_code == 302 and first["Location"] == "/my/withdraw/done/"
    done = as_jane.get("/my/withdraw/done/").content.decode()
    assert "What happens next" in done and "destroy your samples" in done

    second = as_jane.post("/my/withdraw/", {"what": "no_further_use"})
    assert second.status_code == 409
    assert second.context["form"].non_field_errors()
    assert WithdrawalPropagation.objects.filter(donor=jane.donor).count() == 1

    history = as_jane.get("/my/history/").content.decode()
    assert "withdr" in history.lower()


def test_one_part_can_be_withdrawn_alone(as_jane, jane):
    response = as_jane.post("/my/withdraw/", {"what": "module:recontact"})

    assert response.status_code == 302
    propagation = WithdrawalPropagation.objects.get(donor=jane.donor)
    assert propagation.module_code == "recontact" and propagation.level == ""
    assert "Recontact" in as_jane.get("/my/withdraw/done/").content.decode()


def test_a_withdrawal_without_a_choice_is_refused_at_the_field(as_jane, jane):
    response = as_jane.post("/my/withdraw/", {"words": "x"})

    assert response.status_code == 400 and "what" in response.context["form"].errors
    html = response.content.decode()
    assert '<fieldset aria-describedby="id_what_error">' in html and '<ul class="errorlist" id="id_what_error">' in html
    assert not WithdrawalPropagation.objects.filter(donor=jane.donor).exists()


def test_an_unknown_level_is_refused(as_jane, jane):
    response = as_jane.post("/my/withdraw/", {"what": "everything-please"})

    assert response.status_code == 400
    assert not WithdrawalPropagation.objects.exists()


def test_a_withdrawal_by_one_donor_does_not_touch_another(as_jane, jane, max_):
    as_jane.post("/my/withdraw/", {"what": "no_further_contact"})

    assert not WithdrawalPropagation.objects.filter(donor=max_.donor).exists()
