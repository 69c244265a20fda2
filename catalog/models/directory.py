"""MIABIS Core 3.0 descriptions of biobanks and networks, and their contact persons.

The biobank itself (the tenant) is the core's ``accounts.Biobank``; its MIABIS description lives here in
``BiobankProfile``, one to one. Codes of the Directory's lists are stored as the Directory writes them
(``catalog/data/vocabularies.json``); MIABIS 3.0 lists are stored by their labels (MIABIS lists have no codes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import Biobank

from ..identifiers import biobank_id_validator, network_id_validator, person_id_validator

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def codes(verbose_name: StrOrPromise) -> ArrayField:
    return ArrayField(models.CharField(max_length=120), verbose_name=verbose_name, default=list, blank=True)


class PublicationState(models.TextChoices):
    DRAFT = "draft", _("Draft (staff only)")
    PUBLISHED = "published", _("Published (public catalogue)")


class Person(models.Model):
    """A contact person (MIABIS contact information; the Directory's ``persons`` sheet)."""

    biobank = models.ForeignKey(
        Biobank, on_delete=models.CASCADE, related_name="catalog_persons", null=True, blank=True
    )
    bbmri_id = models.CharField(_("BBMRI-ERIC ID"), max_length=200, unique=True, validators=[person_id_validator])
    title_before_name = models.CharField(_("title before name"), max_length=60, blank=True)
    first_name = models.CharField(_("first name"), max_length=120, blank=True)
    last_name = models.CharField(_("last name"), max_length=120, blank=True)
    title_after_name = models.CharField(_("title after name"), max_length=60, blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    address = models.TextField(_("address"), blank=True)
    zip = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=2)
    role = models.TextField(_("role"), blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "bbmri_id"]
        default_permissions = ()

    def __str__(self) -> str:
        name = " ".join(p for p in (self.title_before_name, self.first_name, self.last_name) if p)
        return name or self.email


class BiobankProfile(models.Model):
    """MIABIS-Biobank: the public description of one of the installation's biobanks."""

    biobank = models.OneToOneField(Biobank, on_delete=models.CASCADE, primary_key=True, related_name="profile")
    bbmri_id = models.CharField(_("BBMRI-ERIC ID"), max_length=200, unique=True, validators=[biobank_id_validator])
    acronym = models.CharField(_("acronym"), max_length=60, blank=True)
    description = models.TextField(_("description"))
    url = models.URLField(_("URL"), blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    latitude = models.CharField(_("latitude"), max_length=30, blank=True)
    longitude = models.CharField(_("longitude"), max_length=30, blank=True)
    juristic_person = models.CharField(_("juristic person"), max_length=300)
    head = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    contact = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="biobanks", null=True, blank=True)
    infrastructural_capabilities = codes(_("infrastructural capabilities"))  # MIABIS3.InfrastructuralCapabilities
    organisational_capabilities = codes(_("organisational capabilities"))  # MIABIS3.OrganisationalCapabilities
    bioprocessing_capabilities = codes(_("bioprocessing and analytical capabilities"))
    collaboration_commercial = models.BooleanField(_("open to commercial collaboration"), null=True, blank=True)
    collaboration_non_for_profit = models.BooleanField(_("open to non-profit collaboration"), null=True, blank=True)
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    state = models.CharField(
        _("state"), max_length=12, choices=PublicationState.choices, default=PublicationState.DRAFT
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["biobank__name"]
        default_permissions = ()

    def __str__(self) -> str:
        return self.bbmri_id


class QualityStandard(models.Model):
    """A quality management standard the biobank or a collection meets, with how that was assessed."""

    biobank = models.ForeignKey(BiobankProfile, on_delete=models.CASCADE, related_name="quality_standards")
    standard = models.CharField(_("standard"), max_length=80)  # Directory.QualityStandards
    assessment_level = models.CharField(_("assessment level"), max_length=20)  # Directory.AssessmentLevels

    class Meta:
        ordering = ["standard"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["biobank", "standard"], name="quality_standard_once_per_biobank")
        ]

    def __str__(self) -> str:
        return f"{self.standard} ({self.assessment_level})"


class Network(models.Model):
    """MIABIS-Network: biobanks and collections that share common elements (charter, SOPs, access policy)."""

    bbmri_id = models.CharField(_("BBMRI-ERIC ID"), max_length=200, unique=True, validators=[network_id_validator])
    name = models.CharField(_("name"), max_length=300)
    acronym = models.CharField(_("acronym"), max_length=60, blank=True)
    description = models.TextField(_("description"))
    url = models.URLField(_("URL"), blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    latitude = models.CharField(_("latitude"), max_length=30, blank=True)
    longitude = models.CharField(_("longitude"), max_length=30, blank=True)
    juristic_person = models.CharField(_("juristic person"), max_length=300, blank=True)
    countries = codes(_("countries"))  # Directory.Countries
    contact = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="networks")
    status = models.CharField(_("status"), max_length=20, default="Active")  # MIABIS3.ComponentStatus
    network_types = codes(_("network types"))  # MIABIS3.NetworkType
    common_network_elements = codes(_("common network elements"))  # Directory.CommonNetworkElements
    collaboration_topics = codes(_("common collaboration topics"))  # MIABIS3.CommonCollaborationTopics
    member_biobanks = models.ManyToManyField(Biobank, related_name="catalog_networks", blank=True)
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        default_permissions = ()

    def __str__(self) -> str:
        return self.name
