"""Catalogue rules a consent officer meets: DS policies name their disease, nothing is pre-ticked "accepted", and
policies and forms carry the codes a FHIR Consent needs (the demo catalogue with the right MII policy codes)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from biobank.accounts.choices import Role
from biobank.errors import DomainError
from consent import services
from consent.demo_consent import seed_demo_consent
from consent.diseases import disease_normalise
from consent.forms.consents import SignForm
from consent.models import Module, Policy, Template
from tests.accounts.factories import bearer, make_member, make_token
from tests.consent.factories import make_catalogue, texts

pytestmark = pytest.mark.django_db

BASE = "/consent/biobank-a"
MII = "2.16.840.1.113883.3.1937.777.24.5.3"


@pytest.fixture
def officer(biobank_a):
    return make_member(biobank_a, Role.CONSENT_OFFICER, email="officer@example.org")


@pytest.fixture
def signed_in(client, officer):
    client.force_login(officer)
    return client


def new_policy(biobank, actor, **changes):
    fields = {"code": "mdat-use-ds", "name": "Use data for diabetes research", "action": "use"}
    return services.policy_create(actor=actor, biobank=biobank, data_class="medical_data", **{**fields, **changes})


def field_error(html: str, field: str, message: str) -> bool:
    start = html.find(f'id="id_{field}_error"')
    return start != -1 and message in html[start : html.find("</ul>", start)]


# --- DS policies name their disease (ICD-10 or ORPHA) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("E11", "E11"),
        ("E11.9", "E11.9"),
        (" e119 ", "E11.9"),
        ("ICD-10:E11.9", "E11.9"),
        ("icd-10: E11.90", "E11.90"),
        ("ORPHA:558", "ORPHA:558"),
        ("orphanet:558", "ORPHA:558"),
    ],
)
def test_a_disease_code_is_stored_in_one_form(typed, stored):
    assert disease_normalise(typed, field="disease") == stored


@pytest.mark.parametrize("typed", ["MONDO:0005148", "diabetes", "E1", "E11.", "ORPHA:", "ORPHA:x1", "11.9"])
def test_anything_but_icd10_or_orpha_is_refused_naming_the_field(typed):
    with pytest.raises(DomainError) as error:
        disease_normalise(typed, field="disease")

    assert error.value.field == "disease" and "ICD-10" in error.value.message and "ORPHA:558" in error.value.message


def test_a_ds_policy_without_a_disease_is_refused_and_nothing_is_written(biobank_a, officer):
    with pytest.raises(DomainError) as error:
        new_policy(biobank_a, officer, duo_terms=["DS"])

    assert error.value.field == "duo_disease" and "must name the disease" in error.value.message
    assert not Policy.objects.exists()


def test_a_ds_policy_stores_its_disease_normalised(biobank_a, officer):
    policy = new_policy(biobank_a, officer, duo_terms=["DS"], duo_disease="icd-10:e119")

    assert policy.duo_disease == "E11.9"


def test_a_ds_policy_with_a_mondo_disease_or_a_disease_without_ds_is_refused(biobank_a, officer):
    with pytest.raises(DomainError, match="not a disease code"):
        new_policy(biobank_a, officer, duo_terms=["DS"], duo_disease="MONDO:0005148")
    with pytest.raises(DomainError, match="only restricts a policy with the DUO term DS"):
        new_policy(biobank_a, officer, duo_terms=["HMB"], duo_disease="E11.9")
    assert not Policy.objects.exists()


def test_the_policy_page_names_the_missing_disease_next_to_its_field(signed_in):
    post = {
        "code": "mdat-use-ds",
        "version": "1",
        "name": "Use data for diabetes research",
        "duo_terms": "DS",
        "action": "use",
        "data_class": "medical_data",
        "purpose": "research",
    }

    missing = signed_in.post(f"{BASE}/policies/new/", post).content.decode()
    created = signed_in.post(f"{BASE}/policies/new/", {**post, "duo_disease": "ORPHA:558"})

    assert field_error(missing, "duo_disease", "must name the disease")
    assert created.status_code == 302 and Policy.objects.get().duo_disease == "ORPHA:558"
    assert "MONDO" not in signed_in.get(f"{BASE}/policies/new/").content.decode()


# --- nothing pre-ticked "accepted" (GDPR Recital 32, CJEU C-673/17 Planet49) --------------------------------------


def test_an_optional_module_with_accept_pre_selected_is_refused_and_nothing_is_written(biobank_a, officer):
    policy = new_policy(biobank_a, officer)

    with pytest.raises(DomainError) as error:
        services.module_create(
            actor=officer,
            biobank=biobank_a,
            code="research",
            texts=texts("Research", "Your data."),
            policies=[policy],
            default_state="accepted",
        )

    assert error.value.field == "default_state" and "Planet49" in error.value.message
    assert not Module.objects.exists()


def test_a_mandatory_module_is_always_asked_with_nothing_pre_selected(biobank_a, officer):
    policy = new_policy(biobank_a, officer)

    with pytest.raises(DomainError, match="mandatory: the donor is always asked"):
        services.module_create(
            actor=officer,
            biobank=biobank_a,
            code="data",
            texts=texts("Data", "Your data."),
            policies=[policy],
            mandatory=True,
            default_state="declined",
        )
    assert not Module.objects.exists()


def test_the_module_page_does_not_offer_accept_pre_selected_and_refuses_it(signed_in, biobank_a, officer):
    policy = new_policy(biobank_a, officer)
    post = {
        "code": "research",
        "title_en": "Research",
        "text_en": "Your data may be used.",
        "policies": [policy.pk],
        "default_state": "accepted",
    }

    form = signed_in.get(f"{BASE}/modules/new/").content.decode()
    refused = signed_in.post(f"{BASE}/modules/new/", post).content.decode()

    assert 'value="declined"' in form and 'value="accepted"' not in form
    assert field_error(refused, "default_state", "not one of the available choices")
    assert not Module.objects.exists()


def test_the_database_refuses_a_pre_ticked_module_too(biobank_a, officer):
    policy = new_policy(biobank_a, officer)
    module = services.module_create(
        actor=officer, biobank=biobank_a, code="research", texts=texts("Research", "Data."), policies=[policy]
    )

    with pytest.raises(IntegrityError, match="module_never_pre_accepted"), transaction.atomic():
        Module.objects.filter(pk=module.pk).update(default_state="accepted")


def test_the_capture_screen_never_pre_selects_accept_even_for_an_old_module_version(biobank_a, officer):
    template = make_catalogue(biobank_a, actor=officer)
    modules = list(template.modules.order_by("code"))
    old = Module(code="legacy", texts=texts("Legacy", "Signed before the rule."), default_state="accepted")
    declined = Module(code="opt-out", texts=texts("Opt out", "Decline pre-selected."), default_state="declined")

    form = SignForm(modules=[*modules, old, declined], language="en", staff=None, user=officer)

    initial = {name: field.initial for name, field in form.fields.items() if name.startswith("module_")}
    assert initial["module_legacy"] is None and initial["module_data"] is None
    assert initial["module_opt-out"] == "declined"


def test_a_new_version_of_a_form_does_not_carry_a_pre_ticked_accept_over(biobank_a, officer):
    template = make_catalogue(biobank_a, actor=officer)
    recontact = template.modules.get(code="recontact")
    # A module version from before the rule (the constraint is NOT VALID for such rows; emulate one by bypassing it)
    with transaction.atomic():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # fire pending FK checks before ALTER TABLE
            cursor.execute("ALTER TABLE consent_module DROP CONSTRAINT module_never_pre_accepted")
            cursor.execute("UPDATE consent_module SET default_state = 'accepted' WHERE id = %s", [recontact.pk])
            cursor.execute(
                "ALTER TABLE consent_module ADD CONSTRAINT module_never_pre_accepted CHECK (NOT (default_state = "
                "'accepted') AND (NOT mandatory OR default_state = 'none')) NOT VALID"
            )

    new = services.template_new_version(actor=officer, previous=template, version_label="v2")

    assert new.modules.get(code="recontact").default_state == "none"


# --- FHIR-ready: codings of policies, policy URIs of forms --------------------------------------------------------


def test_a_policy_carries_its_coding_and_a_form_its_policy_uri(biobank_a, officer):
    policy = new_policy(biobank_a, officer, coding_system=f"urn:oid:{MII}", coding_code=f"{MII}.8")
    module = services.module_create(
        actor=officer, biobank=biobank_a, code="data", texts=texts("Data", "Your data."), policies=[policy]
    )
    template = services.template_create(
        actor=officer,
        biobank=biobank_a,
        code="broad",
        version_label="v1",
        texts={"en": {"title": "Consent", "text": "I agree."}},
        modules=[module],
        policy_uri="urn:oid:2.16.840.1.113883.3.1937.777.24.2.1790",
    )

    assert (policy.coding_system, policy.coding_code) == (f"urn:oid:{MII}", f"{MII}.8")
    assert template.policy_uri == "urn:oid:2.16.840.1.113883.3.1937.777.24.2.1790"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"coding_system": "2.16.840.1.113883", "coding_code": "8"}, "coding_system", "needs a scheme"),
        ({"coding_system": "urn:oid:2.16.x", "coding_code": "8"}, "coding_system", "not a valid urn:oid"),
        ({"coding_system": "urn:oid:2.16.01", "coding_code": "8"}, "coding_system", "not a valid urn:oid"),
        ({"coding_system": f"urn:oid:{MII}", "coding_code": ""}, "coding_code", "both the code system"),
        ({"coding_system": "", "coding_code": f"{MII}.8"}, "coding_system", "both the code system"),
        ({"coding_system": f"urn:oid:{MII}", "coding_code": "2..16.8"}, "coding_code", "not a valid one"),
        ({"coding_system": f"urn:oid:{MII}", "coding_code": "MDAT nutzen"}, "coding_code", "blanks"),
    ],
)
def test_a_malformed_coding_is_refused_naming_the_field_and_nothing_is_written(
    biobank_a, officer, changes, field, message
):
    with pytest.raises(DomainError) as error:
        new_policy(biobank_a, officer, **changes)

    assert error.value.field == field and message in error.value.message
    assert not Policy.objects.exists()


def test_a_form_with_a_malformed_policy_uri_is_refused(biobank_a, officer):
    policy = new_policy(biobank_a, officer)
    module = services.module_create(
        actor=officer, biobank=biobank_a, code="data", texts=texts("Data", "Your data."), policies=[policy]
    )

    with pytest.raises(DomainError) as error:
        services.template_create(
            actor=officer,
            biobank=biobank_a,
            code="broad",
            version_label="v1",
            texts={"en": {"title": "Consent", "text": "I agree."}},
            modules=[module],
            policy_uri="2.16.840.1.113883.3.1937.777.24.2.1790",
        )

    assert error.value.field == "policy_uri"
    assert not Template.objects.exists()


# The MII consent policy code system (MII Kerndatensatz Modul Consent, ValueSet mii-vs-consent-policy).
DEMO_CODES = {
    "mdat-collect": "6",  # MDAT erheben
    "mdat-store": "7",  # MDAT speichern, verarbeiten
    "mdat-use": "8",  # MDAT wissenschaftlich nutzen EU DSGVO NIVEAU
    "mdat-link-third": "9",  # MDAT zusammenführen Dritte
    "kkdat-collect": "15",  # KKDAT 5 Jahre prospektiv übertragen
    "kkdat-use": "17",  # KKDAT 5 Jahre prospektiv wissenschaftlich nutzen
    "biomat-collect": "19",  # BIOMAT erheben
    "biomat-store": "20",  # BIOMAT lagern, verarbeiten
    "biomat-use": "22",  # BIOMAT wissenschaftlich nutzen EU DSGVO NIVEAU
    "biomat-transfer": "55",  # BIOMAT bereitstellen ohne EU DSGVO NIVEAU
    "recontact": "29",  # Rekontaktierung weitere Studien
}
MII_MODULE_CODES = {"10", "14", "18", "24", "26", "30"}  # codes of MII modules, never of a single policy


def test_the_demo_catalogue_carries_the_mii_policy_codes_and_the_form_oid(biobank_a, officer):
    template = seed_demo_consent(biobank=biobank_a, actor=officer)

    codings = {p.code: (p.coding_system, p.coding_code) for p in Policy.objects.filter(biobank=biobank_a)}
    assert codings == {code: (f"urn:oid:{MII}", f"{MII}.{n}") for code, n in DEMO_CODES.items()}
    assert not {c.rsplit(".", 1)[1] for _, c in codings.values()} & MII_MODULE_CODES
    assert template.policy_uri == "urn:oid:2.16.840.1.113883.3.1937.777.24.2.1790"


def test_the_codes_are_shown_on_the_policy_and_template_pages_and_in_the_api(signed_in, biobank_a, officer):
    template = seed_demo_consent(biobank=biobank_a, actor=officer)
    client = bearer(make_token(biobank_a, "view_biobank", "view_donors"))

    policies = signed_in.get(f"{BASE}/policies/").content.decode()
    detail = signed_in.get(f"{BASE}/templates/{template.pk}/").content.decode()
    api = client.get(f"/api/v1/consent-templates/{template.pk}/").json()

    assert f"{MII}.55" in policies and f"urn:oid:{MII}" in policies
    assert "urn:oid:2.16.840.1.113883.3.1937.777.24.2.1790" in detail and f"{MII}.22" in detail
    assert api["policy_uri"] == "urn:oid:2.16.840.1.113883.3.1937.777.24.2.1790"
    policy = next(p for m in api["modules"] for p in m["policies"] if p["code"] == "recontact")
    assert (policy["coding_system"], policy["coding_code"]) == (f"urn:oid:{MII}", f"{MII}.29")


def test_a_signed_policys_coding_and_a_signed_forms_policy_uri_cannot_be_changed_in_the_database(biobank_a, officer):
    from tests.consent.factories import make_donor, record

    template = seed_demo_consent(biobank=biobank_a, actor=officer)
    record(
        officer,
        make_donor(biobank_a),
        template,
        choices={"patientdata": "accepted"},
    )
    policy = Policy.objects.get(biobank=biobank_a, code="mdat-use")

    with pytest.raises(IntegrityError, match="coding is immutable"), transaction.atomic():
        Policy.objects.filter(pk=policy.pk).update(coding_code=f"{MII}.9")
    with pytest.raises(IntegrityError, match="policy URI is immutable"), transaction.atomic():
        Template.objects.filter(pk=template.pk).update(policy_uri="urn:oid:1.2.3")


def test_a_demo_catalogue_seeded_before_the_codings_gets_the_corrected_mii_codes_from_the_migration(biobank_a, officer):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("consent.migrations.0005_capture_fhir")
    seed_demo_consent(biobank=biobank_a, actor=officer)
    # As seeded before: no codings, no policy URI, and the old (partly wrong) numbers only in the description.
    old_numbers = {"kkdat-collect": "10", "kkdat-use": "12", "biomat-transfer": "24", "recontact": "26"}
    for code, number in old_numbers.items():
        Policy.objects.filter(code=code).update(description=f"MII policy urn:oid:{MII}.{number}")
    Policy.objects.update(coding_system="", coding_code="")
    Template.objects.update(policy_uri="")

    migration.demo_codings(apps, None)

    codings = {p.code: p.coding_code for p in Policy.objects.filter(biobank=biobank_a)}
    assert codings == {code: f"{MII}.{n}" for code, n in DEMO_CODES.items()}
    assert Template.objects.get(version_label="v1.6").policy_uri.endswith(".24.2.1790")
    assert Template.objects.get(version_label="v1.7").policy_uri == ""


def test_a_new_version_gets_its_own_policy_uri_on_the_page_and_a_malformed_one_is_named(signed_in, biobank_a, officer):
    template = make_catalogue(biobank_a, actor=officer)
    url = f"{BASE}/templates/{template.pk}/new-version/"
    post = {"version_label": "v2", "title_en": "Broad consent", "text_en": "I agree, version 2."}

    refused = signed_in.post(url, {**post, "policy_uri": "no scheme"}).content.decode()
    created = signed_in.post(url, {**post, "policy_uri": "urn:oid:1.2.276.0.76.3.1.2"})

    assert field_error(refused, "policy_uri", "is not a URI")
    assert created.status_code == 302
    assert Template.objects.get(version_label="v2").policy_uri == "urn:oid:1.2.276.0.76.3.1.2"
