"""Signed consents, the donor's per-module answers, and the append-only per-policy state history.

``PolicyState`` is bitemporal: ``valid_from``/``valid_to`` say when a state holds in the world (effective dates),
``recorded_at`` says when the portal learned it (transaction time). Rows are never updated or deleted (a database
trigger refuses it): a withdrawal is a new row with its own ``recorded_at`` and effective ``valid_from``. The consent
gate (``consent.gate``) reads these rows "as known at" any moment; dynamic consent builds on the same history.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import Biobank

from ..choices import (
    CONSENT_ALLOWED_TRANSITIONS,
    INVALIDATION_ALLOWED_TRANSITIONS,
    ActOrigin,
    ConsentSource,
    ConsentStatus,
    InvalidationStatus,
    ModuleChoice,
    PolicyStateValue,
    RepresentativeLegalBasis,
    WithdrawalLevel,
)
from .catalogue import Module, Policy, Template
from .donors import Donor


def _receipt_path(instance: Consent, filename: str) -> str:
    return f"consent/receipts/{instance.biobank_id}/{instance.uid}.pdf.enc"


def _scan_path(instance: Consent, filename: str) -> str:
    return f"consent/scans/{instance.biobank_id}/{instance.uid}.enc"  # encrypted; the type is in scan_content_type


class Consent(models.Model):
    """A donor's signed template version: on screen with signatures, or a scanned paper form awaiting QC.

    The exact text is the template version's (immutable once signed). Names and the drawn signature are not here:
    they are in the vault (``ConsentSignature``). The receipt and the scan are stored encrypted with the vault keys
    (``consent.documents``); ``receipt_sha256`` is the SHA-256 of the receipt PDF as served (the decrypted bytes a
    reader downloads and can recompute), ``scan_sha256`` that of the scan as uploaded. ``recorded_at`` is the
    database's time of the INSERT (a trigger overrides whatever the client sends; "Database guards" in
    docs/consent.md).
    """

    # A consent stays with the donor who signed it (the database refuses to re-point it): a merge maps donors, and
    # the target's pages list the consents of every donor merged into it (``selectors.consents_of_donor``).
    KEEP_ON_MERGE = True

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    biobank = models.ForeignKey(Biobank, on_delete=models.PROTECT, related_name="consents")
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="consents")
    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="consents")
    language = models.CharField(_("language"), max_length=10)
    source = models.CharField(_("source"), max_length=12, choices=ConsentSource.choices)
    status = models.CharField(_("status"), max_length=12, choices=ConsentStatus.choices)
    signed_on = models.DateField(_("signed on"))
    # Set by the database on INSERT (trigger consent_set_recorded_at); read back through RETURNING.
    recorded_at = models.DateTimeField(_("recorded at"), db_default=Now())
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The typed name, drawn signature and representative's name are in the vault (``ConsentSignature``).
    representative_relation = models.CharField(_("relation to the donor"), max_length=100, blank=True)
    representative_legal_basis = models.CharField(
        _("legal basis of the representation"), max_length=20, choices=RepresentativeLegalBasis.choices, blank=True
    )
    # Who informed the donor before they signed (a staff member) and where; the witness is ``countersigned_by``.
    informed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    informed_place = models.CharField(_("place of the information"), max_length=200, blank=True)
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    countersigned_at = models.DateTimeField(null=True, blank=True)
    receipt = models.FileField(upload_to=_receipt_path, blank=True)
    receipt_sha256 = models.CharField(max_length=64, blank=True)
    receipt_generated_at = models.DateTimeField(null=True, blank=True)
    scan = models.FileField(upload_to=_scan_path, blank=True)
    scan_sha256 = models.CharField(max_length=64, blank=True)
    scan_content_type = models.CharField(max_length=40, blank=True)
    qc_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    qc_at = models.DateTimeField(null=True, blank=True)
    qc_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["biobank", "status"], name="consent_biobank_status")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(source=ConsentSource.ELECTRONIC) | models.Q(countersigned_by__isnull=False),
                name="consent_electronic_is_countersigned",
            ),
            models.CheckConstraint(
                condition=~models.Q(source=ConsentSource.PAPER_SCAN) | ~models.Q(scan=""),
                name="consent_paper_has_scan",
            ),
            models.CheckConstraint(
                condition=models.Q(qc_by__isnull=True) | ~models.Q(qc_by=models.F("recorded_by")),
                name="consent_qc_by_a_second_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} · {self.donor.pid}"

    @property
    def counts(self) -> bool:
        """Whether the gate may use this consent (a scan counts only after QC approval)."""
        return self.status == ConsentStatus.VALID

    def can_become(self, status: str) -> bool:
        """Whether ``CONSENT_ALLOWED_TRANSITIONS`` lets this consent move to ``status``."""
        return status in CONSENT_ALLOWED_TRANSITIONS[self.status]


class ConsentModuleChoice(models.Model):
    """The donor's answer for one module of the signed template version."""

    APPEND_ONLY = True  # the application's database role may only INSERT and SELECT (``manage.py db_roles``)

    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="choices")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("choice"), max_length=12, choices=ModuleChoice.choices)

    class Meta:
        ordering = ["consent", "pk"]
        constraints = [models.UniqueConstraint(fields=["consent", "module"], name="consent_module_choice_once")]

    def __str__(self) -> str:
        return f"{self.module}: {self.choice}"


class PolicyState(models.Model):
    """One act of the donor's timeline about one policy (``docs/consent.md``, "The donor's timeline").

    Signing a form writes one act per module and policy (``origin=signature``: accepted / declined / unknown on a
    consent form, withdrawn on a withdrawal form, refused on a refusal form). A withdrawal recorded by staff
    writes ``origin=withdrawal`` acts: through a consent's module (``consent`` and ``module`` say where) or for the
    donor as a whole at a level (no consent, no module). ``valid_from`` is the effective date, ``recorded_at``
    when the portal learned it; ``valid_to`` is the last valid day of an acceptance (inclusive; shortest of template,
    module and policy validity) or ``None``. The gate folds every act of the donor's merge family per policy code,
    by effective date — the document an act sits on does not matter.
    """

    # A donor merge leaves the history as recorded (the database refuses updates); the gate folds the acts of the
    # whole merge family.
    KEEP_ON_MERGE = True
    APPEND_ONLY = True  # the application's database role may only INSERT and SELECT (``manage.py db_roles``)

    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="policy_states"
    )  # null: a donor-level withdrawal
    # No index of its own: "policystate_donor_policy" (donor, policy) leads with it, and with the donor-only index the
    # planner read every act of a donor to keep the asked policies (docs/performance.md, "Feasibility count").
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="policy_states", db_index=False)
    module = models.ForeignKey(Module, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # No index of its own either: "policystate_policy_cover" leads with it.
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="states", db_index=False)
    origin = models.CharField(_("origin"), max_length=12, choices=ActOrigin.choices, default=ActOrigin.SIGNATURE)
    withdrawal_level = models.CharField(
        _("withdrawal level"), max_length=24, choices=WithdrawalLevel.choices, blank=True
    )
    state = models.CharField(_("state"), max_length=12, choices=PolicyStateValue.choices)
    valid_from = models.DateField(_("effective from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # Transaction time, set by the database on INSERT (one time for all rows of one statement): never back-dated.
    recorded_at = models.DateTimeField(_("recorded at"), db_default=Now())
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["donor", "policy", "valid_from", "recorded_at", "pk"]
        indexes = [
            models.Index(fields=["donor", "policy"], name="policystate_donor_policy"),
            # The gate in SQL reads the acts of the answering policies for many donors at once (a feasibility count:
            # 190,000 donors at a million specimens): with every column the fold reads it is an index-only scan, not
            # a heap fetch per act (docs/performance.md, "Fourth pass"). Acts are only ever inserted.
            models.Index(
                fields=["policy", "donor"],
                include=["state", "valid_from", "valid_to", "recorded_at", "origin", "consent", "id"],
                name="policystate_policy_cover",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state__in=[PolicyStateValue.EXPIRED, PolicyStateValue.NOT_ASKED]),
                name="policystate_expired_is_derived",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="policystate_period_ordered",
            ),
            models.CheckConstraint(
                condition=~models.Q(origin=ActOrigin.SIGNATURE)
                | (models.Q(consent__isnull=False) & models.Q(module__isnull=False)),
                name="policystate_signature_on_a_form",
            ),
            models.CheckConstraint(
                condition=~models.Q(origin=ActOrigin.WITHDRAWAL) | models.Q(state=PolicyStateValue.WITHDRAWN),
                name="policystate_staff_act_is_withdrawal",
            ),
            models.CheckConstraint(
                condition=models.Q(consent__isnull=False) | ~models.Q(withdrawal_level=""),
                name="policystate_donor_withdrawal_has_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy}: {self.state} from {self.valid_from}"


class ConsentInvalidation(models.Model):
    """A consent recorded in error (gICS INVALIDATED, FHIR ``entered-in-error``): asked for by one staff member,
    decided by a second one (four eyes; never the one who asked nor the one who recorded the consent).

    Once approved, every act signed on the consent counts for no time — as known from ``decided_at`` on, so the gate
    asked "as known at" an earlier moment still answers as it did then. The database sets ``decided_at`` when the
    decision is written (a decision cannot be back-dated).
    """

    KEEP_ON_MERGE = True

    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="invalidations")
    status = models.CharField(
        _("status"), max_length=10, choices=InvalidationStatus.choices, default=InvalidationStatus.PENDING
    )
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("asked at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consent"],
                condition=models.Q(status__in=[InvalidationStatus.PENDING, InvalidationStatus.APPROVED]),
                name="invalidation_one_open_per_consent",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True) | ~models.Q(decided_by=models.F("requested_by")),
                name="invalidation_four_eyes",
            ),
            models.CheckConstraint(
                condition=models.Q(status=InvalidationStatus.PENDING)
                | (models.Q(decided_by__isnull=False) & models.Q(decided_at__isnull=False)),
                name="invalidation_decided_has_decider",
            ),
        ]

    def __str__(self) -> str:
        return f"invalidation of consent {self.consent_id}: {self.status}"

    def can_become(self, status: str) -> bool:
        """Whether ``INVALIDATION_ALLOWED_TRANSITIONS`` lets this request move to ``status``."""
        return status in INVALIDATION_ALLOWED_TRANSITIONS[self.status]
