"""The catalogue's vocabularies."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CatalogAuditAction(models.TextChoices):
    """The catalogue's audit actions, registered with the core's trail from ``CatalogConfig.ready()``.

    The stored names predate the registration and never change: existing audit events keep their meaning.
    """

    COLLECTION_CREATE = "collection.create", _("Collection created")
    COLLECTION_UPDATE = "collection.update", _("Collection changed")
    COLLECTION_DESCRIBE = "collection.describe", _("Collection description changed")
    COLLECTION_PUBLISH = "collection.publish", _("Collection published or withdrawn from the public catalogue")
    PROFILE_SAVE = "biobank_profile.save", _("Biobank catalogue description saved")
    PERSON_SAVE = "catalog_person.save", _("Catalogue contact person saved")
    NETWORK_SAVE = "catalog_network.save", _("Catalogue network saved")
    RESEARCH_RESOURCE_SAVE = "research_resource.save", _("Research resource saved")
    DIRECTORY_EXPORT = "directory.export", _("Catalogue exported for the BBMRI-ERIC Directory")
    DIRECTORY_IMPORT = "directory.import", _("BBMRI-ERIC Directory workbook imported")
