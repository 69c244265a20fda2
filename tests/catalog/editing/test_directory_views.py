"""Contact persons, networks and research resources of a biobank's catalogue (catalog/editing/directory_views.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from biobank.accounts.choices import Role
from catalog import services as catalog_services
from catalog.models import Network, Person, ResearchResource
from tests.accounts.factories import make_member
from tests.catalog.factories import make_contact

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"catalog_manage:{name}", args=["biobank-a", *args])


def test_a_data_manager_adds_and_changes_a_contact_person(client, data_manager_a, biobank_a):
    client.force_login(data_manager_a)
    data = {"bbmri_id": "bbmri-eric:contactID:DE_biobanka_7", "first_name": "Ada", "last_name": "Lovelace",
            "email": "ada@example.org", "country": "DE"}  # fmt: skip
    assert client.post(url("person_new"), data).status_code == 302
    person = Person.objects.get(bbmri_id=data["bbmri_id"])
    assert person.biobank == biobank_a
    assert client.post(url("person", person.pk), data | {"phone": "+49 30 1234"}).status_code == 302
    assert Person.objects.get(pk=person.pk).phone == "+49 30 1234"


def test_a_person_form_shows_every_error_with_what_is_allowed(client, data_manager_a, biobank_a):
    client.force_login(data_manager_a)
    data = {"bbmri_id": "contact-7", "email": "not-an-address", "country": "DE"}
    response = client.post(url("person_new"), data)
    assert response.status_code == 200 and "email" in response.context["form"].errors
    data["email"] = "ok@example.org"
    errors = client.post(url("person_new"), data).context["form"].errors
    assert "bbmri-eric:contactID:DE_ukrm_1" in errors["bbmri_id"][0]
    assert not Person.objects.exists()


def test_a_network_created_by_a_biobank_has_it_as_member_and_foreign_networks_are_404(
    client, data_manager_a, biobank_a, biobank_b, person_a
):
    client.force_login(data_manager_a)
    data = {"bbmri_id": "bbmri-eric:networkID:DE_net", "name": "Net", "description": "A network of two biobanks.",
            "contact": person_a.pk, "status": "Active", "network_types": ["Biobank network"]}  # fmt: skip
    assert client.post(url("network_new"), data).status_code == 302
    network = Network.objects.get(bbmri_id="bbmri-eric:networkID:DE_net")
    assert list(network.member_biobanks.all()) == [biobank_a] and network.network_types == ["Biobank network"]
    assert client.post(url("network", network.pk), data | {"name": "Renamed"}).status_code == 302
    assert Network.objects.get(pk=network.pk).name == "Renamed"
    foreign = catalog_services.network_save(
        actor=None, bbmri_id="bbmri-eric:networkID:DE_other", name="Other", description="Not A's.",
        contact=make_contact(biobank_b, "9"), member_biobanks=[biobank_b],
    )  # fmt: skip
    assert client.get(url("network", foreign.pk)).status_code == 404


def test_a_research_resource_links_only_the_biobanks_collections(
    client, data_manager_a, biobank_a, collection_a, collection_b, person_a
):
    client.force_login(data_manager_a)
    data = {"bbmri_id": "bbmri-eric:studyID:DE_biobanka_crc", "title": "CRC study", "collections": [collection_a.pk]}
    assert "contact" in client.post(url("resource_new"), data).context["form"].errors
    data["contact"] = person_a.pk
    assert client.post(url("resource_new"), data).status_code == 302
    resource = ResearchResource.objects.get()
    assert list(resource.collections.all()) == [collection_a]
    response = client.post(url("resource", resource.pk), data | {"collections": [collection_b.pk]})
    assert "collections" in response.context["form"].errors


def test_viewers_and_other_biobanks_may_not_edit_persons(client, technician_a, person_a, biobank_b):
    client.force_login(technician_a)
    assert client.get(url("person", person_a.pk)).status_code == 403
    client.force_login(make_member(biobank_b, Role.DATA_MANAGER, email="data-b@example.org"))
    assert client.get(url("person", person_a.pk)).status_code == 404
    assert client.get(reverse("catalog_manage:person", args=["biobank-b", person_a.pk])).status_code == 404
