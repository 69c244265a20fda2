"""The catalogue's writes: the management pages (catalog/editing/) as a data manager, the catalogue API and the
Directory exchange (catalog/directory/).

Kept beside ``write_path_exercises.py`` (same ``Fixtures``); ``test_write_paths_audited`` names each with the audit
action it must leave.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from catalog import services as catalog
from catalog.models import Network, Person, ResearchResource
from tests.audit.write_path_exercises import Fixtures, _api, _ok
from tests.catalog.factories import describe_for_publishing, make_contact, make_described_catalogue, make_profile_for

PERSON = {"bbmri_id": "bbmri-eric:contactID:DE_w_2", "email": "w@example.org", "country": "DE"}


def _web(f: Fixtures) -> Any:
    f.client.force_login(f.data_manager_a)
    return f.client


def _url(name: str, *args: Any) -> str:
    return reverse(f"catalog_manage:{name}", args=["biobank-a", *args])


def _person(f: Fixtures) -> Person:
    return make_contact(f.biobank_a, "w")


def web_profile(f: Fixtures) -> None:
    data = {"bbmri_id": "bbmri-eric:ID:DE_w", "description": "A biobank of blood and tissue for research.",
            "juristic_person": "University", "state": "draft"}  # fmt: skip
    _ok(_web(f).post(_url("profile"), data), 302)


def web_collection(f: Fixtures) -> None:
    make_profile_for(f.biobank_a)
    data = {"name": "Breast", "sex": ["FEMALE"], "materials": ["DNA"], "diseases_add": "C50"}
    _ok(_web(f).post(_url("collection", f.collection_a.pk), data), 302)


def web_collection_state(f: Fixtures) -> None:
    make_profile_for(f.biobank_a)
    describe_for_publishing(f.collection_a, _person(f))
    _ok(_web(f).post(_url("collection_state", f.collection_a.pk), {"state": "published"}), 302)


def web_person_new(f: Fixtures) -> None:
    _ok(_web(f).post(_url("person_new"), PERSON), 302)


def web_person(f: Fixtures) -> None:
    person = _person(f)
    _ok(_web(f).post(_url("person", person.pk), PERSON | {"bbmri_id": person.bbmri_id}), 302)


def _network_data(f: Fixtures) -> dict[str, Any]:
    return {"bbmri_id": "bbmri-eric:networkID:DE_w", "name": "W", "description": "A network.",
            "contact": _person(f).pk, "status": "Active"}  # fmt: skip


def web_network_new(f: Fixtures) -> None:
    _ok(_web(f).post(_url("network_new"), _network_data(f)), 302)


def web_network(f: Fixtures) -> None:
    data = _network_data(f)
    network = catalog.network_save(
        actor=None, member_biobanks=[f.biobank_a], **(data | {"contact": Person.objects.get(pk=data["contact"])})
    )
    _ok(_web(f).post(_url("network", network.pk), data | {"name": "W renamed"}), 302)
    assert Network.objects.get(pk=network.pk).name == "W renamed"


def _resource_data(f: Fixtures) -> dict[str, Any]:
    return {"bbmri_id": "bbmri-eric:studyID:DE_w", "title": "W study", "contact": _person(f).pk}


def web_resource_new(f: Fixtures) -> None:
    _ok(_web(f).post(_url("resource_new"), _resource_data(f)), 302)


def web_resource(f: Fixtures) -> None:
    data = _resource_data(f)
    resource = catalog.research_resource_save(
        actor=None, biobank=f.biobank_a, **(data | {"contact": Person.objects.get(pk=data["contact"])})
    )
    _ok(_web(f).post(_url("resource", resource.pk), data | {"title": "W study renamed"}), 302)
    assert ResearchResource.objects.get(pk=resource.pk).title == "W study renamed"


def _catalogue(f: Fixtures) -> dict[str, Any]:
    return make_described_catalogue(f.biobank_a)


def api_catalog_biobank_update(f: Fixtures) -> None:
    _catalogue(f)
    _ok(_api(f.data_manager_a).patch("/api/v1/catalog/biobanks/biobank-a/", {"acronym": "BA"}, format="json"), 200)


def api_catalog_collection_describe(f: Fixtures) -> None:
    main = _catalogue(f)["main"]
    body = {"materials": ["PLASMA"]}
    _ok(_api(f.data_manager_a).patch(f"/api/v1/catalog/collections/{main.pk}/", body, format="json"), 200)


def api_catalog_collection_state(f: Fixtures) -> None:
    main = _catalogue(f)["main"]
    body = {"state": "draft"}
    _ok(_api(f.data_manager_a).post(f"/api/v1/catalog/collections/{main.pk}/state/", body, format="json"), 200)


def command_export_directory(f: Fixtures) -> None:
    _catalogue(f)
    call_command("export_directory", output=str(f.tmp_path / "directory.xlsx"))


def command_import_directory(f: Fixtures) -> None:
    from catalog.directory.export import export_bytes

    _catalogue(f)
    path = f.tmp_path / "directory.zip"
    path.write_bytes(export_bytes("zip"))
    call_command("import_directory", str(path))


# The staff pages (catalog/directory/urls.py, included under /catalogue/manage/directory/ by the project's URLs)


def web_directory_export(f: Fixtures) -> None:
    _catalogue(f)
    f.client.force_login(f.data_manager_a)
    _ok(f.client.post(reverse("catalog_directory:export"), {"biobank": f.biobank_a.pk, "format": "xlsx"}), 200)


def web_directory_import(f: Fixtures) -> None:
    from catalog.directory.export import export_bytes

    _catalogue(f)
    upload = io.BytesIO(export_bytes("xlsx"))
    upload.name = "directory.xlsx"
    f.client.force_login(f.data_manager_a)
    _ok(f.client.post(reverse("catalog_directory:import"), {"workbook": upload}), 200)


def cart_change(f: Fixtures) -> None:
    """The cart keeps the visitor's selection in their session: adding (here refused: the collection is a draft),
    removing and emptying write no record."""
    client = Client()
    for data in (
        {"action": "add", "collection": f.collection_a.pk, "search": "q=cart"},
        {"action": "remove", "collection": f.collection_a.pk},
        {"action": "clear"},
    ):
        _ok(client.post("/catalogue/cart/", data), 302)
