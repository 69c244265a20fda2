"""List endpoints cost the same number of queries for 3 rows as for 30 (no query per row)."""

from __future__ import annotations

import pytest

from biobank.accounts import services as account_services
from biobank.accounts.choices import Role
from catalog import services as catalog_services
from tests.accounts.factories import UserFactory, bearer, make_biobank, make_member, make_token

pytestmark = pytest.mark.django_db

# Steady state, after a first request has warmed the per-process content-type caches (and recorded the token's use,
# which is written at most once a minute): session and user (or the token), then the endpoint's own queries, with
# the permission subqueries inlined into one statement. Members also read the caller's permissions (2 queries).
EXPECTED_QUERIES = {
    "biobanks": 3,
    "members": 6,
    "collections (session)": 3,
    "collections (token)": 2,
    "specimens (session)": 4,  # the page's keys, then its rows (specimens/api/specimen_list_rows.py)
    "specimens (token)": 3,
    "storage units (session)": 3,
    # the donor's own lists (consent/api/portal.py): session, user, the donor account; the consents also read the
    # merge family, then the rows with their forms' texts and their answers (prefetched)
    "my consents (donor session)": 7,
    "my messages (donor session)": 4,
    # a request's reports (access_requests/api/entitlements.py): session, user, the request (visible-to subquery),
    # the reports with their submitter and attachment
    "request reports (researcher)": 4,
    # access requests (wizard): session, user, the requests (visibility as subqueries), their resources with their
    # biobanks, and the resources' collections (prefetched)
    "access requests (researcher session)": 5,
    # access_requests/api/review.py: session, user, the request (permitted-ids subqueries), the researcher-side
    # check (team), the messages with their authors and biobanks
    "access request messages (committee session)": 5,
    # fulfilment (access_requests/api/fulfilment.py): session, user, the request and its resources the caller may
    # see (one statement each), then the rows (shipments with their items and specimens prefetched)
    "request releases (researcher session)": 5,
    "request shipments (researcher session)": 7,
}


def _biobanks(rows: int, login):
    user = UserFactory()
    for _ in range(rows):
        account_services.membership_grant(actor=None, biobank=make_biobank(), user=user, role=Role.AUDITOR)
    return login(user), "/api/v1/biobanks/"


def _members(rows: int, login):
    biobank = make_biobank()
    admin = make_member(biobank, Role.BIOBANK_ADMIN)
    for _ in range(rows - 1):
        make_member(biobank, Role.TECHNICIAN)
    return login(admin), f"/api/v1/biobanks/{biobank.code}/members/"


def _collections(rows: int, login, *, token: bool = False):
    biobank = make_biobank()
    for number in range(rows):
        catalog_services.collection_create(actor=None, biobank=biobank, code=f"c-{number}", name=f"C {number}")
    if token:
        return bearer(make_token(biobank, "view_catalog")), "/api/v1/collections/"
    return login(make_member(biobank, Role.DATA_MANAGER)), "/api/v1/collections/"


def _specimens(rows: int, login, *, token: bool = False):
    from specimens.models import Specimen
    from specimens.services import specimens_aliquot
    from tests.specimens.factories import make_box, make_collection, make_specimen

    biobank = make_biobank()
    box = make_box(biobank, rows=8, columns=8)
    parent = make_specimen(collection=make_collection(biobank), quantity="100")
    for number, child in enumerate(
        specimens_aliquot(actor=None, parent=parent, count=rows - 1, quantity="1", unit="mL")
    ):
        Specimen.objects.filter(pk=child.pk).update(box=box, box_row=number // 8 + 1, box_column=number % 8 + 1)
    if token:
        return bearer(make_token(biobank, "view_specimens")), "/api/v1/specimens/"
    return login(make_member(biobank, Role.TECHNICIAN)), "/api/v1/specimens/"


def _storage_units(rows: int, login):
    from specimens.services import storage_unit_create

    biobank = make_biobank()
    site = storage_unit_create(actor=None, biobank=biobank, parent=None, kind="site", name="S", code="S")
    for number in range(rows - 1):
        storage_unit_create(actor=None, biobank=biobank, parent=site, kind="room", name=f"R{number}", code=f"R{number}")
    return login(make_member(biobank, Role.TECHNICIAN)), "/api/v1/storage-units/"


def _donor(biobank):
    from consent.models import DonorAccount
    from tests.consent.factories import make_donor

    user = UserFactory(is_donor=True)
    return DonorAccount.objects.create(user=user, donor=make_donor(biobank), biobank=biobank)


def _my_consents(rows: int, login):
    from consent.choices import ConsentSource, ConsentStatus
    from consent.models import Consent, ConsentModuleChoice
    from tests.consent.factories import make_catalogue

    biobank = make_biobank()
    template = make_catalogue(biobank)
    account = _donor(biobank)
    modules = list(template.modules.all())
    for number in range(rows):
        consent = Consent.objects.create(
            biobank=biobank, donor=account.donor, template=template, language="en",
            source=ConsentSource.DONOR_PORTAL, status=ConsentStatus.VALID, signed_on=f"2025-01-{number % 28 + 1:02d}",
            recorded_by=account.user,
        )  # fmt: skip
        ConsentModuleChoice.objects.bulk_create(
            ConsentModuleChoice(consent=consent, module=module, choice="accepted") for module in modules
        )
    return login(account.user), "/api/v1/me/consents/"


def _my_messages(rows: int, login):
    from consent.models import DonorMessage

    account = _donor(make_biobank())
    DonorMessage.objects.bulk_create(
        DonorMessage(account=account, kind="choice_changed", subject=f"S{n}", body="B") for n in range(rows)
    )
    return login(account.user), "/api/v1/me/messages/"


def _request_reports(rows: int, login):
    from access_requests.choices import ReportKind
    from access_requests.models import Report
    from tests.access_requests.entitle_factories import make_granted

    g = make_granted(make_biobank())
    Report.objects.bulk_create(
        Report(request=g.request, kind=ReportKind.PROGRESS, title=f"R{n}", text="T", submitted_by=g.researcher)
        for n in range(rows)
    )
    return login(g.researcher), f"/api/v1/access-requests/{g.request.pk}/reports"


def _access_requests(rows: int, login):
    from tests.access_requests.factories import make_request, make_researcher

    researcher = make_researcher()
    biobanks = [make_biobank(), make_biobank()]
    for _ in range(rows):
        make_request(researcher, biobanks)
    return login(researcher), "/api/v1/access-requests/"


def _request_messages(rows: int, login):
    from access_requests.choices import RequestStatus
    from access_requests.services.messages import message_post
    from tests.access_requests.factories import make_committee, make_request, make_researcher

    biobank = make_biobank()
    _, chair, _ = make_committee(biobank)
    researcher = make_researcher()
    request = make_request(researcher, [biobank], status=RequestStatus.UNDER_REVIEW)
    for number in range(rows):
        message_post(actor=researcher if number % 2 else chair, request=request, body=f"Message {number}")
    return login(chair), f"/api/v1/access-requests/{request.pk}/messages"


def _fulfilment(rows: int, login, what: str):
    from access_requests.models import Release, Shipment, ShipmentItem
    from tests.access_requests.factories import make_request, make_researcher
    from tests.specimens.factories import make_collection, make_specimen

    biobank = make_biobank()
    researcher = make_researcher()
    request = make_request(researcher, [biobank], status="active", resource_status="access_granted")
    resource = request.resources.get()
    if what == "releases":
        Release.objects.bulk_create(Release(resource=resource, requested_by=researcher) for _ in range(rows))
    else:
        collection = make_collection(biobank)
        for _ in range(rows):
            shipment = Shipment.objects.create(resource=resource, address="Lab", created_by=researcher)
            ShipmentItem.objects.create(shipment=shipment, specimen=make_specimen(collection=collection))
    return login(researcher), f"/api/v1/access-requests/{request.pk}/{what}"


SETUPS = {
    "biobanks": _biobanks,
    "members": _members,
    "collections (session)": _collections,
    "collections (token)": lambda rows, login: _collections(rows, login, token=True),
    "specimens (session)": _specimens,
    "specimens (token)": lambda rows, login: _specimens(rows, login, token=True),
    "storage units (session)": _storage_units,
    "my consents (donor session)": _my_consents,
    "my messages (donor session)": _my_messages,
    "request reports (researcher)": _request_reports,
    "access requests (researcher session)": _access_requests,
    "access request messages (committee session)": _request_messages,
    "request releases (researcher session)": lambda rows, login: _fulfilment(rows, login, "releases"),
    "request shipments (researcher session)": lambda rows, login: _fulfilment(rows, login, "shipments"),
}


@pytest.mark.parametrize("endpoint", list(SETUPS))
@pytest.mark.parametrize("rows", [3, 30])
def test_a_list_endpoint_costs_the_same_queries_for_few_and_many_rows(endpoint, rows, login, django_assert_num_queries):
    client, url = SETUPS[endpoint](rows, login)
    client.get(url)

    with django_assert_num_queries(EXPECTED_QUERIES[endpoint]):
        response = client.get(url)

    assert response.status_code == 200
    assert len(response.json()["results"]) == rows
