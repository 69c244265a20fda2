"""The timeline on the staff pages: the consent page shows the form's answer beside the person's, invalidation with
four eyes, the QC warning for a late paper form, the donor-level withdrawal page; per role."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from biobank.accounts.choices import Role
from consent import gate, services
from consent.gate import Answer
from consent.models import ConsentInvalidation
from tests.accounts.factories import make_member
from tests.consent.factories import make_donor, media_root, record  # noqa: F401
from tests.consent.timeline_helpers import BIOMATERIAL_ONLY, day, paper, withdraw

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_forms(biobank_a, officer, checker, catalogue):
    donor = make_donor(biobank_a)
    broad = paper(officer, checker, donor, catalogue["broad"], signed_on=day(200), choices=BIOMATERIAL_ONLY)
    samples = paper(
        officer, checker, donor, catalogue["samples"], signed_on=day(199), choices={"biomaterial": "accepted"}
    )
    withdraw(officer, broad, "biomaterial", on=day(100))
    return donor, broad, samples


def test_the_consent_page_shows_the_form_says_accepted_but_the_person_withdrew(client, officer, two_forms, biobank_a):
    _, _, samples = two_forms
    client.force_login(officer)

    page = client.get(f"/consent/{biobank_a.code}/consents/{samples.pk}/").content.decode()

    assert "For the donor" in page and "withdrawn" in page and "another form or record" in page


def test_an_officer_asks_and_a_second_officer_approves_an_invalidation_in_the_browser(
    client, officer, checker, biobank_a, two_forms
):
    donor, _, samples = two_forms
    second = make_member(biobank_a, Role.CONSENT_OFFICER, email="second@example.org")
    url = f"/consent/{biobank_a.code}/consents/{samples.pk}/"
    client.force_login(checker)

    client.post(url + "invalidate/", {"invalidate-reason": "Form of another patient"})
    page = client.get(url).content.decode()
    assert "Waiting for a second person" in page and "Record the decision" not in page

    client.force_login(second)
    assert "Record the decision" in client.get(url).content.decode()
    client.post(url + "invalidate/decide/", {"decide-decision": "approve", "decide-note": ""})

    assert ConsentInvalidation.objects.get(consent=samples).status == "approved"
    assert gate.permitted(donor=donor, policy="biomat-use", at=day(150)).answer == Answer.PERMITTED  # broad still


def test_a_data_manager_cannot_ask_for_an_invalidation_and_another_biobank_gets_404(
    client, biobank_a, biobank_b, two_forms
):
    _, _, samples = two_forms
    data_manager = make_member(biobank_a, Role.DATA_MANAGER, email="dm@example.org")
    outsider = make_member(biobank_b, Role.CONSENT_OFFICER, email="other@example.org")
    url = f"/consent/{biobank_a.code}/consents/{samples.pk}/invalidate/"

    client.force_login(data_manager)
    assert client.post(url, {"invalidate-reason": "x"}).status_code == 403
    client.force_login(outsider)
    assert client.post(url, {"invalidate-reason": "x"}).status_code == 404
    assert not ConsentInvalidation.objects.exists()


def test_the_qc_page_warns_before_a_late_paper_form_is_approved(client, officer, checker, biobank_a, catalogue):
    donor = make_donor(biobank_a)
    broad = paper(officer, checker, donor, catalogue["broad"], signed_on=day(200), choices=BIOMATERIAL_ONLY)
    withdraw(officer, broad, "biomaterial", on=day(100))
    late = services.consent_scan_upload(
        actor=officer,
        informed_by=officer,
        informed_place="Outpatient clinic",
        donor=donor,
        template=catalogue["samples"],
        language="en",
        choices={"biomaterial": "accepted"},
        signed_on=day(150),
        file=ContentFile(b"%PDF-1.4 form", name="form.pdf"),
    )
    client.force_login(checker)

    page = client.get(f"/consent/{biobank_a.code}/scans/qc/{late.pk}/").content.decode()
    response = client.post(f"/consent/{biobank_a.code}/scans/qc/{late.pk}/", {"decision": "approve"}, follow=True)

    assert "signed before a later withdrawal" in page and "biomat-use" in page
    assert any("does not undo" in str(m) for m in response.context["messages"])
    assert gate.permitted(donor=donor, policy="biomat-use").code == "withdrawn"


def test_an_officer_records_a_donor_level_withdrawal_and_a_future_date_is_refused(
    client, officer, biobank_a, catalogue
):
    donor = make_donor(biobank_a)
    record(officer, donor, catalogue["broad"])
    url = f"/consent/{biobank_a.code}/donors/{donor.pid_display}/withdraw/"
    client.force_login(officer)

    future = client.post(url, {"level": "no_further_use", "effective": day(-3).isoformat(), "reason": "Phone call"})
    assert future.status_code == 200 and "cannot be after today" in future.content.decode()
    assert gate.permitted(donor=donor, policy="biomat-use").answer == Answer.PERMITTED

    done = client.post(url, {"level": "no_further_use", "effective": day(0).isoformat(), "reason": "Phone call"})
    assert done.status_code == 302
    assert gate.permitted(donor=donor, policy="biomat-use").code == "withdrawn"


def test_a_donor_level_withdrawal_needs_manage_consent(client, biobank_a, biobank_b):
    donor = make_donor(biobank_a)
    auditor = make_member(biobank_a, Role.AUDITOR, email="auditor@example.org")
    client.force_login(auditor)

    assert client.get(f"/consent/{biobank_a.code}/donors/{donor.pid_display}/withdraw/").status_code == 403
    client.force_login(make_member(biobank_b, Role.CONSENT_OFFICER, email="other@example.org"))
    assert client.get(f"/consent/{biobank_a.code}/donors/{donor.pid_display}/withdraw/").status_code == 404
