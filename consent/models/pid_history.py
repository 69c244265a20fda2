"""Every PID a donor has ever been known by: what makes a PID printed on a tube label valid for good."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import Biobank

from .donors import Donor


class DonorPid(models.Model):
    """One PID of one donor, kept for good: labels and partner systems keep a PID as long as the material exists.

    Written by the database only (trigger ``consent_donor_pid_history`` on ``consent_donor``, migration
    ``0008_pid_history``): every donor row inserted, and every change of ``Donor.pid``, adds its PID here, so no
    code path can hand a donor a PID without it being recorded. Rows are append-only (a trigger refuses UPDATE and
    DELETE). ``(pid, biobank)`` is unique: a PID names one donor of a biobank across every key version of its PID
    domain, and is never handed to another donor later. Lookups by PID (``consent.selectors.donors_by_pids``) go
    through this table, so every PID a donor ever had resolves to that donor, answered with its current
    ``Donor.pid``.

    Key rotation does not rename donors (``docs/consent-donors.md``, *PIDs and key rotation*); rows for earlier PIDs
    exist for donors renamed by the rotation job before that rule, backfilled from the pseudonym mapping.
    """

    KEEP_ON_MERGE = True  # a merged donor keeps its PIDs: they resolve to it, and the gate follows the merge
    APPEND_ONLY = True  # written by a database trigger; the application's database role may only INSERT and SELECT

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="pid_history")
    biobank = models.ForeignKey(Biobank, on_delete=models.PROTECT, related_name="+")
    pid = models.CharField(_("PID"), max_length=16)
    since = models.DateTimeField(_("PID since"), db_default=Now())

    class Meta:
        ordering = ["donor", "since", "pk"]
        verbose_name = _("donor PID")
        verbose_name_plural = _("donor PIDs")
        constraints = [
            # pid first: the index also serves lookups by PID across the biobanks a caller may see.
            models.UniqueConstraint(fields=["pid", "biobank"], name="donor_pid_history_unique_in_biobank"),
        ]

    def __str__(self) -> str:
        return self.pid
