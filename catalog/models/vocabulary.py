"""Vocabulary terms in the database, for the searchable pickers and the public API (``load_vocabularies``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class VocabularyTerm(models.Model):
    """One code of one vocabulary (MIABIS 3.0, the Directory's lists, DUO, ICD-10), copied from ``catalog/data``."""

    vocabulary = models.CharField(_("vocabulary"), max_length=80)
    code = models.CharField(_("code"), max_length=120)
    label = models.CharField(_("label"), max_length=500)
    parent = models.CharField(_("parent code"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["vocabulary", "position"]
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["vocabulary", "code"], name="vocabulary_term_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class VocabularyVersion(models.Model):
    """The fingerprint of the data files last loaded (one row)."""

    version = models.CharField(max_length=32)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return self.version
