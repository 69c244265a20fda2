"""Collection facts: the Directory's star model, computed from the live inventory (``catalog.facts``).

One row per sex by age range by material type by disease of a collection, with the number of samples and donors;
``*`` on a dimension means all of it, and exactly one row per collection is ``*`` on every dimension (the total).
``disease`` is ``""`` for samples without a recorded diagnosis. All rows are stored; what is published is decided
when reading (k-anonymity and obfuscation, ``catalog.facts.privacy``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .collections import Collection


class CollectionFact(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="facts")
    sex = models.CharField(_("sex"), max_length=20)  # Directory.SexTypes or *
    age_range = models.CharField(_("age range"), max_length=30)  # Directory.AgeRanges or *
    material_type = models.CharField(_("material type"), max_length=40)  # Directory.MaterialTypes or *
    disease = models.CharField(_("disease"), max_length=40, blank=True)  # ICD-10/ORPHA, "" (none) or *
    number_of_samples = models.PositiveIntegerField(_("number of samples"))
    number_of_donors = models.PositiveIntegerField(_("number of donors"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "sex", "age_range", "material_type", "disease"], name="collection_fact_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(number_of_donors__lte=models.F("number_of_samples")),
                name="collection_fact_donors_not_above_samples",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.collection_id}: {self.sex}/{self.age_range}/{self.material_type}/{self.disease}"


class FactsRecompute(models.Model):
    """A collection whose facts are out of date: the debounced task recomputes and deletes these rows."""

    collection = models.OneToOneField(Collection, on_delete=models.CASCADE, primary_key=True, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"facts of collection {self.collection_id} due since {self.requested_at}"
