"""The donor pages per role: list and search, detail, registration, duplicates, merge, and the steward's identity
pages. A foreign biobank is a 404, a missing permission a 403 page; identifying data appear only to stewards who
gave a reason."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from biobank.audit.models import AuditOutbox
from biobank.pseudonyms.checkchar import ALPHABET
from consent.models import Donor, DuplicateReview

pytestmark = pytest.mark.django_db

IDENTIFYING = ("Schmidt", "Jane Marie", "MRN-0012345", "1970-03-07", "Hauptstra")
FORM = {
    "given_names": "Paul",
    "family_name": "Weber",
    "date_of_birth": "1981-11-02",
    "sex": "male",
    "hospital_id": "MRN-777",
    "national_id": "",
    "email": "",
    "phone": "",
    "address": "",
}


def url(name, *args, code="biobank-a"):
    return reverse(f"consent:{name}", args=[code, *args])


def page(client, user, path, **kwargs):
    client.force_login(user)
    return client.get(path, **kwargs)


def typo(pid: str) -> str:
    return pid[:-1] + next(c for c in ALPHABET if c != pid[-1])


def other_person(register, n: int, **changes):
    return register(
        given_names=f"Person{n}",
        family_name=f"Family{n}",
        date_of_birth=date(1940 + n % 60, 1, 1 + n % 28),
        hospital_id=f"H-{n}",
        national_id="",
        email="",
        **changes,
    ).donor


@pytest.mark.parametrize("persona", ["consent_officer_a", "steward_a", "auditor_a", "admin_a"])
def test_people_who_see_donors_get_the_list_and_the_detail_without_identifying_data(client, request, donor_a, persona):
    user = request.getfixturevalue(persona)
    listing = page(client, user, url("donor_list")).content.decode()
    detail = client.get(url("donor_detail", donor_a.pid_display)).content.decode()
    assert donor_a.pid_display in listing and donor_a.pid_display in detail
    assert "Specimens appear here" in detail and "No consents recorded" in detail
    for value in IDENTIFYING:
        assert value not in listing and value not in detail
    assert ("Show identity" in detail) == (persona == "steward_a")
    assert ("Merge into another donor" in detail) == (persona == "consent_officer_a")
    assert ("hx-get" in detail) == (persona == "auditor_a")  # the History tab, for auditors


def test_the_donors_link_is_in_the_navigation_of_those_who_see_donors(
    client, consent_officer_a, technician_a, steward_a
):
    assert "Donors" in [
        link.label for s in page(client, consent_officer_a, "/").context["nav"].biobanks for link in s.links
    ]
    assert "Donors" not in [
        link.label for s in page(client, technician_a, "/").context["nav"].biobanks for link in s.links
    ]
    links = [link.label for s in page(client, steward_a, "/").context["nav"].biobanks for link in s.links]
    assert "Donors" in links and "Identity lookup" in links


def test_a_missing_permission_is_a_403_and_a_foreign_biobank_or_donor_a_404(
    client, donor_a, technician_a, outsider, consent_officer_b, register, biobank_b
):
    assert page(client, technician_a, url("donor_list")).status_code == 403
    assert client.get(url("donor_detail", donor_a.pid_display)).status_code == 403
    assert page(client, outsider, url("donor_list")).status_code == 404
    assert client.get(url("donor_detail", donor_a.pid_display)).status_code == 404
    foreign = register(actor=consent_officer_b, biobank=biobank_b, hospital_id="B-1").donor
    assert (
        page(client, consent_officer_b, url("donor_detail", donor_a.pid_display, code="biobank-b")).status_code == 404
    )
    assert client.get(url("donor_detail", foreign.pid_display, code="biobank-b")).status_code == 200


def test_the_list_finds_a_pid_and_says_what_is_wrong_with_a_mistyped_one(client, consent_officer_a, donor_a, register):
    other = other_person(register, 1)
    found = page(client, consent_officer_a, url("donor_list"), data={"pid": other.pid_display.lower()})
    assert list(found.context["donors"]) == [other]
    wrong = client.get(url("donor_list"), {"pid": typo(donor_a.pid)}).content.decode()
    assert "check character does not match" in wrong and 'id="id_pid_error"' in wrong


def test_the_list_pages_and_costs_the_same_queries_for_few_and_many_donors(client, consent_officer_a, register):
    from consent.views.donors import PAGE_SIZE

    for n in range(3):
        other_person(register, n)
    client.force_login(consent_officer_a)

    def count() -> int:
        client.get(url("donor_list"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("donor_list")).status_code == 200
        return len(queries)

    few = count()
    for n in range(3, PAGE_SIZE + 5):
        other_person(register, n)
    assert count() == few
    # session, user, navigation memberships, biobank visible, permission check, the page of donors
    assert few == 6
    first = client.get(url("donor_list"))
    assert len(first.context["donors"]) == PAGE_SIZE and first.context["older"]
    second = client.get(url("donor_list"), {"before": first.context["older"]})
    assert len(second.context["donors"]) == 5
    assert not {d.pk for d in first.context["donors"]} & {d.pk for d in second.context["donors"]}


def test_a_consent_officer_registers_a_donor_and_lands_on_its_page(client, consent_officer_a):
    client.force_login(consent_officer_a)
    response = client.post(url("donor_register"), FORM, follow=True)
    donor = Donor.objects.get()
    assert response.redirect_chain[-1][0] == url("donor_detail", donor.pid_display)
    assert f"Donor {donor.pid_display} was registered" in response.content.decode()
    assert "Weber" not in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"family_name": ""}, "family_name", "This field is required."),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "in the future"),
        ({"date_of_birth": "yesterday"}, "date_of_birth", "valid date"),
        ({"email": "nope"}, "email", "Not a valid e-mail"),  # the field name is not repeated
        ({"phone": "call me"}, "phone", "digits"),
    ],
)
def test_a_registration_with_errors_shows_them_next_to_the_fields_and_writes_nothing(
    client, consent_officer_a, changes, field, message
):
    client.force_login(consent_officer_a)
    response = client.post(url("donor_register"), {**FORM, **changes})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Donor.objects.exists() and not DuplicateReview.objects.exists()


def test_a_possible_duplicate_goes_to_review_and_a_steward_decides_it_there(
    client, consent_officer_a, steward_a, donor_a
):
    client.force_login(consent_officer_a)
    data = {
        **FORM,
        "given_names": "Jane Marie",
        "family_name": "Schmitt",
        "date_of_birth": "1970-07-03",
        "sex": "female",
    }
    response = client.post(url("donor_register"), data, follow=True)
    review = DuplicateReview.objects.get()
    assert response.redirect_chain[-1][0] == url("duplicate_review", review.pk)
    body = response.content.decode()
    assert "may already be registered" in body and donor_a.pid_display not in body and "transposed" not in body
    assert "Schmitt" not in body and Donor.objects.count() == 1
    assert f"#{review.pk}" in client.get(url("duplicate_list")).content.decode()
    client.force_login(steward_a)
    reason = "Deciding the registration held at enrolment"
    shown = client.post(url("duplicate_review", review.pk), {"action": "candidates", "reason": reason})
    assert donor_a.pid_display in shown.content.decode() and "transposed" in shown.content.decode()
    missing = client.post(
        url("duplicate_review", review.pk), {"action": "decide", "decision": "same_person", "reason": reason}
    )
    assert missing.status_code == 200 and "donor" in missing.context["form"].errors  # one candidate is pre-chosen
    response = client.post(
        url("duplicate_review", review.pk),
        {"action": "decide", "decision": "different_person", "reason": reason},
        follow=True,
    )
    review.refresh_from_db()
    assert review.status == "different_person" and Donor.objects.count() == 2
    assert response.redirect_chain[-1][0] == url("donor_detail", review.donor.pid_display)


def test_duplicates_are_for_people_who_register_donors_and_stewards(client, steward_a, auditor_a):
    assert page(client, steward_a, url("duplicate_list")).status_code == 200
    assert page(client, auditor_a, url("duplicate_list")).status_code == 403


def test_a_consent_officer_merges_two_donors_with_a_reason(client, consent_officer_a, donor_a, register):
    other = other_person(register, 1)
    client.force_login(consent_officer_a)
    merge = url("donor_merge", donor_a.pid_display)
    assert "reason" in client.post(merge, {"target": other.pid_display, "reason": ""}).context["form"].errors
    wrong = client.post(merge, {"target": typo(other.pid), "reason": "Same person"})
    assert "check character" in " ".join(wrong.context["form"].errors["target"])
    response = client.post(merge, {"target": other.pid_display, "reason": "Same MRN in the HIS"}, follow=True)
    donor_a.refresh_from_db()
    assert donor_a.merged_into == other and "was merged into" in response.content.decode()
    source_page = client.get(url("donor_detail", donor_a.pid_display)).content.decode()
    assert "This donor was merged into" in source_page and "Merge into another donor" not in source_page


def test_the_steward_states_a_reason_before_seeing_the_identity(client, steward_a, donor_a):
    identity = url("donor_identity", donor_a.pid_display)
    first = page(client, steward_a, identity).content.decode()
    assert "Reason" in first and not any(value in first for value in IDENTIFYING)
    refused = client.post(identity, {"reason": "  "})
    assert "State why" in refused.content.decode() and "Schmidt" not in refused.content.decode()
    assert not AuditOutbox.objects.filter(action="donor.identity_view").exists()
    shown = client.post(identity, {"reason": "Recall for an incidental finding"})
    body = shown.content.decode()
    assert "Schmidt" in body and "MRN-0012345" in body and "Hauptstraße 1" in body
    assert "no-store" in shown["Cache-Control"] or "no-cache" in shown["Cache-Control"]
    assert AuditOutbox.objects.get(action="donor.identity_view").reason == "Recall for an incidental finding"


@pytest.mark.parametrize("persona", ["consent_officer_a", "technician_a", "auditor_a", "admin_a"])
def test_nobody_else_reaches_the_identity_pages(client, request, donor_a, persona):
    user = request.getfixturevalue(persona)
    assert page(client, user, url("donor_identity", donor_a.pid_display)).status_code == 403
    assert client.post(url("donor_identity", donor_a.pid_display), {"reason": "x"}).status_code == 403
    assert client.get(url("identity_lookup")).status_code == 403
    assert not AuditOutbox.objects.filter(action__startswith="donor.identity").exists()


def test_the_steward_looks_up_a_hospital_id_and_reidentifies_a_pid(client, steward_a, donor_a):
    client.force_login(steward_a)
    lookup = url("identity_lookup")
    found = client.post(
        lookup,
        {"action": "hospital", "hospital-hospital_id": "mrn-0012345", "hospital-reason": "Lab result arrived by MRN"},
    )
    assert found.context["found"] == [donor_a] and "Schmidt" not in found.content.decode()
    wrong = client.post(lookup, {"action": "pid", "pid-pid": typo(donor_a.pid), "pid-reason": "Label check"})
    assert "check character does not match" in wrong.content.decode()
    shown = client.post(lookup, {"action": "pid", "pid-pid": donor_a.pid_display, "pid-reason": "Label check"})
    assert "Schmidt" in shown.content.decode()
    assert list(AuditOutbox.objects.filter(reason="Label check").values_list("action", flat=True)) == [
        "pseudonym.resolve",
        "donor.identity_view",
    ]
