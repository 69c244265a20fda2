"""Catalogue pages: policies and modules (list, new), a new template from scratch; per role, bad input, end to end."""

from __future__ import annotations

import pytest

from biobank.accounts.choices import Role
from biobank.audit.models import AuditOutbox
from consent import services
from consent.choices import TemplateStatus
from consent.models import Consent, Module, Policy, Template
from tests.accounts.factories import make_member
from tests.consent.factories import make_donor, texts

pytestmark = pytest.mark.django_db

BASE = "/consent/biobank-a"
PAGES = [
    f"{BASE}/policies/",
    f"{BASE}/policies/new/",
    f"{BASE}/modules/",
    f"{BASE}/modules/new/",
    f"{BASE}/templates/new/",
]
FORMS = [f"{BASE}/policies/new/", f"{BASE}/modules/new/", f"{BASE}/templates/new/"]


@pytest.fixture
def officer(biobank_a):
    return make_member(biobank_a, Role.CONSENT_OFFICER, email="officer@example.org")


@pytest.fixture
def signed_in(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def policy(biobank_a, officer):
    return services.policy_create(
        actor=officer,
        biobank=biobank_a,
        code="mdat-store",
        name="Store data",
        action="store",
        data_class="medical_data",
    )


@pytest.fixture
def module(biobank_a, officer, policy):
    return services.module_create(
        actor=officer, biobank=biobank_a, code="data", texts=texts("Patient data", "Your data."), policies=[policy]
    )


def policy_post(**overrides: str) -> dict:
    return {
        "code": "biomat-use",
        "version": "1",
        "name": "Use biomaterial",
        "description": "Samples may be used for medical research.",
        "duo_terms": "HMB, PUB",
        "action": "use",
        "data_class": "biomaterial",
        "purpose": "research",
        "validity": "P5Y",
        **overrides,
    }


def module_post(policies: list[Policy], **overrides: object) -> dict:
    return {
        "code": "biomaterial",
        "title_en": "Biomaterial",
        "text_en": "Your samples may be stored and used.",
        "title_de": "Biomaterial",
        "text_de": "Ihre Proben dürfen gelagert und genutzt werden.",
        "policies": [p.pk for p in policies],
        "default_state": "none",
        "validity": "",
        **overrides,
    }


def template_post(modules: list[Module], **overrides: object) -> dict:
    return {
        "code": "biobank-consent",
        "type": "consent",
        "version_label": "v1",
        "title_en": "Biobank consent",
        "text_en": "I agree that my samples are kept in the biobank.",
        "modules": [m.pk for m in modules],
        "consent_validity": "P10Y",
        **overrides,
    }


def field_error(html: str, field: str, message: str) -> bool:
    """The message is shown in the error list rendered next to ``field`` (includes/field.html)."""
    start = html.find(f'id="id_{field}_error"')
    return start != -1 and message in html[start : html.find("</ul>", start)]


@pytest.mark.parametrize("url", PAGES)
def test_a_consent_officer_opens_every_catalogue_page(signed_in, module, url):
    response = signed_in.get(url)

    assert response.status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_a_technician_gets_a_403_and_a_member_of_another_biobank_a_404(client, technician_a, outsider, url):
    client.force_login(technician_a)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", FORMS)
def test_a_technician_or_outsider_posting_a_form_writes_nothing(client, technician_a, outsider, module, url):
    data = {**policy_post(), **module_post([Policy.objects.get()], code="x"), **template_post([module], code="x")}
    before = (Policy.objects.count(), Module.objects.count(), Template.objects.count())

    client.force_login(technician_a)
    assert client.post(url, data).status_code == 403
    client.force_login(outsider)
    assert client.post(url, data).status_code == 404

    assert (Policy.objects.count(), Module.objects.count(), Template.objects.count()) == before


def test_the_template_list_links_to_the_catalogue_pages(signed_in):
    html = signed_in.get(f"{BASE}/templates/").content.decode()

    for url in (f"{BASE}/policies/", f"{BASE}/modules/", f"{BASE}/templates/new/"):
        assert f'href="{url}"' in html


def test_the_officer_creates_a_policy_with_duo_shorthands_stored_as_ids_and_audited(signed_in, biobank_a):
    response = signed_in.post(f"{BASE}/policies/new/", policy_post())

    assert response.status_code == 302 and response["Location"] == f"{BASE}/policies/"
    policy = Policy.objects.get(code="biomat-use")
    assert policy.biobank == biobank_a and policy.duo_terms == ["DUO:0000006", "DUO:0000019"]
    assert policy.validity == "P5Y" and policy.data_class == "biomaterial"
    assert AuditOutbox.objects.filter(action="consent_policy.create", object_id=str(policy.pk)).exists()
    listing = signed_in.get(f"{BASE}/policies/").content.decode()
    assert "biomat-use" in listing and ">HMB</abbr>" in listing and ">PUB</abbr>" in listing


def test_a_policy_with_an_existing_code_and_version_is_refused_and_nothing_is_written(signed_in, policy):
    response = signed_in.post(f"{BASE}/policies/new/", policy_post(code="mdat-store"))

    assert response.status_code == 200
    assert field_error(response.content.decode(), "code", "Policy mdat-store version 1 exists already.")
    assert Policy.objects.count() == 1
    assert not AuditOutbox.objects.filter(action="consent_policy.create").exclude(object_id=str(policy.pk)).exists()


def test_an_unknown_duo_term_is_named_next_to_the_field_and_nothing_is_written(signed_in):
    response = signed_in.post(f"{BASE}/policies/new/", policy_post(duo_terms="HMB, XYZ"))

    html = response.content.decode()
    assert response.status_code == 200
    assert field_error(html, "duo_terms", "&#x27;XYZ&#x27; is not a known DUO term; known terms:")
    assert "DUO:0000042 (GRU)" in html
    assert not Policy.objects.exists()


def test_a_policy_with_two_duo_permission_terms_or_a_bad_validity_is_refused(signed_in):
    two = signed_in.post(f"{BASE}/policies/new/", policy_post(duo_terms="GRU HMB"))
    bad = signed_in.post(f"{BASE}/policies/new/", policy_post(validity="five years"))

    assert field_error(two.content.decode(), "duo_terms", "at most one DUO permission term")
    assert field_error(bad.content.decode(), "validity", "is not a validity: give an ISO-8601 period")
    assert not Policy.objects.exists()


def test_the_officer_creates_a_nested_module_with_its_wording_per_language(signed_in, module, policy):
    data = module_post([policy], code="recontact", parent=module.pk, mandatory="on", validity="P2Y")

    response = signed_in.post(f"{BASE}/modules/new/", data)

    assert response.status_code == 302 and response["Location"] == f"{BASE}/modules/"
    created = Module.objects.get(code="recontact")
    assert created.parent == module and created.mandatory and created.validity == "P2Y"
    assert list(created.policies.all()) == [policy]
    assert created.texts["de"] == {"title": "Biomaterial", "text": "Ihre Proben dürfen gelagert und genutzt werden."}
    assert AuditOutbox.objects.filter(action="consent_module.create", object_id=str(created.pk)).exists()
    listing = signed_in.get(f"{BASE}/modules/").content.decode()
    assert "recontact" in listing and "Biomaterial" in listing


def test_a_module_without_a_policy_is_refused_and_nothing_is_written(signed_in, policy):
    response = signed_in.post(f"{BASE}/modules/new/", module_post([]))

    assert response.status_code == 200
    assert field_error(response.content.decode(), "policies", "Choose at least one policy")
    assert not Module.objects.exists()


def test_a_module_with_an_existing_code_or_a_title_without_its_text_is_refused(signed_in, module, policy):
    duplicate = signed_in.post(f"{BASE}/modules/new/", module_post([policy], code="data"))
    half = signed_in.post(f"{BASE}/modules/new/", module_post([policy], text_de=""))
    none = signed_in.post(
        f"{BASE}/modules/new/", module_post([policy], title_en="", text_en="", title_de="", text_de="")
    )

    assert field_error(duplicate.content.decode(), "code", "Module data version 1 exists already.")
    assert field_error(half.content.decode(), "text_de", "Give the text in German too")
    assert field_error(none.content.decode(), "title_en", "needs its wording in at least one language")
    assert Module.objects.count() == 1


def test_a_foreign_biobanks_policy_cannot_be_put_in_a_module(signed_in, biobank_b):
    foreign = services.policy_create(
        actor=None, biobank=biobank_b, code="foreign", name="Foreign", action="use", data_class="biomaterial"
    )

    response = signed_in.post(f"{BASE}/modules/new/", module_post([foreign]))

    assert field_error(response.content.decode(), "policies", "Select a valid choice.")
    assert "foreign" not in signed_in.get(f"{BASE}/modules/new/").content.decode()
    assert not Module.objects.exists()


def test_the_officer_creates_a_template_with_its_parent_modules_first(signed_in, biobank_a, officer, module, policy):
    child = services.module_create(
        actor=officer,
        biobank=biobank_a,
        code="a-child",
        texts=texts("Child", "More."),
        policies=[policy],
        parent=module,
    )

    response = signed_in.post(f"{BASE}/templates/new/", template_post([child, module], type="refusal"))

    template = Template.objects.get(code="biobank-consent")
    assert response.status_code == 302 and response["Location"] == f"{BASE}/templates/{template.pk}/"
    assert template.status == TemplateStatus.DRAFT and template.type == "refusal" and template.number == 1
    assert [link.module.code for link in template.template_modules.order_by("position")] == ["data", "a-child"]
    assert template.texts.get(language="en").title == "Biobank consent"
    assert AuditOutbox.objects.filter(action="consent_template.create", object_id=str(template.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"code": "broad"}, "code", "Template broad exists already; derive a new version"),
        ({"code": "empty", "modules": None}, "modules", "Choose at least one module"),
        ({"consent_validity": "10 years"}, "consent_validity", "is not a validity"),
        ({"valid_from": "2030-01-02", "valid_to": "2030-01-01"}, "valid_to", "lies before"),
        ({"title_en": "", "text_en": ""}, "title_en", "needs its wording in at least one language"),
    ],
)
def test_bad_template_input_is_named_next_to_its_field_and_nothing_is_written(
    signed_in, biobank_a, officer, module, overrides, field, message
):
    services.template_create(
        actor=officer, biobank=biobank_a, code="broad", version_label="v1", texts=texts("B", "C."), modules=[module]
    )
    before = (Template.objects.count(), AuditOutbox.objects.filter(action="consent_template.create").count())
    data = {key: value for key, value in {**template_post([module]), **overrides}.items() if value is not None}

    response = signed_in.post(f"{BASE}/templates/new/", data)

    assert response.status_code == 200
    assert field_error(response.content.decode(), field, message)
    assert (Template.objects.count(), AuditOutbox.objects.filter(action="consent_template.create").count()) == before


def test_a_template_with_a_nested_module_but_not_its_parent_is_refused(signed_in, biobank_a, officer, module, policy):
    child = services.module_create(
        actor=officer, biobank=biobank_a, code="child", texts=texts("Child", "More."), policies=[policy], parent=module
    )

    response = signed_in.post(f"{BASE}/templates/new/", template_post([child]))

    assert field_error(response.content.decode(), "modules", "is nested in a module the template does not contain")
    assert not Template.objects.exists()


def test_a_catalogue_built_in_the_browser_is_activated_and_signed_on_the_capture_screen(signed_in, biobank_a, officer):
    signed_in.post(f"{BASE}/policies/new/", policy_post(code="mdat-store", duo_terms="HMB", data_class="medical_data"))
    signed_in.post(f"{BASE}/policies/new/", policy_post(code="recontact", duo_terms="", action="contact"))
    data_policy, recontact_policy = Policy.objects.get(code="mdat-store"), Policy.objects.get(code="recontact")
    signed_in.post(f"{BASE}/modules/new/", module_post([data_policy], code="data", mandatory="on"))
    signed_in.post(f"{BASE}/modules/new/", module_post([recontact_policy], code="recontact"))
    signed_in.post(f"{BASE}/templates/new/", template_post(list(Module.objects.all())))
    template = Template.objects.get()

    activated = signed_in.post(f"{BASE}/templates/{template.pk}/activate/")
    donor = make_donor(biobank_a)
    start = {"pid": donor.pid, "template": template.pk, "language": "en"}
    page = signed_in.get(f"{BASE}/record/", start).content.decode()
    signed = signed_in.post(
        f"{BASE}/record/",
        {
            **start,
            "module_data": "accepted",
            "module_recontact": "declined",
            "signer_name": "E M",
            "informed_by": officer.pk,
            "informed_place": "Ward 3",
            "witness": officer.pk,
            "countersigned": "on",
        },
    )

    template.refresh_from_db()
    assert activated.status_code == 302 and template.status == TemplateStatus.ACTIVE
    assert "I agree that my samples are kept in the biobank." in page
    consent = Consent.objects.get()
    assert signed.status_code == 302 and consent.template == template and template.is_signed
    assert {c.module.code: c.choice for c in consent.choices.all()} == {"data": "accepted", "recontact": "declined"}
