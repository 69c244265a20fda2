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


# --- consent catalogue and signed consents --------------------------------------------------------------------


class TemplateType(models.TextChoices):
    """What a signed document does (after the trusted-third-party consent services' template types)."""

    CONSENT = "consent", _("Consent")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    REFUSAL = "refusal", _("Refusal")


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


# Activating a version retires the previously active version of the same template family.
TEMPLATE_ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    TemplateStatus.DRAFT: frozenset({TemplateStatus.ACTIVE, TemplateStatus.RETIRED}),
    TemplateStatus.ACTIVE: frozenset({TemplateStatus.RETIRED}),
    TemplateStatus.RETIRED: frozenset(),
}


class ModuleDefault(models.TextChoices):
    """What the capture screen pre-selects for an optional module (mandatory modules are always asked).

    ``accepted`` is never allowed any more (a pre-ticked box is no consent: GDPR Recital 32, CJEU C-673/17
    Planet49); the value stays only because module versions signed before the rule keep what they were signed with.
    """

    NONE = "none", _("Nothing pre-selected")
    ACCEPTED = "accepted", _("Accept pre-selected (not allowed)")
    DECLINED = "declined", _("Decline pre-selected")


# The defaults a module may be created with (the catalogue pages offer only these).
MODULE_DEFAULTS_ALLOWED = (ModuleDefault.NONE, ModuleDefault.DECLINED)


class RepresentativeLegalBasis(models.TextChoices):
    """Why a representative may sign for the donor (required when the donor is a minor on the signing date)."""

    PARENT = "parent", _("Parent with parental responsibility")
    LEGAL_GUARDIAN = "legal_guardian", _("Legal guardian")
    COURT_APPOINTED = "court_appointed", _("Court-appointed representative (custodian)")
    HEALTHCARE_PROXY = "healthcare_proxy", _("Healthcare proxy (power of attorney)")


class ModuleChoice(models.TextChoices):
    """The donor's answer for one module of a signed consent."""

    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    UNANSWERED = "unanswered", _("Not answered")


class PolicyAction(models.TextChoices):
    """What a policy permits (the MII broad consent's verbs: collect, store/process, use, link, contact)."""

    COLLECT = "collect", _("Collect")
    STORE = "store", _("Store and process")
    USE = "use", _("Use for research")
    LINK = "link", _("Link with other data")
    TRANSFER = "transfer", _("Transfer to third parties")
    CONTACT = "contact", _("Contact again")


class PolicyDataClass(models.TextChoices):
    """What a policy is about."""

    MEDICAL_DATA = "medical_data", _("Patient data")
    BIOMATERIAL = "biomaterial", _("Biomaterial")
    INSURANCE_DATA = "insurance_data", _("Health insurance data")
    CONTACT = "contact", _("The donor (recontact)")


class ConsentSource(models.TextChoices):
    ELECTRONIC = "electronic", _("Electronic, signed on screen")
    PAPER_SCAN = "paper_scan", _("Scanned paper form")


class ConsentStatus(models.TextChoices):
    """Whether a signed consent counts: a scanned paper form counts only after a second person approved it."""

    PENDING_QC = "pending_qc", _("Pending QC")
    VALID = "valid", _("Valid")
    REJECTED = "rejected", _("Rejected in QC")


CONSENT_ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    ConsentStatus.PENDING_QC: frozenset({ConsentStatus.VALID, ConsentStatus.REJECTED}),
    ConsentStatus.VALID: frozenset(),
    ConsentStatus.REJECTED: frozenset(),
}


class PolicyStateValue(models.TextChoices):
    """Per-policy state of a consent. Rolled up by the gate: accepted → permitted; declined, withdrawn, expired →
    denied; unknown, not asked → unknown. ``expired`` is never stored: it is an accepted row past its ``valid_to``."""

    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    UNKNOWN = "unknown", _("Unknown")
    NOT_ASKED = "not_asked", _("Not asked")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


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
