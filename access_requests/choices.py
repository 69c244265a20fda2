"""Statuses and codes of the access-requests app, each status with its allowed transitions beside it.

Two levels of state, as in the BBMRI-ERIC Negotiator: the request as a whole (``RequestStatus``) and one state per
biobank resource asked for (``ResourceStatus``). Every transition is a service in ``services/workflow.py`` that checks
the table here, names its actor, records a ``RequestEvent`` and an audit event in the same transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    DECIDED = "decided", _("Decided")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


R = RequestStatus
REQUEST_ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    R.DRAFT: frozenset({R.SUBMITTED, R.WITHDRAWN}),
    R.SUBMITTED: frozenset({R.UNDER_REVIEW, R.WITHDRAWN}),
    R.UNDER_REVIEW: frozenset({R.CHANGES_REQUESTED, R.DECIDED, R.REJECTED, R.WITHDRAWN}),
    R.CHANGES_REQUESTED: frozenset({R.UNDER_REVIEW, R.WITHDRAWN}),
    # decided: at least one resource approved; the researcher accepts the conditions (→ active) or walks away
    R.DECIDED: frozenset({R.ACTIVE, R.WITHDRAWN, R.EXPIRED}),
    # active: an entitlement runs; it ends (expired), is taken away (revoked) or is closed out
    R.ACTIVE: frozenset({R.CLOSED, R.EXPIRED, R.REVOKED}),
    # an expired request is renewed with a progress report (→ active) or closed out with data destruction
    R.EXPIRED: frozenset({R.ACTIVE, R.CLOSED}),
    R.CLOSED: frozenset(),
    R.WITHDRAWN: frozenset(),
    R.REJECTED: frozenset(),
    R.REVOKED: frozenset(),
}
# A researcher may still edit these; the committee reads the request in the others.
REQUEST_EDITABLE = frozenset({R.DRAFT, R.CHANGES_REQUESTED})
REQUEST_OPEN = frozenset({R.SUBMITTED, R.UNDER_REVIEW, R.CHANGES_REQUESTED, R.DECIDED, R.ACTIVE})
REQUEST_FINAL = frozenset(s for s, nxt in REQUEST_ALLOWED_TRANSITIONS.items() if not nxt)


class ResourceStatus(models.TextChoices):
    """One biobank's part of a request (BBMRI-ERIC Negotiator resource states)."""

    CONTACTED = "contacted", _("Contacted")
    CHECKING_AVAILABILITY = "checking_availability", _("Checking availability")
    AVAILABLE = "available", _("Available")
    UNAVAILABLE = "unavailable", _("Unavailable")
    CONDITIONS_INDICATED = "conditions_indicated", _("Conditions indicated")
    CONDITIONS_ACCEPTED = "conditions_accepted", _("Conditions accepted")
    CONDITIONS_DECLINED = "conditions_declined", _("Conditions declined")
    ACCESS_GRANTED = "access_granted", _("Access granted")


S = ResourceStatus
RESOURCE_ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.CONTACTED: frozenset({S.CHECKING_AVAILABILITY, S.UNAVAILABLE}),
    S.CHECKING_AVAILABILITY: frozenset({S.AVAILABLE, S.UNAVAILABLE}),
    # available: the committee votes; approval sets conditions, a rejection makes the resource unavailable
    S.AVAILABLE: frozenset({S.CONDITIONS_INDICATED, S.UNAVAILABLE}),
    S.CONDITIONS_INDICATED: frozenset({S.CONDITIONS_ACCEPTED, S.CONDITIONS_DECLINED}),
    S.CONDITIONS_ACCEPTED: frozenset({S.ACCESS_GRANTED}),
    S.UNAVAILABLE: frozenset(),
    S.CONDITIONS_DECLINED: frozenset(),
    S.ACCESS_GRANTED: frozenset(),
}
RESOURCE_FINAL = frozenset(s for s, nxt in RESOURCE_ALLOWED_TRANSITIONS.items() if not nxt)
# Untouched for this long in a non-final state, a resource's reviewers get the daily reminder (Negotiator: 5 days).
REMINDER_AFTER_DAYS = 5


class PurposeKind(models.TextChoices):
    """The primary research purpose, coded as the DUO permission it needs."""

    GENERAL_RESEARCH = "general_research", _("General research (GRU)")
    HMB = "hmb", _("Health, medical or biomedical research (HMB)")
    DISEASE = "disease", _("Research on a specific disease (DS)")
    POPULATION_ORIGINS = "population_origins", _("Population origins or ancestry (POA)")


class AttachmentKind(models.TextChoices):
    ETHICS_APPROVAL = "ethics_approval", _("Ethics approval")
    PROTOCOL = "protocol", _("Study protocol")
    PROGRESS_REPORT = "progress_report", _("Progress report")
    RETURNED_RESULTS = "returned_results", _("Returned results")
    DESTRUCTION_CERTIFICATE = "destruction_certificate", _("Data destruction certificate")
    OTHER = "other", _("Other")


class TeamRole(models.TextChoices):
    CO_APPLICANT = "co_applicant", _("Co-applicant")
    COLLABORATOR = "collaborator", _("Collaborator")
    INSTITUTIONAL_SIGNATORY = "institutional_signatory", _("Institutional signatory")


class DecisionRule(models.TextChoices):
    MAJORITY = "majority", _("Majority of the votes cast")
    UNANIMITY = "unanimity", _("Unanimity")
    CHAIR = "chair", _("The chair decides")


class CommitteeRole(models.TextChoices):
    MEMBER = "member", _("Member")
    CHAIR = "chair", _("Chair")


class VoteValue(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ConditionKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledge the biobank in publications")
    RETURN_OF_RESULTS = "return_of_results", _("Return results to the biobank")
    NO_REIDENTIFICATION = "no_reidentification", _("No attempt to re-identify donors")
    DATA_DESTRUCTION = "data_destruction", _("Destroy the data by a date")
    COLLABORATION = "collaboration", _("Collaborate with the biobank's investigators")
    ETHICS_RENEWAL = "ethics_renewal", _("Keep the ethics approval valid")
    DUO_MODIFIER = "duo_modifier", _("Data use condition (DUO)")
    OTHER = "other", _("Other")


class AgreementKind(models.TextChoices):
    MTA = "mta", _("Material Transfer Agreement")
    DTA = "dta", _("Data Transfer Agreement")
    MDTA = "mdta", _("Material and Data Transfer Agreement")


class SignatoryRole(models.TextChoices):
    RESEARCHER = "researcher", _("Researcher")
    INSTITUTION = "institution", _("Institutional signatory")


class MessageAudience(models.TextChoices):
    ALL = "all", _("All parties")
    BIOBANK = "biobank", _("Privately to one biobank")


class ReleaseStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    BUILDING = "building", _("Building")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


RELEASE_ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    ReleaseStatus.QUEUED: frozenset({ReleaseStatus.BUILDING, ReleaseStatus.FAILED}),
    ReleaseStatus.BUILDING: frozenset({ReleaseStatus.READY, ReleaseStatus.FAILED}),
    ReleaseStatus.READY: frozenset({ReleaseStatus.WITHDRAWN}),
    ReleaseStatus.FAILED: frozenset({ReleaseStatus.QUEUED}),
    ReleaseStatus.WITHDRAWN: frozenset(),
}


class ShipmentStatus(models.TextChoices):
    PREPARED = "prepared", _("Prepared")
    SHIPPED = "shipped", _("Shipped")
    RECEIVED = "received", _("Received")
    RETURNED = "returned", _("Returned")
    CONSUMED = "consumed", _("Consumed")
    CANCELLED = "cancelled", _("Cancelled")


SHIPMENT_ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    ShipmentStatus.PREPARED: frozenset({ShipmentStatus.SHIPPED, ShipmentStatus.CANCELLED}),
    ShipmentStatus.SHIPPED: frozenset({ShipmentStatus.RECEIVED}),
    ShipmentStatus.RECEIVED: frozenset({ShipmentStatus.RETURNED, ShipmentStatus.CONSUMED}),
    ShipmentStatus.RETURNED: frozenset(),
    ShipmentStatus.CONSUMED: frozenset(),
    ShipmentStatus.CANCELLED: frozenset(),
}


class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("Progress report")
    PUBLICATION = "publication", _("Publication")
    RETURNED_RESULTS = "returned_results", _("Returned results")
    DESTRUCTION = "destruction", _("Data destruction certificate")


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


# Release attributes a committee may approve, in the order a release writes them. The pseudonym is always there.
RELEASE_ATTRIBUTES: dict[str, StrOrPromise] = {
    "sex": _("Sex of the donor"),
    "birth_year": _("Year of birth of the donor"),
    "age_at_collection": _("Age of the donor at collection, in years"),
    "material_type": _("MIABIS material type"),
    "sample_type": _("SPREC type of sample"),
    "sprec_code": _("SPREC code (pre-analytical history)"),
    "diagnosis": _("Diagnosis (ICD-10 or ORPHA)"),
    "collected_on": _("Date of collection"),
    "storage_temperature_c": _("Storage temperature (°C)"),
    "quantity": _("Quantity left, with its unit"),
    "collection": _("Collection code"),
}


# --- what a researcher's request waits for (my requests page and the dashboard) ---
WAITS_FOR: dict[str, StrOrPromise] = {
    ResourceStatus.CONTACTED: _("waits for the biobank to look at it"),
    ResourceStatus.CHECKING_AVAILABILITY: _("the biobank checks what it has"),
    ResourceStatus.AVAILABLE: _("waits for the committee's decision"),
    ResourceStatus.UNAVAILABLE: _("not available: nothing more to do"),
    ResourceStatus.CONDITIONS_INDICATED: _("waits for you to accept the conditions"),
    ResourceStatus.CONDITIONS_ACCEPTED: _("waits for the biobank to grant access"),
    ResourceStatus.CONDITIONS_DECLINED: _("you declined the conditions"),
    ResourceStatus.ACCESS_GRANTED: _("access granted"),
}
REQUEST_WAITS_FOR: dict[str, StrOrPromise] = {
    RequestStatus.DRAFT: _("waits for you to complete and submit it"),
    RequestStatus.CHANGES_REQUESTED: _("waits for your changes"),
}
