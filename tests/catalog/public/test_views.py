"""The public catalogue pages (catalog/public/views.py): no login, only published descriptions, sizes obfuscated
for the public and exact for staff of the biobank, bad input a clear 400, and a fixed number of queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from biobank.accounts.choices import Role
from tests.accounts.factories import make_member
from tests.catalog.factories import make_fact, make_published_collection

pytestmark = pytest.mark.django_db


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def test_the_landing_page_shows_categories_with_counts_to_anyone(client, catalogue):
    body = page(client, "/catalogue/")

    assert "5 published collections" in body
    assert 'href="/catalogue/search/?material=PLASMA"' in body
    assert "Neoplasms" in body and "Danube Biobank" in body


def test_the_search_page_filters_counts_and_shows_obfuscated_sizes_to_the_public(client, catalogue):
    body = page(client, "/catalogue/search/?material=PLASMA&material=SERUM&country=DE")

    assert "3 collections found" not in body and "2 collections found" in body
    assert "Colorectal tumours" in body and "Paediatric IBD serum" in body and "Leukaemia" not in body
    assert "≈ 140" in body and "137" not in body
    assert 'value="PLASMA" checked' in body
    assert "Collections with material type Plasma or Serum; country Germany" in body


def test_staff_of_the_biobank_see_the_exact_size(client, catalogue):
    client.force_login(make_member(catalogue.de, Role.DATA_MANAGER))

    body = page(client, "/catalogue/search/?q=colorectal")

    assert ">137</span>" in body


def test_drafts_and_withdrawn_collections_are_not_found_and_their_page_is_404(client, catalogue):
    body = page(client, "/catalogue/search/?q=colorectal")

    assert "Hidden colorectal draft" not in body and "Withdrawn colorectal" not in body
    page(client, f"/catalogue/collections/{catalogue.draft.pk}/", 404)
    page(client, f"/catalogue/collections/{catalogue.gone.pk}/", 404)


def test_bad_search_parameters_get_a_400_page_naming_each_one(client, catalogue):
    body = page(client, "/catalogue/search/?material=PLASM&age_min=abc&page=0&sort=big", 400)

    for name in ("material", "age_min", "page", "sort"):
        assert f"<code>{name}</code>" in body
    assert "PLASMA" in body  # the allowed values


def test_the_collection_page_shows_attributes_sub_collections_and_publishable_facts_only(client, catalogue):
    body = page(client, f"/catalogue/collections/{catalogue.crc.pk}/?by=sex")

    assert "Tissue frozen" in body or "Frozen tissue" in body or "TISSUE_FROZEN" not in body
    assert "C18 Malignant neoplasm of colon" in body
    assert "Rectal tumours" in body  # its sub-collection
    assert "<svg" in body and "Female" in body
    assert ">80</td>" in body and ">60</td>" in body  # 80 and 57 rounded to tens
    material = page(client, f"/catalogue/collections/{catalogue.crc.pk}/?by=material")
    assert ">7</td>" not in material and ">10</td>" not in material  # 3 donors: not published
    assert "1 group with fewer than 10 donors is not shown" in material
    page(client, f"/catalogue/collections/{catalogue.crc.pk}/?by=colour", 400)


def test_the_collection_page_shows_exact_facts_to_staff(client, catalogue):
    client.force_login(make_member(catalogue.de, Role.DATA_MANAGER))

    body = page(client, f"/catalogue/collections/{catalogue.crc.pk}/?by=material")

    assert ">7</td>" in body and "Exact numbers" in body


def test_the_biobank_and_network_pages(client, catalogue):
    from catalog import services

    network = services.network_save(
        actor=None, bbmri_id="bbmri-eric:networkID:EU_test", name="Test network", description="A network.",
        contact=catalogue.crc.contact, member_biobanks=[catalogue.at, catalogue.de],
    )  # fmt: skip

    biobank = page(client, "/catalogue/biobanks/bb-at/")
    assert ("Infant cohort" in biobank and "ISO 20387" in biobank) or "ISO-20387-2018" in biobank
    networks = page(client, f"/catalogue/networks/{network.pk}/")
    assert "Danube Biobank" in networks and "Rhine Biobank" in networks
    page(client, "/catalogue/biobanks/nope/", 404)


def test_the_csv_export_has_the_searchs_collections_and_never_fails_on_odd_input(client, catalogue):
    response = client.get("/catalogue/search.csv?material=TISSUE_FROZEN")
    rows = list(csv.reader(io.StringIO(response.content.decode())))

    assert response["Content-Type"].startswith("text/csv")
    assert rows[0] == ["id", "name", "biobank", "country", "materials", "diseases", "size"]
    assert [r[1] for r in rows[1:]] == ["Colorectal tumours", "Rectal tumours"]
    assert rows[1][6] == "140"
    for odd in ("?sort=%00", "?material=x&material_match=maybe", "?age_min=-5", "?q=" + "a" * 500, "?diagnosis=C"):
        assert client.get("/catalogue/search.csv" + odd).status_code in (400, 200), odd


def test_a_name_starting_like_a_formula_is_neutralised_in_the_csv(client, catalogue):
    make_published_collection(catalogue.de, "formula", "=HYPERLINK(1)", materials=["URINE"])

    rows = list(csv.reader(io.StringIO(client.get("/catalogue/search.csv?material=URINE").content.decode())))

    assert rows[1][1] == "'=HYPERLINK(1)"


def test_add_to_cart_from_a_search_then_see_it_and_remove_it(client, catalogue):
    response = client.post(
        "/catalogue/cart/",
        {"action": "add", "collection": catalogue.crc.pk, "search": "q=colorectal", "next": "/catalogue/search/"},
    )
    assert (response.status_code, response["Location"]) == (302, "/catalogue/search/")

    body = page(client, "/catalogue/cart/")
    assert "Colorectal tumours" in body and "Collections with text &#x27;colorectal&#x27;" in body

    client.post("/catalogue/cart/", {"action": "remove", "collection": catalogue.crc.pk})
    assert "The cart is empty." in page(client, "/catalogue/cart/")


def test_the_cart_refuses_unknown_collections_and_actions_and_foreign_redirects(client, catalogue):
    bad = client.post("/catalogue/cart/", {"action": "add", "collection": catalogue.draft.pk}, follow=True)
    assert "No published collection" in bad.content.decode()
    odd = client.post("/catalogue/cart/", {"action": "steal", "next": "https://evil.example.org/"})
    assert odd["Location"] == "/catalogue/cart/"


def test_the_search_page_takes_a_fixed_number_of_queries(catalogue, django_assert_max_num_queries):
    client = Client()
    url = "/catalogue/search/?material=PLASMA&material=TISSUE_FROZEN&sort=size&q=tumour"
    client.get(url)
    with django_assert_max_num_queries(12) as before:
        client.get(url)
    for number in range(25):
        more = make_published_collection(catalogue.de, f"more-{number}", f"More tumours {number}", materials=["PLASMA"])
        make_fact(more, 100 + number, 20)

    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(url)
    assert "27 collections found" in response.content.decode()


def test_anonymous_visitors_see_a_catalogue_link_and_signed_in_people_too(client, catalogue):
    from tests.accounts.factories import UserFactory

    assert 'href="/catalogue/"' in page(client, "/accounts/login/")
    client.force_login(UserFactory())
    assert 'href="/catalogue/"' in page(client, "/")
