"""Fulfilment: data releases (built by a Celery job with release-specific pseudonyms) with their expiring download
links and audited downloads, and material shipments with their packing list."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from biobank.pseudonyms.models import PseudonymDomain
from specimens.models import Specimen

from ..choices import ReleaseStatus, ShipmentStatus
from .requests import RequestResource


class Release(models.Model):
    """One built dataset for one resource: only the approved attributes, only donors whose consent permits the
    purpose on the day it is built, each donor under a pseudonym of the release's own domain."""

    resource = models.ForeignKey(RequestResource, on_delete=models.PROTECT, related_name="releases")
    status = models.CharField(_("status"), max_length=10, choices=ReleaseStatus.choices, default=ReleaseStatus.QUEUED)
    attributes = ArrayField(models.CharField(max_length=40), default=list)
    domain = models.OneToOneField(PseudonymDomain, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    csv_file = models.FileField(upload_to="releases/", max_length=200, blank=True)
    xlsx_file = models.FileField(upload_to="releases/", max_length=200, blank=True)
    dictionary_file = models.FileField(upload_to="releases/", max_length=200, blank=True)
    specimen_count = models.PositiveIntegerField(default=0)
    donor_count = models.PositiveIntegerField(default=0)
    excluded_donors = models.PositiveIntegerField(default=0)  # consent did not permit the purpose at build time
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    built_at = models.DateTimeField(null=True, blank=True)
    consent_checked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        permissions = [("download_release", "Can download the release")]

    def __str__(self) -> str:
        return f"release {self.pk} of {self.resource}"


class ReleaseDonor(models.Model):
    """Which donors a release contains (for withdrawal propagation and the donor's list of projects)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="donors")
    donor_id = models.BigIntegerField(db_index=True)
    specimen_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "donor_id"], name="release_donor_once")]

    def __str__(self) -> str:
        return f"{self.release_id}/{self.donor_id}"


class DownloadLink(models.Model):
    """A one-person, expiring link to a release file; only the hash of its token is stored."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"link to {self.release_id}"


class Download(models.Model):
    """Every download of a release file (also in the audit trail)."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.CharField(max_length=12)  # csv, xlsx, dictionary
    at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.file} {self.at}"


class Shipment(models.Model):
    """Material sent for one resource: the packing list, courier reference and temperature, and its tracking."""

    resource = models.ForeignKey(RequestResource, on_delete=models.PROTECT, related_name="shipments")
    status = models.CharField(
        _("status"), max_length=10, choices=ShipmentStatus.choices, default=ShipmentStatus.PREPARED
    )
    courier = models.CharField(_("courier"), max_length=100, blank=True)
    courier_reference = models.CharField(_("courier reference"), max_length=100, blank=True)
    temperature = models.CharField(_("shipping temperature"), max_length=40, blank=True)
    address = models.TextField(_("delivery address"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"shipment {self.pk} ({self.status})"


class ShipmentItem(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="items")
    specimen = models.ForeignKey(Specimen, on_delete=models.PROTECT, related_name="shipment_items")
    quantity = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shipment", "specimen"], name="shipment_item_once")]

    def __str__(self) -> str:
        return f"{self.shipment_id}/{self.specimen_id}"
