"""Donors: pseudonymous subjects of a biobank. Identifying data never live here (see the identity vault)."""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import Biobank
from biobank.pseudonyms import checkchar

from ..choices import DONOR_ALLOWED_TRANSITIONS, DonorStatus, Sex


def pid_display(pid: str) -> str:
    """A stored PID as people read it (``ABCDE-FGHJK-M``); a PID of another form as stored."""
    return checkchar.display(pid) if len(pid) == checkchar.LENGTH else pid


class Donor(models.Model):
    """A person who gave material or data, known to the portal only by their PID in the biobank's domain.

    ``subject_ref`` is an opaque random reference: the pseudonym engine keys the PID on it and the identity vault
    binds its ciphertexts to it, so neither the PID nor the vault depends on the auto-increment id. ``pid`` is
    stored in canonical form (11 characters); ``pid_display`` groups it for labels and screens (``ABCDE-FGHJK-M``).

    Merging (``consent.services.donor_merge``) re-points every row that references the source donor through a
    ``ForeignKey``/``ManyToManyField`` — found generically in ``Donor._meta.related_objects``, so later models are
    covered without changes — except models that declare ``KEEP_ON_MERGE = True`` (records of what happened to
    that donor, such as its vault row) or that handle it themselves with a classmethod
    ``donor_merge_repoint(*, source, target, field_name) -> int``.
    """

    biobank = models.ForeignKey(Biobank, on_delete=models.PROTECT, related_name="donors")
    subject_ref = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pid = models.CharField(_("PID"), max_length=16, help_text=_("Pseudonym in the biobank's PID domain"))
    sex = models.CharField(_("sex"), max_length=20, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"), null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    birth_month = models.PositiveSmallIntegerField(
        _("month of birth"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    status = models.CharField(_("status"), max_length=20, choices=DonorStatus.choices, default=DonorStatus.ACTIVE)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["biobank", "pid"]
        constraints = [
            models.UniqueConstraint(fields=["biobank", "pid"], name="donor_pid_unique_in_biobank"),
            # The target of the vault's composite foreign key (identity row → its donor's id and subject_ref).
            models.UniqueConstraint(fields=["id", "subject_ref"], name="donor_id_subject_ref_unique"),
            models.CheckConstraint(
                condition=models.Q(birth_month__isnull=True) | models.Q(birth_year__isnull=False),
                name="donor_birth_month_needs_year",
            ),
            models.CheckConstraint(
                condition=(models.Q(status=DonorStatus.MERGED) & models.Q(merged_into__isnull=False))
                | (~models.Q(status=DonorStatus.MERGED) & models.Q(merged_into__isnull=True)),
                name="donor_merged_iff_merged_into",
            ),
        ]

    def __str__(self) -> str:
        return self.pid_display

    @property
    def pid_display(self) -> str:
        return pid_display(self.pid)

    @property
    def is_merged(self) -> bool:
        return self.status == DonorStatus.MERGED

    @property
    def can_consent(self) -> bool:
        """Consent, refusal or withdrawal is recorded only for an active donor, never a deceased or merged one."""
        return self.status == DonorStatus.ACTIVE

    def can_become(self, status: str) -> bool:
        """Whether ``DONOR_ALLOWED_TRANSITIONS`` lets this donor move to ``status``."""
        return status in DONOR_ALLOWED_TRANSITIONS[self.status]
