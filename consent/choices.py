"""Statuses and codes of the consent app, with the allowed transitions beside each status."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    """MIABIS-Donor sex (MIABIS 3 labels; FHIR administrative gender maps onto these)."""

    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNDIFFERENTIATED = "undifferentiated", _("Undifferentiated")
    UNKNOWN = "unknown", _("Unknown")


class DonorStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DECEASED = "deceased", _("Deceased")
    MERGED = "merged", _("Merged into another donor")


DONOR_ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    DonorStatus.ACTIVE: frozenset({DonorStatus.DECEASED, DonorStatus.MERGED}),
    DonorStatus.DECEASED: frozenset({DonorStatus.MERGED}),
    DonorStatus.MERGED: frozenset(),
}
