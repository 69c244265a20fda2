"""MIABIS-Collection (with sub-collections) and MIABIS-Research Resource (the Directory's study).

A collection belongs to one biobank; object permissions (django-guardian) on a collection let a person see one
collection of a biobank without a role in the whole biobank. Its ``code`` is the portal's short name (URLs, imports);
its ``bbmri_id`` the BBMRI-ERIC ID, ``<biobank id>:collection:<local>``. Multi-valued attributes are arrays of codes
(GIN-indexed where the public search filters on them). The database refuses an age range with low > high and a
collection that is its own parent; a longer cycle is refused by the service and by a trigger.
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import Biobank, code_validator

from ..identifiers import collection_id_validator, study_id_validator
from .directory import Network, Person, PublicationState, codes


class Collection(models.Model):
    """A set of samples and data the biobank describes together (MIABIS-Collection)."""

    biobank = models.ForeignKey(Biobank, on_delete=models.PROTECT, related_name="collections")
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # MIABIS 3.0 / Directory description (empty until a data manager describes the collection)
    bbmri_id = models.CharField(
        _("BBMRI-ERIC ID"), max_length=250, unique=True, null=True, blank=True, validators=[collection_id_validator]
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="children", null=True, blank=True, verbose_name=_("part of")
    )
    acronym = models.CharField(_("acronym"), max_length=60, blank=True)
    url = models.URLField(_("URL"), blank=True)
    contact = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="collections", null=True, blank=True)
    head = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)  # Directory.Countries; default: the biobank's
    sample_source = models.CharField(_("sample source"), max_length=30, blank=True)  # MIABIS3.SampleSource
    sex = codes(_("sex"))  # Directory.SexTypes, 1..n
    age_low = models.IntegerField(_("age low"), null=True, blank=True)
    age_high = models.IntegerField(_("age high"), null=True, blank=True)
    age_unit = models.CharField(_("age unit"), max_length=10, blank=True)  # Directory.AgeUnits
    dataset_types = codes(_("dataset types"))  # MIABIS3.DatasetType
    materials = codes(_("sample types"))  # Directory.MaterialTypes
    storage_temperatures = codes(_("storage temperatures"))  # Directory.StorageTemperatureTypes
    diseases = codes(_("diseases"))  # ICD-10 (WHO 2019) or ORPHA:<n>
    collection_settings = codes(_("sample collection settings"))  # MIABIS3.SampleCollectionSetting
    collection_designs = codes(_("collection designs"))  # MIABIS3.CollectionDesign
    use_access_conditions = codes(_("use and access conditions"))  # MIABIS3.UseAndAccessConditions
    data_use = codes(_("data use terms (DUO)"))  # DUO (duo.json ids, DUO:0000042)
    status = models.CharField(_("status"), max_length=20, blank=True)  # MIABIS3.ComponentStatus
    number_of_subjects = models.PositiveIntegerField(_("total number of subjects"), null=True, blank=True)
    inclusion_criteria = codes(_("inclusion criteria"))  # MIABIS3.InclusionCriteria
    publications = codes(_("publications"))  # free text (DOI or citation), 0..n
    collection_types = codes(_("collection types"))  # Directory.CollectionTypes
    data_categories = codes(_("data categories"))  # Directory.DataCategories
    access_fee = codes(_("access fee for"))  # Directory.AccessTypes
    access_joint_project = codes(_("joint project required for"))  # Directory.AccessTypes
    access_description = models.TextField(_("access description"), blank=True)
    access_uri = models.URLField(_("access URL"), blank=True)
    sops = codes(_("SOPs"))  # Directory.SOPs
    collaboration_commercial = models.BooleanField(_("open to commercial collaboration"), null=True, blank=True)
    collaboration_non_for_profit = models.BooleanField(_("open to non-profit collaboration"), null=True, blank=True)
    networks = models.ManyToManyField(Network, related_name="collections", blank=True)
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    state = models.CharField(
        _("state"), max_length=12, choices=PublicationState.choices, default=PublicationState.DRAFT
    )
    # The public search's text (name, acronym, biobank name, description, disease labels and codes), kept by the
    # database (trigger of migration 0005): never written by the application.
    search_text = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["biobank__name", "name"]
        default_permissions = ("view", "change")
        constraints = [
            models.UniqueConstraint(fields=["biobank", "code"], name="collection_code_unique_in_biobank"),
            models.CheckConstraint(
                condition=models.Q(age_low__isnull=True)
                | models.Q(age_high__isnull=True)
                | models.Q(age_low__lte=models.F("age_high")),
                name="collection_age_low_not_above_high",
            ),
            models.CheckConstraint(condition=~models.Q(parent=models.F("pk")), name="collection_not_its_own_parent"),
        ]
        indexes = [
            GinIndex(fields=["materials"], name="collection_materials_gin"),
            GinIndex(fields=["diseases"], name="collection_diseases_gin"),
            GinIndex(fields=["search_text"], name="collection_search_text_gin"),
        ]

    def __str__(self) -> str:
        return self.name


class ResearchResource(models.Model):
    """MIABIS-Research Resource (was Study): a research project that produced or uses collections."""

    biobank = models.ForeignKey(Biobank, on_delete=models.CASCADE, related_name="research_resources")
    bbmri_id = models.CharField(_("BBMRI-ERIC ID"), max_length=200, unique=True, validators=[study_id_validator])
    acronym = models.CharField(_("acronym"), max_length=60, blank=True)
    title = models.CharField(_("name"), max_length=300)
    url = models.URLField(_("URL"), blank=True)
    contact = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="research_resources", null=True)
    description = models.TextField(_("description"), blank=True)
    sample_source = models.CharField(_("sample source"), max_length=30, blank=True)
    sex = codes(_("sex"))
    age_low = models.IntegerField(_("age low"), null=True, blank=True)
    age_high = models.IntegerField(_("age high"), null=True, blank=True)
    age_unit = models.CharField(_("age unit"), max_length=10, blank=True)
    dataset_types = codes(_("dataset types"))
    materials = codes(_("sample types"))
    storage_temperatures = codes(_("storage temperatures"))
    diseases = codes(_("diseases"))
    collection_settings = codes(_("sample collection settings"))
    designs = codes(_("research resource design"))
    use_access_conditions = codes(_("use and access conditions"))
    status = models.CharField(_("status"), max_length=20, blank=True)
    number_of_subjects = models.PositiveIntegerField(_("total number of subjects"), null=True, blank=True)
    inclusion_criteria = codes(_("inclusion criteria"))
    publications = codes(_("publications"))
    collections = models.ManyToManyField(Collection, related_name="research_resources", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        default_permissions = ()
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_low__isnull=True)
                | models.Q(age_high__isnull=True)
                | models.Q(age_low__lte=models.F("age_high")),
                name="research_resource_age_low_not_above_high",
            ),
        ]

    def __str__(self) -> str:
        return self.title
