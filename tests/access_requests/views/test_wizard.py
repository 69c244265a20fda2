"""The wizard's pages: the profile comes first, each step saves the draft, errors are shown at the top and at the
field with the input kept, the review lists what is missing, and a complete draft is submitted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from access_requests.choices import RequestStatus
from access_requests.models import AccessRequest
from biobank.accounts.models import User
from catalog.cart import cart_add
from tests.access_requests.factories import make_researcher
from tests.access_requests.wizard_factories import pdf_upload, published_collection

pytestmark = pytest.mark.django_db


def step(pk: int, name: str) -> str:
    return reverse("access_requests:wizard_step", args=[pk, name])


def test_a_researcher_without_a_profile_is_sent_to_it_and_back(client):
    user = User.objects.create_user(email="new@example.org", password="long-enough-password-1", is_researcher=True)
    client.force_login(user)
    response = client.get(reverse("access_requests:wizard_new"))
    assert response.status_code == 302 and reverse("access_requests:profile") in response["Location"]
    response = client.post(
        reverse("access_requests:profile"),
        {"institution": "Charité", "orcid": "0000-0002-1825-0097", "next": "/requests/new/"},
    )
    assert response.status_code == 302 and response["Location"] == "/requests/new/"
    assert user.researcher_profile.institution == "Charité"


def test_the_profile_names_a_wrong_orcid_check_digit(client):
    user = User.objects.create_user(email="new@example.org", password="long-enough-password-1", is_researcher=True)
    client.force_login(user)
    response = client.post(reverse("access_requests:profile"), {"institution": "", "orcid": "0000-0002-1825-0098"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "check digit" in text and "Give your institution" in text
    assert 'value="0000-0002-1825-0098"' in text  # the input is kept


def test_the_cart_becomes_the_request_resources_and_search(client, biobank_a):
    collection = published_collection(biobank_a)
    researcher = make_researcher()
    client.force_login(researcher)
    session = client.session
    cart_add(session, collection)
    session.save()
    page = client.get(reverse("access_requests:wizard_new") + "?from=cart")
    assert collection.name in page.content.decode()
    response = client.post(reverse("access_requests:wizard_new") + "?from=cart", {"title": "From the cart"})
    request = AccessRequest.objects.get(title="From the cart")
    assert response["Location"] == step(request.pk, "purpose")
    assert list(request.resources.get().collections.all()) == [collection]


def test_a_step_with_errors_shows_them_and_keeps_the_input(client, biobank_a):
    researcher = make_researcher()
    client.force_login(researcher)
    client.post(reverse("access_requests:wizard_new"), {"title": "T"})
    request = AccessRequest.objects.get(researcher=researcher)
    response = client.post(step(request.pk, "purpose"), {"purpose_kind": "disease", "disease": "diabetes"})
    text = response.content.decode()
    assert "There is a problem" in text and "is not a disease code" in text
    assert 'value="diabetes"' in text
    response = client.post(
        step(request.pk, "ethics"),
        {"ethics_reference": "EK-1", "ethics_expiry": (timezone.localdate() - timedelta(days=2)).isoformat(),
         "duration_months": "99"},
    )  # fmt: skip
    text = response.content.decode()
    assert "expired" in text and "1 to 60 months" in text


def test_the_whole_wizard_submits_a_request(client, biobank_a):
    collection = published_collection(biobank_a)
    researcher = make_researcher()
    client.force_login(researcher)
    client.post(reverse("access_requests:wizard_new"), {"title": "T", "lay_summary": "L", "abstract": "A"})
    request = AccessRequest.objects.get(researcher=researcher)
    assert client.post(step(request.pk, "purpose"), {"purpose_kind": "hmb"}).status_code == 302
    response = client.post(
        step(request.pk, "material"),
        {"material_type_1": "PLASMA", "amount_1": "0.5", "unit_1": "mL", "samples_1": "100",
         "criteria_material_types": ["PLASMA"], "criteria_sexes": ["female"], "criteria_diagnoses": "E11"},
    )  # fmt: skip
    assert response.status_code == 302
    assert client.post(step(request.pk, "biobanks"), {"collections": [collection.pk]}).status_code == 302
    response = client.post(
        step(request.pk, "ethics"),
        {"ethics_reference": "EK-1", "ethics_expiry": (timezone.localdate() + timedelta(days=90)).isoformat(),
         "duration_months": "12", "ethics_file": pdf_upload()},
    )  # fmt: skip
    assert response.status_code == 302
    review = client.get(step(request.pk, "review"))
    assert "Feasibility" in review.content.decode()
    response = client.post(step(request.pk, "review"))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED
    assert request.criteria == {"material_types": ["PLASMA"], "sexes": ["female"], "diagnoses": ["E11"]}


def test_the_review_lists_what_is_missing(client):
    researcher = make_researcher()
    client.force_login(researcher)
    client.post(reverse("access_requests:wizard_new"), {"title": "T"})
    request = AccessRequest.objects.get(researcher=researcher)
    text = client.post(step(request.pk, "review")).content.decode()
    assert "cannot be submitted yet" in text and "Upload the ethics approval" in text
    request.refresh_from_db()
    assert request.status == RequestStatus.DRAFT


def test_a_foreign_draft_is_404(client, biobank_a):
    client.force_login(make_researcher())
    client.post(reverse("access_requests:wizard_new"), {"title": "T"})
    request = AccessRequest.objects.get()
    client.force_login(make_researcher())
    assert client.get(step(request.pk, "project")).status_code == 404
    assert client.get(reverse("access_requests:detail", args=[request.pk])).status_code == 404


def test_staff_without_researcher_status_cannot_open_the_wizard(client, technician_a):
    client.force_login(technician_a)
    assert client.get(reverse("access_requests:wizard_new")).status_code == 403
