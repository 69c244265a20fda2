"""The role dashboards (issue 16, build 1): per role the right panels with the right figures, nothing of a foreign
biobank, charts as accessible SVG with a data table holding the same numbers, and pinned query counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from biobank.accounts.choices import Role
from biobank.audit.chaining import audit_drain
from consent import services as consent_services
from specimens.models import Specimen
from tests.access_requests.factories import make_request, make_researcher
from tests.accounts.factories import make_member
from tests.consent.donor_fixtures import JANE
from tests.specimens.factories import (
    consented_donor,
    make_collection,
    make_specimen,
    make_storage_box,
    material_catalogue,
)
from tests.specimens.withdrawal_helpers import withdraw

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("web:dashboard")


def _svgs(page: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", page, flags=re.S)


def _table(page: str, title: str) -> dict[str, str]:
    """The data table of the chart titled ``title``: {row header: first value}."""
    start = page.index(f'<caption class="visually-hidden">{title}</caption>')
    body = page[start : page.index("</table>", start)]
    return dict(re.findall(r'<th scope="row">([^<]*)</th><td>([^<]*)</td>', body))


def _inventory(biobank, *, specimens: int):
    collection = make_collection(biobank)
    donor = consented_donor(biobank)
    received = timezone.now() - timedelta(days=1)
    made = [
        make_specimen(collection=collection, donor=donor, sample_type="SER", facts={"received_at": received})
        for _ in range(specimens)
    ]
    return collection, made


def test_the_admin_sees_inventory_freezers_consents_and_the_request_pipeline(client, admin_a, biobank_a, biobank_b):
    collection, specimens = _inventory(biobank_a, specimens=3)
    box = make_storage_box(biobank_a, rows=2, columns=2)
    Specimen.objects.filter(pk=specimens[0].pk).update(box=box, box_row=1, box_column=1)
    make_request(make_researcher(), [biobank_a], status="submitted")
    foreign, _ = _inventory(biobank_b, specimens=5)

    client.force_login(admin_a)
    page = client.get(DASHBOARD).content.decode()

    assert "Specimens received per month (last 12 months)" in page
    assert _table(page, "Specimens in stock by collection") == {collection.name: "3"}
    assert _table(page, "Specimens in stock by sample type") == {"SER — Serum": "3"}
    assert _table(page, "Freezer utilisation") == {"Freezer -80": "25 % (1/4)"}
    assert _table(page, "Consents by status")["Valid"] == "1"
    assert _table(page, "Access requests by status")["Submitted"] == "1"
    month = _table(page, "Specimens received per month (last 12 months)")
    assert sum(int(n) for n in month.values()) == 3
    assert foreign.name not in page  # biobank B's collection never shows
    for svg in _svgs(page):
        assert 'role="img"' in svg and 'aria-label="' in svg and "<title>" in svg and "<desc>" in svg
    assert 'aria-label="Freezer utilisation: Freezer -80 25 % (1/4)"' in page
    assert page.count("<summary>Data table") == len(_svgs(page))


def test_the_admin_sees_the_committee_turnaround_as_a_median(client, admin_a, biobank_a):
    from access_requests.models import AccessRequest, Decision

    researcher = make_researcher()
    for days in (4, 10, 30):
        request = make_request(researcher, [biobank_a], status="under_review", resource_status="available")
        AccessRequest.objects.filter(pk=request.pk).update(submitted_at=timezone.now() - timedelta(days=days))
        Decision.objects.create(resource=request.resources.get(), outcome="approved", decided_by=admin_a)
    client.force_login(admin_a)
    page = client.get(DASHBOARD).content.decode()
    assert "10.0 days" in page
    assert "Median from submission to decision, over 3 decisions." in page


def test_the_technician_sees_today_s_worklists_and_freezers_near_capacity(client, technician_a, biobank_a, biobank_b):
    collection = make_collection(biobank_a)
    donor = consented_donor(biobank_a)
    today = make_specimen(collection=collection, donor=donor, facts={"received_at": timezone.now()})
    make_specimen(collection=collection, donor=donor, facts={"received_at": timezone.now() - timedelta(days=3)})
    full = make_storage_box(biobank_a, rows=1, columns=1)
    Specimen.objects.filter(pk=today.pk).update(box=full, box_row=1, box_column=1)
    _inventory(biobank_b, specimens=4)

    client.force_login(technician_a)
    response = client.get(DASHBOARD)
    page = response.content.decode()
    tile = response.context["panels"][0].tiles
    [work] = [t.data for t in tile if t.template.endswith("worklists_tile.html")]
    assert work["counts"] == {"received_today": 1, "to_process": 2, "to_store": 1, "to_dispose": 0}
    assert [f.percent for f in work["near_capacity"]] == [100]
    assert reverse("specimens:worklist", args=["biobank-a", "to_store"]) in page
    assert reverse("specimens:storage_unit", args=["biobank-a", full.parent.parent.pk]) in page
    assert "Inventory" not in page  # the admin's charts are not the technician's


def test_the_technician_sees_specimens_to_dispose_after_a_withdrawal(client, technician_a, biobank_a):
    donor = consented_donor(biobank_a)
    make_specimen(collection=make_collection(biobank_a), donor=donor)
    withdraw(donor)
    client.force_login(technician_a)
    [work] = [t.data for t in client.get(DASHBOARD).context["panels"][0].tiles if "worklists" in t.template]
    assert work["counts"]["to_dispose"] == 1


def test_the_consent_officer_sees_scans_to_check_campaigns_and_withdrawals(client, consent_officer_a, biobank_a):
    template = material_catalogue(biobank_a)
    donor = consent_services.donor_register(actor=consent_officer_a, biobank=biobank_a, **JANE).donor
    consent_services.consent_scan_upload(
        actor=consent_officer_a,
        informed_by=consent_officer_a,
        informed_place="Outpatient clinic",
        donor=donor,
        template=template,
        language="en",
        choices={"use": "accepted", "transfer": "accepted", "recontact": "accepted"},
        signed_on=timezone.localdate(),
        file=ContentFile(b"%PDF-1.4 paper form", name="form.pdf"),
    )
    withdrawn = consented_donor(biobank_a)
    withdraw(withdrawn, level="no_further_contact")

    client.force_login(consent_officer_a)
    response = client.get(DASHBOARD)
    page = response.content.decode()
    [work] = [t.data for t in response.context["panels"][0].tiles if "consent_work" in t.template]
    assert work.to_qc == 1
    assert work.withdrawals == 1
    assert [w.pid for w in work.recent_withdrawals] == [withdrawn.pid_display]
    assert "Consents to QC" in page and "Withdrawals this month" in page and "Re-consent campaigns" in page
    assert reverse("consent:qc_queue", args=["biobank-a"]) in page
    assert reverse("consent:donor_detail", args=["biobank-a", withdrawn.pid_display]) in page
    assert "No campaign is open." in page
    for shortcut in ("consent:donor_register", "consent:capture", "consent:scan_upload"):
        assert reverse(shortcut, args=["biobank-a"]) in page


def test_the_steward_sees_pending_duplicate_reviews_and_recent_reidentifications(
    client, steward_a, consent_officer_a, biobank_a, steward_b
):
    first = consent_services.donor_register(actor=consent_officer_a, biobank=biobank_a, **JANE).donor
    consent_services.donor_register(actor=consent_officer_a, biobank=biobank_a, **JANE)  # held back: a duplicate?
    consent_services.donor_reidentify(
        actor=steward_a, biobank=biobank_a, pid=first.pid_display, reason="Recall of a tube for the clinic"
    )
    audit_drain()

    client.force_login(steward_a)
    response = client.get(DASHBOARD)
    page = response.content.decode()
    [work] = [t.data for t in response.context["panels"][0].tiles if "steward" in t.template]
    assert work.pending_reviews == 1
    assert [r.pid for r in work.reidentifications] == [first.pid_display]
    assert reverse("consent:duplicate_list", args=["biobank-a"]) in page
    assert "Recent re-identifications" in page

    client.force_login(steward_b)  # biobank B's steward sees none of it
    page_b = client.get(DASHBOARD).content.decode()
    assert first.pid_display not in page_b
    assert "No re-identification yet." in page_b


def test_the_auditor_sees_the_last_verification_and_recent_sensitive_reads(
    client, auditor_a, steward_a, consent_officer_a, biobank_a
):
    donor = consent_services.donor_register(actor=consent_officer_a, biobank=biobank_a, **JANE).donor
    consent_services.donor_reidentify(
        actor=steward_a, biobank=biobank_a, pid=donor.pid_display, reason="Recall of a tube for the clinic"
    )
    audit_drain()
    client.force_login(auditor_a)
    page = client.get(DASHBOARD).content.decode()
    assert "Recent sensitive reads" in page
    assert donor.pid_display in page and steward_a.email in page
    assert "action=donor.identity_view&amp;biobank=biobank-a" in page


def test_a_committee_member_sees_their_reviews_with_due_dates(client, biobank_a, biobank_b):
    from access_requests.models import ReviewAssignment
    from tests.access_requests.committee_factories import make_review

    review = make_review(biobank_a)
    member = review.members[0]
    due = timezone.localdate() - timedelta(days=1)
    ReviewAssignment.objects.create(resource=review.resource, reviewer=member, due_on=due, assigned_by=review.chair)
    other = make_review(biobank_b)
    ReviewAssignment.objects.create(
        resource=other.resource, reviewer=other.members[0], due_on=due, assigned_by=other.chair
    )

    client.force_login(member)
    page = client.get(DASHBOARD).content.decode()
    assert "My reviews" in page
    assert reverse("access_requests:review_screen", args=[review.resource.pk]) in page
    assert "overdue since" in page
    assert review.request.title in page and other.request.title not in page


def test_a_researcher_sees_their_requests_and_what_each_waits_for(client, researcher, biobank_a):
    mine = make_request(researcher, [biobank_a], title="Proteins of the heart")
    make_request(make_researcher(), [biobank_a], title="Somebody else's project")
    client.force_login(researcher)
    page = client.get(DASHBOARD).content.decode()
    assert "My access requests" in page
    assert reverse("access_requests:detail", args=[mine.pk]) in page
    assert "waits for you to complete and submit it" in page
    assert "Somebody else&#x27;s project" not in page and "Somebody else's project" not in page


@pytest.mark.parametrize(
    ("role", "queries"),
    [
        # session, user, memberships, then each tile's fixed reads (comments in test_dashboard.py and the loaders)
        (Role.BIOBANK_ADMIN, 18),
        (Role.TECHNICIAN, 10),
        (Role.CONSENT_OFFICER, 7),
        (Role.IDENTITY_STEWARD, 5),
        (Role.DAC_MEMBER, 6),
        (Role.AUDITOR, 9),
    ],
)
def test_the_query_count_per_role_does_not_grow_with_the_data(client, count_queries, biobank_a, role, queries):
    user = make_member(biobank_a, role, email=f"{role}-count@example.org")
    client.force_login(user)
    _inventory(biobank_a, specimens=1)  # the catalogue's tile reads facts once there is a collection
    before = count_queries(DASHBOARD)
    _inventory(biobank_a, specimens=4)
    make_storage_box(biobank_a, rows=2, columns=2)
    make_request(make_researcher(), [biobank_a], status="submitted")
    assert count_queries(DASHBOARD) == before
    assert before == queries
