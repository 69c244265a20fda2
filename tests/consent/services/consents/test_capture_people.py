"""Who stands beside a signature: a witness other than the recorder, the person who informed the donor and where,
and a representative with a legal basis for a donor who is a minor by the vault's date of birth."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from biobank.accounts.choices import Role
from biobank.audit.models import AuditOutbox
from biobank.errors import DomainError
from consent import services
from consent.models import Consent, Donor
from consent.services.capture_checks import donor_is_minor
from tests.accounts.factories import bearer, make_member, make_token
from tests.consent.donor_fixtures import JANE
from tests.consent.factories import make_catalogue, make_donor, media_root, record  # noqa: F401

pytestmark = pytest.mark.django_db

BASE = "/consent/biobank-a"
PARENT = {
    "representative_name": "Max Mustermann",
    "representative_relation": "father",
    "representative_legal_basis": "parent",
}


@pytest.fixture
def officer(biobank_a):
    return make_member(biobank_a, Role.CONSENT_OFFICER, email="officer@example.org")


@pytest.fixture
def nurse(biobank_a):
    return make_member(biobank_a, Role.TECHNICIAN, email="nurse@example.org")


@pytest.fixture
def template(biobank_a, officer):
    return make_catalogue(biobank_a, actor=officer)


@pytest.fixture
def donor(biobank_a):
    return make_donor(biobank_a)


def years_ago(years: int, *, days: int = 0) -> date:
    today = timezone.localdate()
    try:
        born = today.replace(year=today.year - years)
    except ValueError:  # today is 29 February
        born = today.replace(year=today.year - years, day=28)
    return born + timedelta(days=days)


def registered(biobank, officer, born: date) -> Donor:
    return services.donor_register(actor=officer, biobank=biobank, **{**JANE, "date_of_birth": born}).donor


def scan(officer, donor, template, **kwargs):
    defaults = {"informed_by": officer, "informed_place": "Outpatient clinic"}
    return services.consent_scan_upload(
        actor=officer,
        donor=donor,
        template=template,
        language="en",
        choices={"data": "accepted"},
        signed_on=timezone.localdate(),
        file=ContentFile(b"%PDF-1.4 scanned form", name="form.pdf"),
        **{**defaults, **kwargs},
    )


def audit_details(consent: Consent) -> dict:
    return AuditOutbox.objects.get(object_id=str(consent.pk), action__startswith="consent.").details


# --- the witness and the informing person ---------------------------------------------------------------------------


def test_a_nurse_witnesses_the_signature_while_the_officer_records_it(officer, nurse, template, donor):
    consent = record(officer, donor, template, witness=nurse, informed_by=nurse, informed_place="Ward 3, bed 12")

    assert consent.recorded_by == officer and consent.countersigned_by == nurse
    assert (consent.informed_by, consent.informed_place) == (nurse, "Ward 3, bed 12")
    details = audit_details(consent)
    assert details["witnessed_by"] == "nurse@example.org" and details["informed_by"] == "nurse@example.org"
    assert details["informed_place"] == "Ward 3, bed 12"
    assert "Erika Mustermann" not in json.dumps(details)


def test_without_a_named_witness_the_recorder_is_the_witness(officer, template, donor):
    consent = record(officer, donor, template)

    assert consent.countersigned_by == officer


def test_a_witness_from_another_biobank_or_without_an_active_account_is_refused(
    officer, nurse, outsider, template, donor
):
    with pytest.raises(DomainError) as foreign:
        record(officer, donor, template, witness=outsider)
    nurse.is_active = False
    nurse.save(update_fields=["is_active"])
    with pytest.raises(DomainError, match="active staff member of this biobank"):
        record(officer, donor, template, witness=nurse)

    assert foreign.value.field == "witness"
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"informed_by": None}, "informed_by"),
        ({"informed_place": "   "}, "informed_place"),
        ({"informed_place": "x" * 201}, "informed_place"),
    ],
)
def test_who_informed_the_donor_and_where_are_required_on_screen_and_on_paper(officer, template, donor, changes, field):
    with pytest.raises(DomainError) as on_screen:
        record(officer, donor, template, **changes)
    with pytest.raises(DomainError) as on_paper:
        scan(officer, donor, template, **changes)

    assert on_screen.value.field == on_paper.value.field == field
    assert not Consent.objects.exists()


def test_the_informing_person_must_be_staff_of_this_biobank(officer, outsider, template, donor):
    with pytest.raises(DomainError) as error:
        scan(officer, donor, template, informed_by=outsider)

    assert error.value.field == "informed_by"
    assert not Consent.objects.exists()


def test_a_scan_records_who_informed_the_donor_and_where(officer, nurse, template, donor):
    consent = scan(officer, donor, template, informed_by=nurse, informed_place="Day clinic")

    assert (consent.informed_by, consent.informed_place) == (nurse, "Day clinic")
    assert audit_details(consent)["informed_place"] == "Day clinic"


def test_the_capture_screen_records_a_colleague_as_witness_and_the_pages_and_api_show_both(
    client, officer, nurse, template, donor, biobank_a
):
    client.force_login(officer)
    start = {"pid": donor.pid, "template": template.pk, "language": "en"}
    form = client.get(f"{BASE}/record/", start).content.decode()
    response = client.post(
        f"{BASE}/record/",
        {
            **start,
            "module_data": "accepted",
            "signer_name": "Erika M",
            "informed_by": nurse.pk,
            "informed_place": "Ward 3",
            "witness": nurse.pk,
            "countersigned": "on",
        },
    )
    consent = Consent.objects.get()
    page = client.get(f"{BASE}/consents/{consent.pk}/").content.decode()
    api = bearer(make_token(biobank_a, "view_biobank", "view_donors")).get(f"/api/v1/consents/{consent.pk}/").json()

    assert f'<option value="{officer.pk}" selected>' in form  # the signed-in officer by default
    assert response.status_code == 302 and consent.countersigned_by == nurse and consent.recorded_by == officer
    assert "nurse@example.org" in page and "Ward 3" in page
    assert (api["witnessed_by"], api["informed_by"], api["informed_place"]) == (
        "nurse@example.org",
        "nurse@example.org",
        "Ward 3",
    )


def test_the_scan_page_names_a_missing_informing_person_and_writes_nothing(client, officer, template, donor):
    client.force_login(officer)

    response = client.post(
        f"{BASE}/scans/new/",
        {
            "pid": donor.pid,
            "template": template.pk,
            "language": "en",
            "signed_on": timezone.localdate().isoformat(),
            "accepted": "data",
            "informed_by": "",
            "informed_place": "Ward 3",
            "scan": ContentFile(b"%PDF-1.4 scanned form", name="form.pdf"),
        },
    )

    assert "Choose who informed the donor." in response.content.decode()
    assert not Consent.objects.exists()


# --- a minor cannot sign alone ----------------------------------------------------------------------------------------


def test_a_ten_year_old_cannot_sign_alone_and_nothing_is_written(biobank_a, officer, template):
    child = registered(biobank_a, officer, years_ago(10))

    with pytest.raises(DomainError) as error:
        record(officer, child, template)

    assert error.value.field == "representative_name" and "cannot sign alone" in error.value.message
    assert not Consent.objects.exists()


def test_a_parent_signs_for_a_child_with_name_relation_and_legal_basis(biobank_a, officer, template):
    child = registered(biobank_a, officer, years_ago(10))

    consent = record(officer, child, template, **PARENT)

    assert consent.representative_legal_basis == "parent"
    assert audit_details(consent)["representative_legal_basis"] == "parent"


def test_a_representative_without_a_legal_basis_or_a_basis_without_a_representative_is_refused(
    biobank_a, officer, template, donor
):
    child = registered(biobank_a, officer, years_ago(10))

    with pytest.raises(DomainError) as no_basis:
        record(officer, child, template, **{**PARENT, "representative_legal_basis": ""})
    with pytest.raises(DomainError, match="no representative"):
        record(officer, donor, template, representative_legal_basis="parent")
    with pytest.raises(DomainError, match="is not one of"):
        record(officer, child, template, **{**PARENT, "representative_legal_basis": "neighbour"})

    assert no_basis.value.field == "representative_legal_basis"
    assert not Consent.objects.exists()


def test_the_eighteenth_birthday_decides(biobank_a, officer, template):
    adult_today = registered(biobank_a, officer, years_ago(18))
    other = {"given_names": "Paul", "family_name": "Klein", "hospital_id": "MRN-2", "national_id": "", "email": ""}
    adult_tomorrow = services.donor_register(
        actor=officer, biobank=biobank_a, **{**JANE, **other, "date_of_birth": years_ago(18, days=1)}
    ).donor

    assert record(officer, adult_today, template).representative_relation == ""
    with pytest.raises(DomainError, match="cannot sign alone"):
        record(officer, adult_tomorrow, template)


def test_a_minor_on_the_date_a_paper_form_was_signed_needs_a_representative_too(biobank_a, officer, template):
    child = registered(biobank_a, officer, years_ago(16))

    with pytest.raises(DomainError, match="cannot sign alone"):
        scan(officer, child, template)
    consent = scan(officer, child, template, **PARENT)

    assert consent.representative_legal_basis == "parent"


def test_the_vault_date_decides_and_the_birth_month_alone_only_when_certain(biobank_a, officer):
    in_vault = registered(biobank_a, officer, date(2008, 12, 15))
    month_only = Donor.objects.create(biobank=biobank_a, pid="NOVAULT0001", birth_year=2008, birth_month=12)
    year_only_minor = Donor.objects.create(biobank=biobank_a, pid="NOVAULT0002", birth_year=2009)
    unknown = Donor.objects.create(biobank=biobank_a, pid="NOVAULT0003")

    on = date(2026, 12, 1)
    assert (in_vault.birth_year, in_vault.birth_month) == (2008, 12)
    assert donor_is_minor(in_vault, on=on) is True  # 17 until 15 December
    assert donor_is_minor(month_only, on=on) is False  # could have turned 18 today: undecidable, not a minor
    assert donor_is_minor(month_only, on=date(2026, 11, 30)) is True  # certainly under 18
    assert donor_is_minor(year_only_minor, on=on) is True  # at most 17 all of 2026
    assert donor_is_minor(unknown, on=on) is False


def test_the_age_of_majority_is_a_setting(biobank_a, officer, template, settings):
    settings.CONSENT_AGE_OF_MAJORITY = 21
    young_adult = registered(biobank_a, officer, years_ago(19))

    with pytest.raises(DomainError, match="under 21"):
        record(officer, young_adult, template)


def test_the_capture_screen_asks_for_the_representative_of_a_minor(client, biobank_a, officer, template):
    child = registered(biobank_a, officer, years_ago(10))
    client.force_login(officer)
    post = {
        "pid": child.pid,
        "template": template.pk,
        "language": "en",
        "module_data": "accepted",
        "signer_name": "Max Mustermann",
        "informed_by": officer.pk,
        "informed_place": "Paediatric ward",
        "witness": officer.pk,
        "countersigned": "on",
    }

    refused = client.post(f"{BASE}/record/", post).content.decode()
    signed = client.post(f"{BASE}/record/", {**post, **PARENT})

    start = refused.find('id="id_representative_name_error"')
    assert start != -1 and "cannot sign alone" in refused[start : refused.find("</ul>", start)]
    assert years_ago(10).isoformat() not in refused
    assert signed.status_code == 302 and Consent.objects.get().representative_legal_basis == "parent"
