"""Which vocabulary each coded attribute takes, and the rules a description must satisfy.

One table for the editing forms, the API, the Directory import and the data-quality panel, so a code is accepted or
refused the same way everywhere. ``validate_description`` collects every problem at once (``{field: [messages]}``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import vocabularies as v

# attribute -> vocabulary (multi-valued attributes are arrays of these codes)
COLLECTION_CODES: dict[str, str] = {
    "sex": "Directory.SexTypes",
    "age_unit": "Directory.AgeUnits",
    "country": "Directory.Countries",
    "sample_source": "MIABIS3.SampleSource",
    "dataset_types": "MIABIS3.DatasetType",
    "materials": "Directory.MaterialTypes",
    "storage_temperatures": "Directory.StorageTemperatureTypes",
    "collection_settings": "MIABIS3.SampleCollectionSetting",
    "collection_designs": "MIABIS3.CollectionDesign",
    "use_access_conditions": "MIABIS3.UseAndAccessConditions",
    "data_use": "DUO",
    "status": "MIABIS3.ComponentStatus",
    "inclusion_criteria": "MIABIS3.InclusionCriteria",
    "collection_types": "Directory.CollectionTypes",
    "data_categories": "Directory.DataCategories",
    "access_fee": "Directory.AccessTypes",
    "access_joint_project": "Directory.AccessTypes",
    "sops": "Directory.SOPs",
}
RESEARCH_RESOURCE_CODES: dict[str, str] = {
    "sex": "Directory.SexTypes",
    "age_unit": "Directory.AgeUnits",
    "sample_source": "MIABIS3.SampleSource",
    "dataset_types": "MIABIS3.DatasetType",
    "materials": "Directory.MaterialTypes",
    "storage_temperatures": "Directory.StorageTemperatureTypes",
    "collection_settings": "MIABIS3.SampleCollectionSetting",
    "designs": "MIABIS3.CollectionDesign",
    "use_access_conditions": "MIABIS3.UseAndAccessConditions",
    "status": "MIABIS3.ComponentStatus",
    "inclusion_criteria": "MIABIS3.InclusionCriteria",
}
BIOBANK_CODES: dict[str, str] = {
    "infrastructural_capabilities": "MIABIS3.InfrastructuralCapabilities",
    "organisational_capabilities": "MIABIS3.OrganisationalCapabilities",
    "bioprocessing_capabilities": "MIABIS3.BioprocessingAndAnalyticalCapabilities",
}
NETWORK_CODES: dict[str, str] = {
    "countries": "Directory.Countries",
    "status": "MIABIS3.ComponentStatus",
    "network_types": "MIABIS3.NetworkType",
    "common_network_elements": "Directory.CommonNetworkElements",
    "collaboration_topics": "MIABIS3.CommonCollaborationTopics",
}
PERSON_CODES: dict[str, str] = {"country": "Directory.Countries"}
QUALITY_CODES: dict[str, str] = {
    "standard": "Directory.QualityStandards",
    "assessment_level": "Directory.AssessmentLevels",
}
# MIABIS 3.0 cardinality 1..n / required for publishing a collection (MIABIS-COLLECTION-01..14)
COLLECTION_REQUIRED_TO_PUBLISH = ("bbmri_id", "name", "description", "contact", "sex", "dataset_types", "materials")
DISEASE_FIELDS = ("diseases",)


def _add(errors: dict[str, list[str]], error: ValidationError) -> None:
    for field, messages in error.message_dict.items():
        errors.setdefault(field, []).extend(messages)


def validate_codes_of(table: dict[str, str], data: dict[str, Any]) -> dict[str, list[str]]:
    """Check every coded attribute present in ``data``; return ``{field: [messages]}`` (empty when all is well)."""
    errors: dict[str, list[str]] = {}
    for field, vocabulary in table.items():
        if field not in data or data[field] in (None, "", []):
            continue
        value = data[field]
        try:
            if isinstance(value, (list, tuple)):
                data[field] = v.validate_codes(vocabulary, value, field=field)
            else:
                v.validate_code(vocabulary, value, field=field)
        except ValidationError as error:
            _add(errors, error)
    for field in DISEASE_FIELDS:
        if data.get(field) and table is not BIOBANK_CODES:
            try:
                data[field] = v.validate_diseases(data[field], field=field)
            except ValidationError as error:
                _add(errors, error)
    return errors


def validate_age_range(data: dict[str, Any], errors: dict[str, list[str]]) -> None:
    low, high = data.get("age_low"), data.get("age_high")
    if low is not None and high is not None and low > high:
        errors.setdefault("age_low", []).append(
            _("The age range is %(low)s to %(high)s: the lower age must not be above the upper one.")
            % {"low": low, "high": high}
        )
    if (low is not None or high is not None) and not data.get("age_unit"):
        errors.setdefault("age_unit", []).append(
            _("Give the unit of the age range (allowed: %(allowed)s).")
            % {"allowed": ", ".join(v.terms("Directory.AgeUnits"))}
        )
    for field in ("age_low", "age_high"):
        value = data.get(field)
        if value is not None and value < 0:
            errors.setdefault(field, []).append(_("An age cannot be negative (got %(value)s).") % {"value": value})
