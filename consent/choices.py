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


# --- donor registry: duplicate review at enrolment -------------------------------------------------------------


class DuplicateReviewStatus(models.TextChoices):
    """A registration held back because the identity may belong to a donor already registered."""

    PENDING = "pending", _("Waiting for review")
    SAME_PERSON = "same_person", _("Same person: no new donor")
    DIFFERENT_PERSON = "different_person", _("Different person: donor registered")


DUPLICATE_REVIEW_ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    DuplicateReviewStatus.PENDING: frozenset(
        {DuplicateReviewStatus.SAME_PERSON, DuplicateReviewStatus.DIFFERENT_PERSON}
    ),
    DuplicateReviewStatus.SAME_PERSON: frozenset(),
    DuplicateReviewStatus.DIFFERENT_PERSON: frozenset(),
}


class MatchKind(models.TextChoices):
    EXACT = "exact", _("Exact match (same hospital/national ID, or same name and date of birth)")
    NEAR = "near", _("Near match (similar name, same or similar date of birth)")
