"""A researcher's access request: the project, its DUO-coded purpose, what it asks for, its team and attachments,
one resource per biobank asked, and the request's own event log (REMS: every action an immutable event)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import Biobank
from catalog.models import Collection

from ..choices import (
    AttachmentKind,
    PurposeKind,
    RequestStatus,
    ResourceStatus,
    TeamRole,
)


class ResearcherProfile(models.Model):
    """What a self-registered researcher tells about themselves: institution and (optionally) ORCID iD."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="researcher_profile")
    institution = models.CharField(_("institution"), max_length=200)
    department = models.CharField(_("department"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2, e.g. DE"))
    orcid = models.CharField(_("ORCID iD"), max_length=19, blank=True, help_text=_("e.g. 0000-0002-1825-0097"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.institution})"


class AccessRequest(models.Model):
    """One project's request for material and/or data from one or more biobanks.

    ``criteria`` is the structured part of the inclusion criteria that feasibility counts use:
    ``{"material_types": [...], "sexes": [...], "age_min": n, "age_max": n, "diagnoses": [ICD-10 prefixes]}``;
    the free-text rest is ``inclusion_criteria``. ``material`` lists what is asked per material type:
    ``[{"material_type": "Plasma", "amount": "0.5", "unit": "ml", "samples": 200}]``.
    """

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    researcher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_requests")
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.DRAFT)
    # --- the project ---
    title = models.CharField(_("project title"), max_length=300)
    lay_summary = models.TextField(_("lay summary"), blank=True)
    abstract = models.TextField(_("scientific abstract"), blank=True)
    # --- the research purpose, coded in DUO ---
    purpose_kind = models.CharField(
        _("research purpose"), max_length=20, choices=PurposeKind.choices, default=PurposeKind.HMB
    )
    disease = models.CharField(_("disease (ICD-10)"), max_length=40, blank=True)
    methods_development = models.BooleanField(_("methods development"), default=False)
    commercial = models.BooleanField(_("for-profit or commercial use"), default=False)
    # --- what is asked for ---
    material = models.JSONField(_("requested material"), default=list, blank=True)
    donors_requested = models.PositiveIntegerField(_("number of donors"), null=True, blank=True)
    samples_requested = models.PositiveIntegerField(_("number of samples"), null=True, blank=True)
    criteria = models.JSONField(_("inclusion criteria (structured)"), default=dict, blank=True)
    inclusion_criteria = models.TextField(_("inclusion criteria"), blank=True)
    data_categories = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    # --- ethics, funding, duration ---
    ethics_reference = models.CharField(_("ethics approval reference"), max_length=100, blank=True)
    ethics_expiry = models.DateField(_("ethics approval valid until"), null=True, blank=True)
    funding = models.TextField(_("funding"), blank=True)
    duration_months = models.PositiveSmallIntegerField(_("duration (months)"), null=True, blank=True)
    # --- where it came from: the catalogue cart's human-readable search ---
    search_description = models.TextField(_("catalogue search"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["researcher", "status"])]

    def __str__(self) -> str:
        return f"{self.number or _('draft')} {self.title}"


class RequestResource(models.Model):
    """One biobank's part of a request (optionally narrowed to collections): its own state, reviewers, votes,
    decision, conditions and fulfilment. ``touched_at`` is the last action on it (the 5-day reminder)."""

    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="resources")
    biobank = models.ForeignKey(Biobank, on_delete=models.PROTECT, related_name="request_resources")
    collections = models.ManyToManyField(Collection, related_name="request_resources", blank=True)
    status = models.CharField(
        _("status"), max_length=24, choices=ResourceStatus.choices, default=ResourceStatus.CONTACTED
    )
    touched_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    approved_attributes = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["request_id", "biobank__name"]
        constraints = [
            models.UniqueConstraint(fields=["request", "biobank"], name="request_resource_one_per_biobank"),
        ]

    def __str__(self) -> str:
        return f"{self.request} @ {self.biobank}"


class TeamMember(models.Model):
    """A co-applicant, collaborator or institutional signatory named on a request; confirms by a one-time link."""

    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="team")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=24, choices=TeamRole.choices, default=TeamRole.CO_APPLICANT)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request_id", "id"]
        constraints = [models.UniqueConstraint(fields=["request", "email"], name="team_member_once_per_request")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


def _attachment_path(instance: RequestAttachment, filename: str) -> str:
    return f"requests/{instance.request_id}/{instance.sha256[:16]}-{filename[-80:]}"


class RequestAttachment(models.Model):
    """A file on a request (ethics approval, protocol, progress report, returned results, destruction certificate).

    Type-checked by content (``content_type`` is what the bytes are, not what the browser said) and size-limited
    by the service that stores it."""

    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=24, choices=AttachmentKind.choices)
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["request_id", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class RequestEvent(models.Model):
    """An immutable entry in the request's own log (REMS): every transition, vote, decision, message, download.

    The tamper-evident audit trail records the same actions; this log is what the request's pages and its
    compliance report show, in order, without reading the whole trail."""

    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="events")
    resource = models.ForeignKey(
        RequestResource, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40)  # e.g. "request.submitted", "resource.available", "vote.cast"
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["request_id", "created_at", "id"]
        indexes = [models.Index(fields=["request", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.from_status}→{self.to_status}"
