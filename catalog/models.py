"""The catalogue's collections. The MIABIS description (types, counts, facts) comes with the catalogue issue.

A collection belongs to one biobank; object permissions (django-guardian) on a collection let a person see one
collection of a biobank without a role in the whole biobank.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import Biobank, code_validator


class Collection(models.Model):
    """A set of samples and data the biobank describes together (MIABIS-Collection)."""

    biobank = models.ForeignKey(Biobank, on_delete=models.PROTECT, related_name="collections")
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["biobank__name", "name"]
        default_permissions = ("view", "change")
        constraints = [models.UniqueConstraint(fields=["biobank", "code"], name="collection_code_unique_in_biobank")]

    def __str__(self) -> str:
        return self.name
