"""The catalogue management pages (catalog/editing/views.py): who sees and changes what, the collection form with
every MIABIS attribute, the ICD-10 picker, publish and draft, the biobank description."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from biobank.accounts.choices import Role
from biobank.audit.models import AuditOutbox
from catalog.models import BiobankProfile, Collection, PublicationState
from tests.accounts.factories import make_member
from tests.catalog.factories import describe_for_publishing, make_collection

pytestmark = pytest.mark.django_db


def page(code="biobank-a"):
    return reverse("catalog_manage:biobank", args=[code])


def edit(collection, code=None):
    return reverse("catalog_manage:collection", args=[code or collection.biobank.code, collection.pk])


def state_url(collection):
    return reverse("catalog_manage:collection_state", args=[collection.biobank.code, collection.pk])


def complete(collection, person, **changes):
    """A valid POST of the collection form."""
    data = {
        "name": collection.name, "bbmri_id": "bbmri-eric:ID:DE_biobanka:collection:crc", "contact": person.pk,
        "description": "Tumour tissue and blood of patients operated on for colorectal cancer.",
        "sex": ["FEMALE", "MALE"], "age_low": "18", "age_high": "90", "age_unit": "YEAR", "country": "DE",
        "materials": ["TISSUE_FROZEN", "SERUM"], "dataset_types": ["Other"], "diseases": ["C18"],
        "diseases_add": "C20, ORPHA:558", "data_use": ["DUO:0000042"], "publications": "10.1000/xyz\nSmith 2020",
        "collaboration_commercial": "true", "collaboration_non_for_profit": "unknown",
    } | changes  # fmt: skip
    return {key: value for key, value in data.items() if value is not None}


# --- who may do what -------------------------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client, collection_a):
    for url in (reverse("catalog_manage:index"), page(), edit(collection_a)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_data_manager_sees_the_catalogue_with_its_findings_and_the_buttons(client, data_manager_a, collection_a):
    client.force_login(data_manager_a)
    body = client.get(page()).content.decode()
    assert "Colorectal cancer" in body and "placeholder description" in body and "“TBD”" in body
    assert "has no contact person" in body
    assert edit(collection_a) in body and reverse("catalog_manage:profile", args=["biobank-a"]) in body


def test_a_viewer_sees_the_catalogue_read_only_and_may_not_edit(client, technician_a, collection_a):
    client.force_login(technician_a)
    body = client.get(page()).content.decode()
    assert "Colorectal cancer" in body and edit(collection_a) not in body and "Add a person" not in body
    assert client.get(edit(collection_a)).status_code == 403
    assert client.post(edit(collection_a), {"name": "Changed"}).status_code == 403
    assert client.post(state_url(collection_a), {"state": "published"}).status_code == 403
    assert client.get(reverse("catalog_manage:profile", args=["biobank-a"])).status_code == 403
    assert Collection.objects.get(pk=collection_a.pk).name == "Colorectal cancer"


def test_a_member_without_the_catalogue_permission_is_refused(client, consent_officer_a, collection_a):
    client.force_login(consent_officer_a)
    assert client.get(page()).status_code == 403


def test_a_data_manager_of_another_biobank_gets_404(client, biobank_b, collection_a, collection_b, data_manager_a):
    other = make_member(biobank_b, Role.DATA_MANAGER, email="data-b@example.org")
    client.force_login(other)
    assert client.get(page()).status_code == 404
    assert client.get(edit(collection_a)).status_code == 404
    assert client.post(state_url(collection_a), {"state": "published"}).status_code == 404
    client.force_login(data_manager_a)  # B's collection smuggled under A's code
    assert client.get(edit(collection_b, code="biobank-a")).status_code == 404
    assert client.post(edit(collection_b, code="biobank-a"), {"name": "x"}).status_code == 404


def test_the_index_lists_the_biobanks_whose_catalogue_the_person_sees(client, data_manager_a, collection_a, biobank_b):
    client.force_login(data_manager_a)
    body = client.get(reverse("catalog_manage:index")).content.decode()
    assert page() in body and page("biobank-b") not in body
    assert reverse("catalog_directory:export") in body and reverse("catalog_directory:import") in body


def test_the_directory_exchange_is_offered_only_to_data_managers(client, technician_a, biobank_a):
    client.force_login(technician_a)
    body = client.get(reverse("catalog_manage:index")).content.decode()
    assert reverse("catalog_directory:export") not in body


# --- the collection form -------------------------------------------------------------------------------------------


def test_a_data_manager_describes_a_collection_with_every_kind_of_field(client, data_manager_a, collection_a, person_a):
    client.force_login(data_manager_a)
    response = client.post(edit(collection_a), complete(collection_a, person_a))
    assert response.status_code == 302, response.context["form"].errors
    saved = Collection.objects.get(pk=collection_a.pk)
    assert saved.contact == person_a and saved.diseases == ["C18", "C20", "ORPHA:558"]
    assert saved.materials == ["TISSUE_FROZEN", "SERUM"] and saved.age_low == 18 and saved.age_unit == "YEAR"
    assert saved.publications == ["10.1000/xyz", "Smith 2020"] and saved.data_use == ["DUO:0000042"]
    assert saved.collaboration_commercial is True and saved.collaboration_non_for_profit is None
    assert AuditOutbox.objects.filter(action="collection.describe", object_id=str(collection_a.pk)).exists()


def test_the_form_shows_readable_labels_and_the_chosen_diseases_with_their_titles(
    client, data_manager_a, collection_a, person_a
):
    describe_for_publishing(collection_a, person_a, diseases=["C18.0"])
    client.force_login(data_manager_a)
    body = client.get(edit(collection_a)).content.decode()
    assert "Tissue (frozen)" in body and 'value="TISSUE_FROZEN"' in body
    assert "C18.0 Malignant neoplasm: Caecum" in body
    assert 'for="id_disease_q"' in body and 'for="id_diseases_add"' in body


def test_every_error_shows_at_its_field_at_once_and_the_values_are_kept(client, data_manager_a, collection_a, person_a):
    client.force_login(data_manager_a)
    data = complete(collection_a, person_a, bbmri_id="DE-crc", age_low="90", age_high="18", diseases_add="X99.9x",
                    sex=["MALE", "DINOSAUR"], name="Colorectal cancer (renamed)")  # fmt: skip
    data["sex"] = ["MALE"]  # an unknown box is refused by the form itself; the rest by the service
    response = client.post(edit(collection_a), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"bbmri_id", "age_low", "diseases_add"} <= set(errors)
    assert "'X99.9x'" in errors["diseases_add"][0] and "ORPHA:<digits>" in errors["diseases_add"][0]
    assert "not a valid BBMRI-ERIC collection ID" in errors["bbmri_id"][0]
    body = response.content.decode()
    assert 'class="error-summary"' in body and 'href="#id_bbmri_id"' in body
    assert 'value="Colorectal cancer (renamed)"' in body and 'value="X99.9x"' in body
    saved = Collection.objects.get(pk=collection_a.pk)
    assert saved.name == "Colorectal cancer" and saved.bbmri_id is None  # nothing written


def test_the_parent_list_has_only_the_biobanks_collections_and_a_cycle_is_refused(
    client, data_manager_a, collection_a, collection_b
):
    child = make_collection(collection_a.biobank, code="crc-rectum", name="Rectum")
    client.force_login(data_manager_a)
    form = client.get(edit(collection_a)).context["form"]
    assert list(form.fields["parent"].queryset) == [child]
    response = client.post(edit(child), {"name": "Rectum", "parent": collection_b.pk})
    assert "parent" in response.context["form"].errors
    assert client.post(edit(child), {"name": "Rectum", "parent": collection_a.pk}).status_code == 302
    response = client.post(edit(collection_a), {"name": "Colorectal cancer", "parent": child.pk})
    assert "is already part of" in response.context["form"].errors["parent"][0]
    assert Collection.objects.get(pk=collection_a.pk).parent_id is None


# --- the ICD-10 picker -------------------------------------------------------------------------------------------


def test_the_disease_search_finds_codes_by_title_and_by_code_as_boxes_to_tick(client, data_manager_a, collection_a):
    client.force_login(data_manager_a)
    url = reverse("catalog_manage:disease_search", args=["biobank-a"])
    partial = client.get(url, {"disease_q": "malignant neoplasm colon"}, headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in body
    assert 'name="diseases" value="C18' in body and "Malignant neoplasm of colon" in body
    by_code = client.get(url, {"disease_q": "c18.0"}, headers={"HX-Request": "true"}).content.decode()
    assert 'value="C18.0"' in by_code
    nothing = client.get(url, {"disease_q": "zzzzqqq"}, headers={"HX-Request": "true"}).content.decode()
    assert "No ICD-10 code or title matches" in nothing
    full = client.get(url, {"disease_q": "colon"}).content.decode()
    assert "<html" in full and "C18" in full  # the page without JavaScript


def test_the_find_button_without_javascript_keeps_the_values_and_saves_nothing(client, data_manager_a, collection_a):
    client.force_login(data_manager_a)
    data = {"name": "Typed but not saved", "diseases": ["C18"], "disease_q": "rectum", "find_diseases": "1"}
    response = client.post(edit(collection_a), data)
    body = response.content.decode()
    assert response.status_code == 200 and 'value="Typed but not saved"' in body
    assert 'value="C20"' in body and "error-summary" not in body
    assert re.search(r'<input type="checkbox" name="diseases" value="C18"[^>]*checked>', body)  # still chosen
    assert Collection.objects.get(pk=collection_a.pk).name == "Colorectal cancer"


# --- publish and draft -------------------------------------------------------------------------------------------


def test_publishing_an_incomplete_collection_is_refused_with_what_miabis_requires(client, data_manager_a, collection_a):
    client.force_login(data_manager_a)
    body = client.get(edit(collection_a)).content.decode()
    assert "MIABIS still requires" in body
    response = client.post(state_url(collection_a), {"state": "published"})
    assert response.status_code == 302
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "was not changed" in text and "contact" in text and "sex" in text and "BBMRI-ERIC ID" in text
    assert Collection.objects.get(pk=collection_a.pk).state == PublicationState.DRAFT


def test_a_complete_collection_is_published_and_set_back_to_draft(client, data_manager_a, collection_a, person_a):
    describe_for_publishing(collection_a, person_a)
    client.force_login(data_manager_a)
    assert client.post(state_url(collection_a), {"state": "published"}).status_code == 302
    assert Collection.objects.get(pk=collection_a.pk).state == PublicationState.PUBLISHED
    assert "Back to draft" in client.get(edit(collection_a)).content.decode()
    client.post(state_url(collection_a), {"state": "draft"})
    assert Collection.objects.get(pk=collection_a.pk).state == PublicationState.DRAFT
    response = client.post(state_url(collection_a), {"state": "gone"})
    assert "allowed: draft, published" in " ".join(str(m) for m in get_messages(response.wsgi_request))


# --- the biobank description -------------------------------------------------------------------------------------


def test_a_data_manager_writes_the_biobank_description_with_quality_standards(
    client, data_manager_a, biobank_a, person_a
):
    client.force_login(data_manager_a)
    url = reverse("catalog_manage:profile", args=["biobank-a"])
    data = {
        "bbmri_id": "bbmri-eric:ID:DE_biobanka", "description": "A hospital biobank of tissue and blood samples.",
        "juristic_person": "University Hospital", "contact": person_a.pk, "state": "published",
        "infrastructural_capabilities": ["Sample storage"], "quality_standard_0": "ISO-20387-2018",
        "quality_level_0": "accredited", "collaboration_commercial": "false",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    profile = BiobankProfile.objects.get(biobank=biobank_a)
    assert profile.contact == person_a and profile.infrastructural_capabilities == ["Sample storage"]
    assert list(profile.quality_standards.values_list("standard", "assessment_level")) == [
        ("ISO-20387-2018", "accredited")
    ]
    form = client.get(url).context["form"]
    assert form["quality_standard_0"].value() == "ISO-20387-2018"


def test_the_biobank_description_shows_every_error_at_once(client, data_manager_a, biobank_a):
    client.force_login(data_manager_a)
    url = reverse("catalog_manage:profile", args=["biobank-a"])
    data = {"bbmri_id": "DE_ukrm", "description": "", "juristic_person": "", "state": "draft",
            "quality_standard_0": "ISO-20387-2018"}  # fmt: skip
    errors = client.post(url, data).context["form"].errors
    assert {"description", "juristic_person", "quality_level_0"} <= set(errors)
    response = client.post(url, data | {"description": "A long enough description of it.", "juristic_person": "U",
                                        "quality_level_0": "accredited"})  # fmt: skip
    assert "not a valid BBMRI-ERIC biobank ID" in response.context["form"].errors["bbmri_id"][0]
    assert not BiobankProfile.objects.filter(biobank=biobank_a).exists()


# --- figures -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["catalog_manage:index", "catalog_manage:biobank"])
def test_the_list_pages_run_a_fixed_number_of_queries(
    client, count_queries, data_manager_a, collection_a, person_a, url_name
):
    client.force_login(data_manager_a)
    url = reverse(url_name, args=["biobank-a"] if url_name.endswith("biobank") else [])
    few = count_queries(url)
    for n in range(6):
        child = make_collection(collection_a.biobank, code=f"more-{n}", name=f"More {n}")
        describe_for_publishing(child, person_a, parent=collection_a)
    many = count_queries(url)
    assert few == many
    assert many <= 16, many
