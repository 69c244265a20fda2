"""The lists that came last to the one export mechanism (biobank/web/export.py): storage, shipment decisions,
webhooks, transfer agreements, committee members, catalogue management, messages to donors (staff) and the donor's
own messages. Each: CSV and XLSX with the page's headers and rows, in the person's scope (another biobank's rows
absent, its URL 404, a missing right the page's 403), and the same number of queries however many rows.

None of these pages has filters; the export links are the page's own URL (with whatever query it was given)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from biobank.audit.models import AuditOutbox
from tests.permission_world import World, world_of_two_biobanks
from tests.web.test_export import _export_queries, body, csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_activity_stamp(monkeypatch):
    """The session's last-activity stamp is rewritten once a minute (three queries): not inside a counted request."""
    monkeypatch.setattr("biobank.accounts.middleware.ACTIVITY_RESOLUTION", 10**9)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    yield from world_of_two_biobanks(django_db_blocker, tmp_path_factory)


def page_of(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    text = html.unescape(response.content.decode())
    assert f"{url}?format=csv" in text and f"{url}?format=xlsx" in text  # the page's export links
    return text


def answer(client: Any, url: str, **query: str) -> int:
    """The export's status for a person who may not have it: the page's own (403 or 404), never a file."""
    page = client.get(url, query).status_code
    for fmt in ("csv", "xlsx"):
        assert client.get(url, {**query, "format": fmt}).status_code == page
    return page


def both(client: Any, url: str, **query: str) -> list[list[Any]]:
    """The CSV's rows, checked to be the XLSX's too (there numbers are numbers: ``2.0000`` in CSV is ``2``)."""
    rows = csv_rows(client.get(url, {**query, "format": "csv"}))
    xlsx = xlsx_rows(client.get(url, {**query, "format": "xlsx"}))
    assert len(xlsx) == len(rows) and xlsx[0] == rows[0]
    for sheet_row, csv_row in zip(xlsx, rows, strict=True):
        assert [float(v) if isinstance(v, int | float) else v for v in sheet_row] == [
            float(v) if isinstance(s, int | float) else v for s, v in zip(sheet_row, csv_row, strict=True)
        ]
    return rows


# --- storage ---


def test_the_storage_export_is_the_tree_of_the_biobank(world):
    url = reverse("specimens:storage", args=[world.a.biobank.code])
    client = world.client("technician")
    page = page_of(client, url)
    rows = both(client, url)
    assert rows[0] == ["Unit", "Code", "Kind", "Rows", "Columns", "Temperature (°C)", "Specimens stored", "Cells"]
    codes = [row[1] for row in rows[1:]]
    assert world.a.box.code in codes and world.b.box.code not in codes
    assert all(code in page for code in codes)
    box = next(row for row in rows if row[1] == world.a.box.code)
    assert box[3:5] == ["9", "9"] and box[6:] == ["1", "81"]  # the tube at B2 of 81 cells, as the page's bar


def test_the_storage_export_answers_as_the_page_to_who_may_not_see_it(world):
    url = reverse("specimens:storage", args=[world.a.biobank.code])
    assert answer(world.client("identity_steward"), url) == 403
    foreign = reverse("specimens:storage", args=[world.b.biobank.code])
    assert answer(world.client("technician"), foreign) == 404


def test_the_storage_export_runs_the_same_queries_however_many_units(world):
    from tests.specimens.factories import make_box

    client = world.client("technician")
    url = reverse("specimens:storage", args=[world.a.biobank.code]) + "?format=csv"
    before = _export_queries(client, url)
    for _ in range(3):
        make_box(world.a.biobank)
    assert _export_queries(client, url) == before
    assert len(csv_rows(client.get(url))) > 6


# --- shipment decisions (donors by pseudonym: audited like the specimen list) ---


def _withdraw_the_shipped_donor(world: World) -> Any:
    from tests.specimens.withdrawal_helpers import withdraw

    donor = world.a.shipped.donor
    withdraw(donor, "no_further_use")
    return donor


def test_the_shipment_decisions_export_lists_the_waiting_specimens_and_is_audited(world):
    _withdraw_the_shipped_donor(world)
    url = reverse("specimens:shipment_decisions", args=[world.a.biobank.code])
    client = world.client("technician")
    page = page_of(client, url)
    rows = both(client, url)
    assert rows[0] == ["Barcode", "Donor", "Sample type", "Material type", "Quantity", "Unit", "Status"]
    assert [row[0] for row in rows[1:]] == [world.a.shipped.barcode] and world.a.shipped.barcode in page
    assert rows[1][1] == world.a.shipped.donor.pid_display and rows[1][2] == "SER"
    assert "Schmidt" not in body(client.get(url, {"format": "csv"})).decode()
    event = AuditOutbox.objects.filter(action="specimen.export").latest("pk")
    assert event.biobank_id == world.a.biobank.pk
    assert event.details == {"filters": {"list": "shipment_decisions"}, "format": "csv"}


def test_the_shipment_decisions_export_answers_as_the_page_to_who_may_not_see_it(world):
    url = reverse("specimens:shipment_decisions", args=[world.a.biobank.code])
    assert answer(world.client("identity_steward"), url) == 403
    foreign = reverse("specimens:shipment_decisions", args=[world.b.biobank.code])
    assert answer(world.client("technician"), foreign) == 404
    exports = AuditOutbox.objects.filter(action="specimen.export").values_list("details", flat=True)
    assert not [d for d in exports if d["filters"] == {"list": "shipment_decisions"}]  # refused: nothing recorded


def test_the_shipment_decisions_export_runs_the_same_queries_however_many_specimens(world):
    from specimens.models import Specimen

    donor = _withdraw_the_shipped_donor(world)
    client = world.client("technician")
    url = reverse("specimens:shipment_decisions", args=[world.a.biobank.code]) + "?format=csv"
    before = _export_queries(client, url)
    Specimen.objects.filter(donor=donor).update(status="distributed")  # the other tubes had been shipped too
    assert _export_queries(client, url) == before
    assert len(csv_rows(client.get(url))) == Specimen.objects.filter(donor=donor).count() + 1 > 2


# --- webhooks ---


def test_the_webhook_export_lists_the_endpoints_without_their_secret(world):
    from tests.access_requests.notify_factories import make_endpoint

    mine = make_endpoint(world.a.biobank, world.a.admin, url="https://a.example.org/hook", events=["request.*"])
    theirs = make_endpoint(world.b.biobank, world.b.admin, url="https://b.example.org/hook")
    url = reverse("access_requests:webhooks", args=[world.a.biobank.code])
    client = world.client("biobank_admin")
    page_of(client, url)
    rows = both(client, url)
    assert rows == [["URL", "Event kinds", "State"], ["https://a.example.org/hook", "request.*", "active"]]
    text = body(client.get(url, {"format": "csv"})).decode()
    assert mine.secret not in text and theirs.url not in text


def test_the_webhook_export_answers_as_the_page_to_who_may_not_see_it(world):
    url = reverse("access_requests:webhooks", args=[world.a.biobank.code])
    assert answer(world.client("technician"), url) == 403
    foreign = reverse("access_requests:webhooks", args=[world.b.biobank.code])
    assert answer(world.client("biobank_admin"), foreign) == 404


def test_the_webhook_export_runs_the_same_queries_however_many_endpoints(world):
    from tests.access_requests.notify_factories import make_endpoint

    client = world.client("biobank_admin")
    url = reverse("access_requests:webhooks", args=[world.a.biobank.code]) + "?format=csv"
    before = _export_queries(client, url)
    for n in range(3):
        make_endpoint(world.a.biobank, world.a.admin, url=f"https://a{n}.example.org/hook")
    assert _export_queries(client, url) == before
    assert len(csv_rows(client.get(url))) == 4


def test_every_webhook_delivery_exports_not_only_the_page_s_last_twenty(world):
    from django.utils import timezone

    from access_requests.choices import WebhookDeliveryStatus
    from access_requests.models import WebhookDelivery
    from tests.access_requests.notify_factories import make_endpoint

    mine = make_endpoint(world.a.biobank, world.a.admin, url="https://a.example.org/deliveries")
    theirs = make_endpoint(world.b.biobank, world.b.admin, url="https://b.example.org/deliveries")
    client = world.client("biobank_admin")
    url = reverse("access_requests:webhooks", args=[world.a.biobank.code])
    query = {"list": "deliveries"}
    before = _export_queries(client, f"{url}?list=deliveries&format=csv")
    for number, endpoint in enumerate([mine] * 22 + [theirs]):
        WebhookDelivery.objects.create(
            endpoint=endpoint, event=f"request.submitted.{number}", payload={}, next_attempt_at=timezone.now(),
            status=WebhookDeliveryStatus.FAILED, attempts=8, last_error="HTTP 500: oops",
        )  # fmt: skip

    assert f"{url}?list=deliveries&format=csv" in page_of(client, url)
    assert _export_queries(client, f"{url}?list=deliveries&format=csv") == before
    for rows in (csv_rows(client.get(url, {**query, "format": "csv"})),
                 xlsx_rows(client.get(url, {**query, "format": "xlsx"}))):  # fmt: skip
        assert rows[0] == ["Created", "Event", "URL", "Status", "Attempts", "Last error"]
        assert len(rows) == 23 and {row[2] for row in rows[1:]} == {"https://a.example.org/deliveries"}
        assert str(rows[1][0]).endswith("Z")
    assert answer(world.client("technician"), url, **query) == 403


# --- transfer agreements ---


AGREEMENT = "The recipient uses the material only for the approved project and returns what is left."


def _publish(world: World, side: Any, title: str) -> Any:
    from access_requests.choices import AgreementKind
    from access_requests.services.agreements import agreement_publish

    return agreement_publish(
        actor=side.admin, biobank=side.biobank, kind=AgreementKind.DTA, title=title, body=AGREEMENT
    )


def test_the_agreement_export_lists_the_published_versions(world):
    _publish(world, world.a, "DTA of A")
    _publish(world, world.a, "=DTA of A, revised")
    _publish(world, world.b, "DTA of B")
    url = reverse("access_requests:agreement_list", args=[world.a.biobank.code])
    client = world.client("technician")  # every member reads the versions
    page = page_of(client, url)
    rows = both(client, url)
    assert rows[0] == ["Kind", "Version", "Title", "Published", "Published by"]
    assert [row[1:3] for row in rows[1:]] == [["2", "'=DTA of A, revised"], ["1", "DTA of A"]]
    assert rows[1][3].endswith("Z") and rows[1][4] == world.a.admin.email and "DTA of A" in page


def test_the_agreement_export_answers_as_the_page_to_who_may_not_see_it(world):
    url = reverse("access_requests:agreement_list", args=[world.a.biobank.code])
    assert answer(world.client("researcher"), url) == 404
    foreign = reverse("access_requests:agreement_list", args=[world.b.biobank.code])
    assert answer(world.client("technician"), foreign) == 404


def test_the_agreement_export_runs_the_same_queries_however_many_versions(world):
    client = world.client("technician")
    url = reverse("access_requests:agreement_list", args=[world.a.biobank.code]) + "?format=csv"
    _publish(world, world.a, "First")
    before = _export_queries(client, url)
    for n in range(3):
        _publish(world, world.a, f"Next {n}")
    assert _export_queries(client, url) == before


# --- committee management ---


def test_the_committee_export_lists_the_active_members(world):
    from tests.access_requests.factories import make_committee

    committee, chair, people = make_committee(world.a.biobank)
    make_committee(world.b.biobank)
    committee.members.filter(user=people[1]).update(active=False)
    url = reverse("access_requests:committee_manage", args=[world.a.biobank.code])
    client = world.client("dac_chair")
    page = page_of(client, url)
    rows = both(client, url)
    assert rows[0] == ["Person", "E-mail", "Role"]
    assert sorted(row[1] for row in rows[1:]) == sorted([chair.email, people[0].email])
    assert all(row[1] in page for row in rows[1:])


def test_the_committee_export_answers_as_the_page_to_who_may_not_manage_it(world):
    url = reverse("access_requests:committee_manage", args=[world.a.biobank.code])
    assert answer(world.client("technician"), url) == 403
    foreign = reverse("access_requests:committee_manage", args=[world.b.biobank.code])
    assert answer(world.client("dac_chair"), foreign) == 404
    # No committee yet: no list on the page, no links; the file has the headers only.
    assert "format=csv" not in world.client("dac_chair").get(url).content.decode()
    assert csv_rows(world.client("dac_chair").get(url, {"format": "csv"})) == [["Person", "E-mail", "Role"]]


def test_the_committee_export_runs_the_same_queries_however_many_members(world):
    from access_requests.choices import CommitteeRole
    from access_requests.models import CommitteeMember
    from biobank.accounts.choices import Role
    from tests.access_requests.factories import make_committee
    from tests.accounts.factories import make_member

    committee, _chair, _people = make_committee(world.a.biobank, members=1)
    client = world.client("dac_chair")
    url = reverse("access_requests:committee_manage", args=[world.a.biobank.code]) + "?format=csv"
    before = _export_queries(client, url)
    for n in range(3):
        person = make_member(world.a.biobank, Role.DAC_MEMBER, email=f"export-dac-{n}@example.org")
        CommitteeMember.objects.create(committee=committee, user=person, role=CommitteeRole.MEMBER)
    assert _export_queries(client, url) == before
    assert len(csv_rows(client.get(url))) == 6


# --- catalogue management ---


def test_the_catalogue_management_index_exports_the_biobanks_the_person_may_see(world):
    url = reverse("catalog_manage:index")
    rows = both(world.client("data_manager"), url)
    page_of(world.client("data_manager"), url)
    assert rows[0] == ["Biobank", "Collections", "Errors", "Warnings"]
    assert [row[:2] for row in rows[1:]] == [[world.a.biobank.name, "1"]]
    # Without the catalogue right the page lists nothing; so does its export.
    assert csv_rows(world.client("consent_officer").get(url, {"format": "csv"}))[1:] == []


def test_the_catalogue_of_a_biobank_exports_its_collection_table(world):
    from catalog import services as catalog_services
    from catalog.models import Collection
    from catalog.quality import biobank_findings

    child = catalog_services.collection_create(
        actor=world.a.admin, biobank=world.a.biobank, code="coll-a-child", name="Child"
    )
    Collection.objects.filter(pk=child.pk).update(parent=world.a.collection)
    url = reverse("catalog_manage:biobank", args=[world.a.biobank.code])
    client = world.client("data_manager")
    page = page_of(client, url)
    rows = both(client, url)
    assert rows[0] == ["Name", "Code", "Part of", "State", "Contact", "Findings"]
    assert sorted(row[1] for row in rows[1:]) == ["coll-a", "coll-a-child"]
    row = next(row for row in rows if row[1] == "coll-a-child")
    findings = biobank_findings([world.a.biobank])[world.a.biobank.pk].by_collection[child.pk]
    assert row[2] == world.a.collection.name and row[5] == ", ".join(f.message for f in findings)
    assert findings and all(f.message in page for f in findings)


def test_the_short_lists_of_a_biobanks_catalogue_export_each_on_their_own(world):
    from catalog.models import Network
    from tests.catalog.factories import make_person

    ada = make_person(world.a.biobank, "exporta", email="ada-a@example.org")
    make_person(world.b.biobank, "exportb", email="ada-b@example.org")
    network = Network.objects.create(
        bbmri_id="bbmri-eric:networkID:DE_exportnet", name="Export net", description="Two biobanks.", contact=ada
    )
    network.member_biobanks.add(world.a.biobank)
    url = reverse("catalog_manage:biobank", args=[world.a.biobank.code])
    client = world.client("technician")  # reads the catalogue, may not change it
    page = html.unescape(client.get(url).content.decode())
    assert f"{url}?list=persons&format=csv" in page and f"{url}?list=resources&format=xlsx" in page
    persons = both(client, url, list="persons")
    assert persons == [["Name", "E-mail"], [str(ada), "ada-a@example.org"]] and str(ada) in page
    assert both(client, url, list="networks") == [["Name", "BBMRI-ERIC ID"], ["Export net", network.bbmri_id]]
    assert both(client, url, list="resources") == [["Title"]]
    foreign = reverse("catalog_manage:biobank", args=[world.b.biobank.code])
    assert answer(client, foreign, list="persons") == 404
    assert answer(world.client("consent_officer"), url, list="persons") == 403


def test_the_person_list_export_runs_the_same_queries_however_many_persons(world):
    from tests.catalog.factories import make_person

    client = world.client("technician")
    url = reverse("catalog_manage:biobank", args=[world.a.biobank.code]) + "?list=persons&format=csv"
    before = _export_queries(client, url)
    for n in range(3):
        make_person(world.a.biobank, f"extra{n}")
    assert _export_queries(client, url) == before
    assert len(csv_rows(client.get(url))) == 4


def test_the_catalogue_of_a_biobank_export_answers_as_the_page(world):
    url = reverse("catalog_manage:biobank", args=[world.a.biobank.code])
    assert answer(world.client("consent_officer"), url) == 403
    foreign = reverse("catalog_manage:biobank", args=[world.b.biobank.code])
    assert answer(world.client("data_manager"), foreign) == 404


def test_the_catalogue_exports_run_the_same_queries_however_many_collections(world):
    from catalog import services as catalog_services

    client = world.client("data_manager")
    urls = [
        reverse("catalog_manage:biobank", args=[world.a.biobank.code]) + "?format=csv",
        reverse("catalog_manage:index") + "?format=xlsx",
    ]
    before = [_export_queries(client, url) for url in urls]
    for n in range(3):
        catalog_services.collection_create(
            actor=world.a.admin, biobank=world.a.biobank, code=f"coll-extra-{n}", name=f"Extra {n}"
        )
    assert [_export_queries(client, url) for url in urls] == before


# --- messages to donors (staff: the wordings) ---


def _save_wording(world: World, kind: str, language: str = "en") -> None:
    from consent.services.portal.messages import message_template_save

    message_template_save(
        actor=world.a.officer,
        biobank=world.a.biobank,
        kind=kind,
        language=language,
        subject="Hello from {{ biobank }}",
        body="Dear donor, a message from {{ biobank }}.",
    )


def test_the_message_wording_export_names_each_kind_language_and_who_edited_it(world):
    from consent.choices import MessageKind

    _save_wording(world, MessageKind.DONOR_INVITATION)
    url = reverse("consent:message_list", args=[world.a.biobank.code])
    client = world.client("consent_officer")
    page = page_of(client, url)
    rows = both(client, url)
    assert rows[0] == ["Message", "Language", "Wording", "Edited by", "Edited"]
    edited = [row for row in rows[1:] if row[2] == "edited"]
    assert len(edited) == 1 and edited[0][0] == str(MessageKind.DONOR_INVITATION.label)
    assert edited[0][3] == world.a.officer.email and edited[0][4].endswith("Z")
    assert {row[2] for row in rows[1:]} == {"edited", "shipped wording"} and all(row[0] in page for row in rows[1:])


def test_the_message_wording_export_answers_as_the_page(world):
    url = reverse("consent:message_list", args=[world.a.biobank.code])
    assert answer(world.client("technician"), url) == 403
    foreign = reverse("consent:message_list", args=[world.b.biobank.code])
    assert answer(world.client("consent_officer"), foreign) == 404


def test_the_message_wording_export_runs_the_same_queries_however_many_are_edited(world):
    from consent.choices import MessageKind

    client = world.client("consent_officer")
    url = reverse("consent:message_list", args=[world.a.biobank.code]) + "?format=csv"
    before = _export_queries(client, url)
    for kind in MessageKind.values[:3]:
        _save_wording(world, kind)
    assert _export_queries(client, url) == before


# --- the donor's own messages (donor portal) ---


def _donor_account(world: World) -> Any:
    from consent.models import DonorAccount, DonorMessage

    account = DonorAccount.objects.create(user=world.users["donor"], donor=world.a.donor, biobank=world.a.biobank)
    DonorMessage.objects.create(account=account, kind="donor_invitation", subject="Welcome", body="Welcome.")
    return account


def test_the_donor_exports_their_own_messages_without_marking_them_read(world):
    from consent.models import DonorAccount, DonorMessage
    from tests.accounts.factories import UserFactory

    account = _donor_account(world)
    other = DonorAccount.objects.create(
        user=UserFactory(email="export-other-donor@example.org", is_donor=True),
        donor=world.b.donor,
        biobank=world.b.biobank,
    )
    DonorMessage.objects.create(account=other, kind="donor_invitation", subject="Not yours", body="x")
    url = reverse("donor_portal:messages")
    client = world.client("donor")
    page = page_of(client, url)
    rows = both(client, url)
    assert rows[0] == ["Subject", "Date", "New"]
    assert [row[0] for row in rows[1:]] == ["Welcome"] and rows[1][2] == "yes" and "Welcome" in page
    assert rows[1][1].endswith("Z")
    assert DonorMessage.objects.filter(account=account, read_at__isnull=True).count() == 1


def test_the_donor_message_export_is_only_for_donors(world):
    url = reverse("donor_portal:messages")
    assert answer(world.client("technician"), url) == 404
    assert answer(world.client("anonymous"), url) == 302


def test_the_donor_message_export_runs_the_same_queries_however_many_messages(world):
    from consent.models import DonorMessage

    account = _donor_account(world)
    client = world.client("donor")
    url = reverse("donor_portal:messages") + "?format=csv"
    before = _export_queries(client, url)
    for n in range(3):
        DonorMessage.objects.create(account=account, kind="donor_invitation", subject=f"News {n}", body="x")
    assert _export_queries(client, url) == before
    assert len(csv_rows(client.get(url))) == 5


def test_the_donor_s_history_exports_as_the_page_shows_it_and_only_to_the_donor(world):
    from consent.models import DonorMessage

    account = _donor_account(world)
    DonorMessage.objects.create(account=account, kind="donor_invitation", subject="Welcome", body="Hello")
    url = reverse("donor_portal:history")
    client = world.client("donor")
    page = page_of(client, url)

    rows = both(client, url)

    assert rows[0] == ["Date", "What happened", "By"]
    assert len(rows) > 1 and all(row[1] and row[1] in html.unescape(page) for row in rows[1:])
    assert answer(world.client("technician"), url) == 404
    assert answer(world.client("anonymous"), url) == 302
