"""The identity vault: identifying data of donors, encrypted at rest, and registrations held back as duplicates.

Every identifying value is an ``EncryptedTextField`` (AES-256-GCM, bound to its field and to the donor's own
``subject_ref``, checked on every read; see ``consent.vault_crypto``). Lookups never decrypt the table: exact
identifiers have blind indexes, and duplicate detection finds its candidates through blind-indexed *blocking keys*
(date of birth; folded family name + first given initial + birth year; the same name key + day and month) and
decrypts only those rows.
Only the services in ``consent.services.donors`` write here, and only stewards' audited reads show plaintext.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import Biobank

from ..choices import DUPLICATE_REVIEW_ALLOWED_TRANSITIONS, DuplicateReviewStatus, MatchKind, Sex
from ..vault_crypto import BLIND_INDEX_MAX_LENGTH, EncryptedTextField, VaultIntegrityError

# The identity fields, in the order forms and the steward's page show them.
IDENTITY_FIELDS = (
    "given_names",
    "family_name",
    "date_of_birth",
    "address",
    "hospital_id",
    "national_id",
    "email",
    "phone",
)
# The longest value each typed identity field takes, in characters (after whitespace is folded); the date of birth is
# a date. Written once: the registration service enforces them, and the registration form and the API serializer
# build their fields from them.
IDENTITY_MAX_LENGTH = {
    "given_names": 200,
    "family_name": 200,
    "address": 500,
    "hospital_id": 64,
    "national_id": 64,
    "email": 254,  # RFC 5321's longest forward path, less its angle brackets
    "phone": 40,
}


def _index_column() -> models.CharField:
    return models.CharField(max_length=BLIND_INDEX_MAX_LENGTH, null=True, blank=True, editable=False)


class EncryptedIdentity(models.Model):
    """The encrypted identifying fields, shared by a donor's vault row and a registration awaiting review.

    ``date_of_birth`` is stored as ISO text (``YYYY-MM-DD``). Absent optional values are ``NULL``, not an
    encrypted empty string.
    """

    subject_ref = models.UUIDField(unique=True, editable=False)
    given_names = EncryptedTextField(_("given names"), row_ref="vault_ref", null=True, blank=True, normaliser="name")
    family_name = EncryptedTextField(_("family name"), row_ref="vault_ref", null=True, blank=True, normaliser="name")
    date_of_birth = EncryptedTextField(_("date of birth"), row_ref="vault_ref", null=True, blank=True)
    address = EncryptedTextField(_("address"), row_ref="vault_ref", null=True, blank=True)
    hospital_id = EncryptedTextField(
        _("hospital ID"),
        row_ref="vault_ref",
        null=True,
        blank=True,
        blind_index="hospital_id_index",
        normaliser="identifier",
    )
    national_id = EncryptedTextField(
        _("national ID"),
        row_ref="vault_ref",
        null=True,
        blank=True,
        blind_index="national_id_index",
        normaliser="identifier",
    )
    email = EncryptedTextField(
        _("e-mail"), row_ref="vault_ref", null=True, blank=True, blind_index="email_index", normaliser="email"
    )
    phone = EncryptedTextField(_("phone"), row_ref="vault_ref", null=True, blank=True)
    hospital_id_index = _index_column()
    national_id_index = _index_column()
    email_index = _index_column()

    class Meta:
        abstract = True

    @property
    def vault_ref(self) -> str:
        """The row reference bound into every ciphertext's associated data (``subject_ref``)."""
        return str(self.subject_ref) if self.subject_ref else ""


class IdentityRecord(EncryptedIdentity):
    """One donor's identifying data. ``subject_ref`` equals ``donor.subject_ref`` (the ciphertexts' row reference).

    The blocking columns hold blind indexes of derived keys, so duplicate candidates are found by equality on
    indexed columns: ``dob_index`` (the ISO date; a lookup asks for the date and its day/month transposition),
    ``name_year_index`` (folded family name, first given initial, birth year) and ``name_daymonth_index`` (the same
    name key with day and month, which catches a mistyped year). A merge leaves the vault row with its donor.
    """

    KEEP_ON_MERGE = True  # the source donor keeps its identity: the merge is undoable by reading both rows

    donor = models.OneToOneField("consent.Donor", on_delete=models.PROTECT, related_name="identity")
    biobank = models.ForeignKey(Biobank, on_delete=models.PROTECT, related_name="+")
    dob_index = _index_column()
    name_year_index = _index_column()
    name_daymonth_index = _index_column()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["biobank", "hospital_id_index"], name="identity_hospital_idx"),
            models.Index(fields=["biobank", "national_id_index"], name="identity_national_idx"),
            models.Index(fields=["biobank", "email_index"], name="identity_email_idx"),
            models.Index(fields=["biobank", "dob_index"], name="identity_dob_idx"),
            models.Index(fields=["biobank", "name_year_index"], name="identity_name_year_idx"),
            models.Index(fields=["biobank", "name_daymonth_index"], name="identity_name_daymonth_idx"),
        ]

    def __str__(self) -> str:
        return f"identity of donor {self.donor_id}"

    @property
    def vault_ref(self) -> str:
        """The *donor's own* ``subject_ref``, checked against this row's on every encryption and decryption.

        The database already refuses a row whose ``(donor_id, subject_ref)`` is not a donor's (composite foreign
        key, migration ``0007_vault_bindings``); this check keeps a row pointed at another donor from ever being
        decrypted under that donor's PID, whatever the schema.
        """
        donor_ref = str(self.donor.subject_ref)
        if str(self.subject_ref) != donor_ref:
            raise VaultIntegrityError(
                f"The vault row {self.pk} is bound to subject {self.subject_ref} but points at donor {self.donor_id} "
                f"(subject {donor_ref}): it was moved to another donor and is not shown."
            )
        return donor_ref


class DuplicateReview(EncryptedIdentity):
    """A registration that looked like a donor already registered: held back, not a donor, until someone decides.

    The identity typed at enrolment waits here encrypted (``subject_ref`` is its row reference, and becomes the new
    donor's if the decision is "different person"). After a decision the pending ciphertexts are cleared: the
    identity now lives in the vault row of the donor it was registered as, or it was a second copy of one.
    """

    KEEP_ON_MERGE = True

    biobank = models.ForeignKey(Biobank, on_delete=models.PROTECT, related_name="+")
    sex = models.CharField(_("sex"), max_length=20, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    birth_month = models.PositiveSmallIntegerField(_("month of birth"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DuplicateReviewStatus.choices, default=DuplicateReviewStatus.PENDING
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)
    donor = models.ForeignKey(
        "consent.Donor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("After the decision: the existing donor (same person) or the donor registered (different)."),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["biobank", "status"], name="dup_review_queue_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=DuplicateReviewStatus.PENDING) | models.Q(donor__isnull=False),
                name="dup_review_decided_has_donor",
            ),
        ]

    def __str__(self) -> str:
        return f"possible duplicate #{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.status == DuplicateReviewStatus.PENDING

    def can_become(self, status: str) -> bool:
        """Whether ``DUPLICATE_REVIEW_ALLOWED_TRANSITIONS`` lets this review be decided as ``status``."""
        return status in DUPLICATE_REVIEW_ALLOWED_TRANSITIONS[self.status]


class DuplicateCandidate(models.Model):
    """One registered donor a held-back registration may duplicate, with why (no identifying value, only verdicts
    per field such as ``{"name": "similar", "date_of_birth": "transposed", "hospital_id": "missing"}``)."""

    KEEP_ON_MERGE = True  # a record of what was seen at the time

    review = models.ForeignKey(DuplicateReview, on_delete=models.CASCADE, related_name="candidates")
    donor = models.ForeignKey("consent.Donor", on_delete=models.PROTECT, related_name="duplicate_candidates")
    kind = models.CharField(max_length=10, choices=MatchKind.choices)
    score = models.FloatField(help_text=_("Name similarity (weighted Jaro-Winkler, 0 to 1)."))
    reasons = models.JSONField(default=dict)

    class Meta:
        ordering = ["kind", "-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "donor"], name="dup_candidate_once_per_review"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} match {self.score:.2f}"
