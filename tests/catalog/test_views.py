import pytest
from django.urls import reverse

from catalog.models import Collection

pytestmark = pytest.mark.django_db

LIST = reverse("catalog:collection_list")
CREATE = reverse("catalog:collection_create")


def edit_url(collection):
    return reverse("catalog:collection_edit", args=[collection.pk])


def test_a_member_sees_only_the_collections_of_their_biobanks(client, technician_a, collection_a, collection_b):
    client.force_login(technician_a)
    page = client.get(LIST).content.decode()
    assert "Breast cancer 2019" in page and "Liver cohort" not in page
    assert edit_url(collection_a) not in page and "Describe a new collection" not in page


def test_a_data_manager_creates_a_collection(client, data_manager_a, biobank_a):
    client.force_login(data_manager_a)
    response = client.post(CREATE, {"biobank": "biobank-a", "code": "lung-2024", "name": "Lung 2024"})
    assert response.status_code == 302
    collection = Collection.objects.get(code="lung-2024")
    assert collection.biobank == biobank_a and collection.name == "Lung 2024"


def test_a_duplicate_code_is_shown_next_to_the_code_field(client, data_manager_a, collection_a):
    client.force_login(data_manager_a)
    response = client.post(CREATE, {"biobank": "biobank-a", "code": "breast-2019", "name": "Again"})
    assert response.status_code == 200
    assert "already has a collection with the code" in response.context["form"].errors["code"][0]
    assert Collection.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"biobank": "biobank-a", "code": "Bad Code!", "name": "X"}, "code"),
        ({"biobank": "biobank-a", "code": "ok-code", "name": ""}, "name"),
        ({"biobank": "biobank-b", "code": "ok-code", "name": "X"}, "biobank"),  # not theirs to manage
    ],
)
def test_bad_input_is_refused_field_by_field(client, data_manager_a, biobank_b, data, field):
    client.force_login(data_manager_a)
    response = client.post(CREATE, data)
    assert field in response.context["form"].errors
    assert not Collection.objects.exists()


def test_a_data_manager_edits_a_collection(client, data_manager_a, collection_a):
    client.force_login(data_manager_a)
    response = client.post(edit_url(collection_a), {"name": "Breast cancer 2019-2021", "description": "More."})
    assert response.status_code == 302
    collection_a.refresh_from_db()
    assert collection_a.name == "Breast cancer 2019-2021" and collection_a.description == "More."


def test_people_without_manage_catalog_cannot_create_or_edit(client, technician_a, outsider, collection_a):
    client.force_login(technician_a)
    assert client.get(CREATE).status_code == 403
    assert client.get(edit_url(collection_a)).status_code == 403  # sees it (view_catalog), may not edit: as the API
    client.force_login(outsider)  # admin of biobank B: may create there, never edit A's
    assert client.post(edit_url(collection_a), {"name": "Hijacked"}).status_code == 404
    collection_a.refresh_from_db()
    assert collection_a.name == "Breast cancer 2019"


def test_the_collection_list_query_count_does_not_grow(client, data_manager_a, biobank_a, count_queries):
    from catalog import services

    client.force_login(data_manager_a)
    few = count_queries(LIST)
    for number in range(10):
        services.collection_create(actor=None, biobank=biobank_a, code=f"col-{number}", name=f"Collection {number}")
    assert count_queries(LIST) == few
    # session, user, visible collections, changeable ids, may-create check, navigation memberships
    assert few == 6
