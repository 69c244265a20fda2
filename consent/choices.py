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
    WITHDRAWN = "withdrawn", _("Withdrawn")  # ticked on a withdrawal form


# Which answers each form type takes per module (anything else is refused with a message naming the module).
CHOICES_OF_FORM: dict[str, frozenset[str]] = {
    TemplateType.CONSENT: frozenset({ModuleChoice.ACCEPTED, ModuleChoice.DECLINED, ModuleChoice.UNANSWERED}),
    TemplateType.WITHDRAWAL: frozenset({ModuleChoice.WITHDRAWN, ModuleChoice.UNANSWERED}),
    TemplateType.REFUSAL: frozenset({ModuleChoice.DECLINED, ModuleChoice.UNANSWERED}),
}


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
    DONOR_PORTAL = "donor_portal", _("Given by the donor in the donor portal")


class ConsentStatus(models.TextChoices):
    """Whether a signed consent counts: a scanned paper form counts only after a second person approved it."""

    PENDING_QC = "pending_qc", _("Pending QC")
    VALID = "valid", _("Valid")
    REJECTED = "rejected", _("Rejected in QC")
    INVALIDATED = "invalidated", _("Invalidated (recorded in error)")


CONSENT_ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    ConsentStatus.PENDING_QC: frozenset({ConsentStatus.VALID, ConsentStatus.REJECTED}),
    ConsentStatus.VALID: frozenset({ConsentStatus.INVALIDATED}),
    ConsentStatus.REJECTED: frozenset(),
    ConsentStatus.INVALIDATED: frozenset(),
}


class InvalidationStatus(models.TextChoices):
    """Four eyes: one staff member asks to invalidate a consent recorded in error, a second one decides."""

    PENDING = "pending", _("Waiting for a second person")
    APPROVED = "approved", _("Approved: the consent counts for no time")
    REJECTED = "rejected", _("Rejected")


INVALIDATION_ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    InvalidationStatus.PENDING: frozenset({InvalidationStatus.APPROVED, InvalidationStatus.REJECTED}),
    InvalidationStatus.APPROVED: frozenset(),
    InvalidationStatus.REJECTED: frozenset(),
}


class ActOrigin(models.TextChoices):
    """How an act entered the donor's timeline."""

    SIGNATURE = "signature", _("Signed form (consent, withdrawal or refusal)")
    WITHDRAWAL = "withdrawal", _("Withdrawal recorded by staff on the donor's behalf")


class WithdrawalLevel(models.TextChoices):
    """Donor-level withdrawal (UK Biobank's levels); which policies each one withdraws: ``consent.acts``."""

    NO_FURTHER_CONTACT = "no_further_contact", _("No further contact")
    NO_FURTHER_ACCESS = "no_further_access", _("No further access (nothing new released, no new data, no contact)")
    NO_FURTHER_USE = "no_further_use", _("No further use (everything)")


class PolicyStateValue(models.TextChoices):
    """Per-policy act in the donor's timeline. Rolled up by the gate: accepted → permitted; declined, refused,
    withdrawn, expired → denied; unknown (optional module not answered), not asked → unknown. ``expired`` is never
    stored: it is an accepted act past its ``valid_to``; ``not_asked`` is the gate's answer when no act exists."""

    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    REFUSED = "refused", _("Refused")
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


class PropagationStatus(models.TextChoices):
    """A withdrawal's propagation to the other apps (``WithdrawalPropagation``): pending until every effect ran."""

    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")


class PropagationKind(models.TextChoices):
    LEVEL = "level", _("Withdrawal at a level")
    MODULE = "module", _("Withdrawal of one module")
    CHOICE = "choice", _("Choice changed to decline")


class InvitationPurpose(models.TextChoices):
    INVITE = "invite", _("Invitation to the donor portal")
    RECONSENT = "reconsent", _("Invitation to re-consent")


class MessageKind(models.TextChoices):
    """Messages to donors: each is e-mailed and kept in the portal; staff can edit the wording per language."""

    DONOR_INVITATION = "donor_invitation", _("Invitation to the donor portal")
    RECONSENT_INVITATION = "reconsent_invitation", _("Invitation to re-consent")
    CHOICE_CHANGED = "choice_changed", _("Confirmation of a changed choice")
    WITHDRAWAL_CONFIRMATION = "withdrawal_confirmation", _("Confirmation of a withdrawal")


class ConsentAuditAction(models.TextChoices):
    """The consent app's sensitive reads, named in words in the trail and on the steward's and the auditor's
    dashboard tiles (``selectors.dashboard.SENSITIVE_READS``); registered from ``ConsentConfig.ready()``. The app's
    other actions are still shown as they are stored."""

    IDENTITY_VIEW = "donor.identity_view", _("Identity viewed")
    IDENTITY_LOOKUP = "donor.identity_lookup", _("Identity looked up by hospital ID")
    DUPLICATE_CANDIDATES_VIEW = "duplicate_review.candidates_view", _("Candidates of a possible duplicate viewed")
    SCAN_READ = "consent.scan_read", _("Consent scan opened")
    RECEIPT_READ = "consent.receipt_read", _("Consent receipt opened")
