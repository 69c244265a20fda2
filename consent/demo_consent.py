"""Demo consent catalogue for one biobank, modelled on the MII broad consent (Medizininformatik-Initiative, v1.6).

Policies follow the MII policy codes (urn:oid:2.16.840.1.113883.3.1937.777.24.5.3.*: MDAT erheben/speichern/
wissenschaftlich nutzen, BIOMAT ..., KKDAT ..., Rekontaktierung) with DUO mappings; validities as in the MII
examples (data use 5 years, storage 30 years). ``seed_demo_consent`` is idempotent per biobank.
"""

from __future__ import annotations

from typing import Any

from biobank.accounts.models import Biobank
from biobank.accounts.principals import Actor

from . import services
from .models import Template

MII_OID = "urn:oid:2.16.840.1.113883.3.1937.777.24.5.3"
# The MII code system of consent policies: urn:oid:2.16.840.1.113883.3.1937.777.24.5.3, codes "<that OID>.<n>"
# (MII Kerndatensatz Modul Consent, ValueSet mii-vs-consent-policy, OID 2.16.840.1.113883.3.1937.777.24.11.36:
# https://www.medizininformatik-initiative.de/fhir/modul-consent/ValueSet/mii-vs-consent-policy, on Simplifier in
# the project "medizininformatikinitiative-modulconsent"). Four numbers used to be wrong here: 10, 24 and 26 are the
# codes of *modules* (KKDAT retrospective, BIOMAT Zusatzentnahme, Rekontaktierung Ergänzungen), 12 is the
# *retrospective* storage of insurance data. The policies that say what these demo modules say:
#   .15 KKDAT 5 Jahre prospektiv übertragen     — the insurer transmits data for five years (collect)
#   .17 KKDAT 5 Jahre prospektiv wissenschaftlich nutzen — research use of those data (use; inactive in later
#       MII releases, which fold it into .15, but the code of the 1.6 form this demo follows)
#   .55 BIOMAT bereitstellen ohne EU DSGVO NIVEAU — providing samples to researchers elsewhere (transfer); passing
#       them on inside the GDPR area is part of .22
#   .29 Rekontaktierung weitere Studien          — contacting the donor again about further studies
MII_FORM_OID = "urn:oid:2.16.840.1.113883.3.1937.777.24.2.1790"  # MII Patienteneinwilligung 1.6d (Consent.policy.uri)
POLICIES = [
    # code, MII policy, name, action, class, DUO terms, validity
    ("mdat-collect", "6", "Collect patient data", "collect", "medical_data", [], "P5Y"),
    ("mdat-store", "7", "Store and process patient data", "store", "medical_data", [], "P30Y"),
    ("mdat-use", "8", "Use patient data for medical research", "use", "medical_data", ["HMB"], "P30Y"),
    (
        "mdat-link-third",
        "9",
        "Link patient data with data of third parties",
        "link",
        "medical_data",
        ["HMB", "IRB"],
        "",
    ),
    ("kkdat-collect", "15", "Collect health-insurance data", "collect", "insurance_data", [], "P5Y"),
    ("kkdat-use", "17", "Use health-insurance data for research", "use", "insurance_data", ["HMB"], "P30Y"),
    ("biomat-collect", "19", "Collect biomaterial", "collect", "biomaterial", [], "P5Y"),
    ("biomat-store", "20", "Store and process biomaterial", "store", "biomaterial", [], "P30Y"),
    ("biomat-use", "22", "Use biomaterial for research", "use", "biomaterial", ["GRU"], "P30Y"),
    (
        "biomat-transfer",
        "55",
        "Transfer biomaterial to researchers elsewhere",
        "transfer",
        "biomaterial",
        ["GRU", "PUB"],
        "",
    ),
    ("recontact", "29", "Contact the donor again", "contact", "contact", [], "P5Y"),
]
MODULES = [
    # code, parent, mandatory, policies, en title, en text, de title, de text
    (
        "patientdata",
        None,
        True,
        ["mdat-collect", "mdat-store", "mdat-use", "mdat-link-third"],
        "Patient data",
        "Your treatment data are collected, stored and used for medical research.",
        "Patientendaten",
        "Ihre Behandlungsdaten werden erhoben, gespeichert und für die medizinische Forschung genutzt.",
    ),
    (
        "insurance",
        None,
        False,
        ["kkdat-collect", "kkdat-use"],
        "Health-insurance data",
        "Your health insurer provides data about your treatments for five years.",
        "Krankenkassendaten",
        "Ihre Krankenkasse übermittelt Daten über Ihre Behandlungen für fünf Jahre.",
    ),
    (
        "biomaterial",
        None,
        False,
        ["biomat-collect", "biomat-store", "biomat-use"],
        "Biomaterial",
        "Left-over samples from your treatment are stored and used for medical research.",
        "Biomaterial",
        "Restmaterial aus Ihrer Behandlung wird gelagert und für die Forschung genutzt.",
    ),
    (
        "biomaterial-transfer",
        "biomaterial",
        False,
        ["biomat-transfer"],
        "Passing samples on",
        "Samples may be passed on to researchers at other institutions; results are published.",
        "Weitergabe",
        "Proben dürfen an Forschende anderer Einrichtungen weitergegeben werden; Ergebnisse werden veröffentlicht.",
    ),
    (
        "recontact",
        None,
        False,
        ["recontact"],
        "Recontact",
        "We may contact you again about new findings or further studies.",
        "Rekontaktierung",
        "Wir dürfen Sie zu neuen Erkenntnissen oder weiteren Studien erneut kontaktieren.",
    ),
]
TEXT = {
    "en": (
        "Broad consent for the use of patient data and biomaterial (MII, demo)",
        "Please read this information carefully. Your participation is voluntary; you may withdraw at any time "
        "without giving reasons and without disadvantage for your care.\n\nWith your consent, your data and "
        "biomaterial may be used for medical research in pseudonymised form.",
    ),
    "de": (
        "Breite Einwilligung in die Nutzung von Patientendaten und Biomaterial (MII, Demo)",
        "Bitte lesen Sie diese Information sorgfältig. Ihre Teilnahme ist freiwillig; Sie können jederzeit ohne "
        "Angabe von Gründen und ohne Nachteile für Ihre Behandlung widerrufen.\n\nMit Ihrer Einwilligung "
        "dürfen Ihre Daten und Ihr Biomaterial pseudonymisiert für die medizinische Forschung genutzt werden.",
    ),
}


def seed_demo_consent(*, biobank: Biobank, actor: Actor) -> Template:
    """Policies, modules, template ``mii-broad-consent`` v1.6 (active, EN+DE) and a newer draft v1.7."""
    existing = Template.objects.filter(biobank=biobank, code="mii-broad-consent").order_by("number").first()
    if existing is not None:
        return existing
    policies = {}
    for code, mii, name, action, data_class, duo, validity in POLICIES:
        policies[code] = services.policy_create(
            actor=actor,
            biobank=biobank,
            code=code,
            name=name,
            action=action,
            data_class=data_class,
            duo_terms=duo,
            validity=validity,
            description=f"MII policy {MII_OID}.{mii}",
            coding_system=MII_OID,
            coding_code=f"{MII_OID.removeprefix('urn:oid:')}.{mii}",
        )
    modules: dict[str, Any] = {}
    for code, parent, mandatory, codes, en_t, en_x, de_t, de_x in MODULES:
        modules[code] = services.module_create(
            actor=actor,
            biobank=biobank,
            code=code,
            parent=modules.get(parent or ""),
            mandatory=mandatory,
            policies=[policies[c] for c in codes],
            texts={"en": {"title": en_t, "text": en_x}, "de": {"title": de_t, "text": de_x}},
        )
    v1 = services.template_create(
        actor=actor,
        biobank=biobank,
        code="mii-broad-consent",
        version_label="v1.6",
        texts={lang: {"title": t, "text": x} for lang, (t, x) in TEXT.items()},
        modules=list(modules.values()),
        consent_validity="P30Y",
        policy_uri=MII_FORM_OID,
    )
    v1 = services.template_activate(actor=actor, template=v1)
    services.template_new_version(
        actor=actor,
        previous=v1,
        version_label="v1.7",
        texts={
            "en": {"title": TEXT["en"][0], "text": TEXT["en"][1] + "\n\nYou can see and change your choices online."},
            "de": {
                "title": TEXT["de"][0],
                "text": TEXT["de"][1] + "\n\nSie können Ihre Entscheidungen online einsehen und ändern.",
            },
        },
        module_texts={
            "recontact": {"en": {"title": "Recontact", "text": "We may contact you again by post or e-mail."}}
        },
    )
    return v1


FORMS = {
    # code: (type, en title, en text, de title, de text)
    "mii-withdrawal": (
        "withdrawal",
        "Withdrawal of consent",
        "I withdraw my consent for the parts I ticked. Use before today stays lawful; nothing is used from now on.",
        "Widerruf der Einwilligung",
        "Ich widerrufe meine Einwilligung für die angekreuzten Teile. Die Nutzung bis heute bleibt rechtmäßig.",
    ),
    "mii-refusal": (
        "refusal",
        "Refusal",
        "I do not want my data or samples to be used for research.",
        "Ablehnung",
        "Ich möchte nicht, dass meine Daten oder Proben für die Forschung genutzt werden.",
    ),
}


def seed_demo_forms(*, biobank: Biobank, actor: Actor, consent_form: Template) -> dict[str, Template]:
    """The withdrawal and refusal forms that go with the broad consent (same modules), active; idempotent."""
    modules = [link.module for link in consent_form.template_modules.select_related("module").order_by("position")]
    forms = {}
    for code, (kind, en_t, en_x, de_t, de_x) in FORMS.items():
        existing = Template.objects.filter(biobank=biobank, code=code).order_by("number").first()
        if existing is None:
            existing = services.template_create(
                actor=actor,
                biobank=biobank,
                code=code,
                version_label="v1.6",
                type=kind,
                texts={"en": {"title": en_t, "text": en_x}, "de": {"title": de_t, "text": de_x}},
                modules=modules,
            )
            existing = services.template_activate(actor=actor, template=existing)
        forms[code] = existing
    return forms
