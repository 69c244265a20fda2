"""The catalogue's vocabularies."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CatalogAuditAction(models.TextChoices):
    """The catalogue's audit actions, registered with the core's trail from ``CatalogConfig.ready()``.

    The stored names predate the registration and never change: existing audit events keep their meaning.
    """

    COLLECTION_CREATE = "collection.create", _("Collection created")
    COLLECTION_UPDATE = "collection.update", _("Collection changed")
