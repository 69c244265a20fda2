"""Data-access committees: members and chair, conflict-of-interest declarations, reviewer assignments, votes beside
the DUO match, private comments, messages to the researcher, and the decision per resource."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import Biobank, Network

from ..choices import CommitteeRole, DecisionOutcome, DecisionRule, MessageAudience, VoteValue
from .requests import AccessRequest, RequestResource


class Committee(models.Model):
    """A DAC for one biobank, or for a network (then it decides for every biobank of the network that has none)."""

    biobank = models.OneToOneField(Biobank, on_delete=models.PROTECT, null=True, blank=True, related_name="committee")
    network = models.OneToOneField(Network, on_delete=models.PROTECT, null=True, blank=True, related_name="committee")
    name = models.CharField(_("name"), max_length=200)
    decision_rule = models.CharField(
        _("decision rule"), max_length=12, choices=DecisionRule.choices, default=DecisionRule.MAJORITY
    )
    quorum = models.PositiveSmallIntegerField(
        _("quorum"), default=2, help_text=_("Votes needed (recused members do not count) before a decision")
    )
    review_days = models.PositiveSmallIntegerField(_("days to review"), default=14)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(biobank__isnull=True, network__isnull=False)
                | models.Q(biobank__isnull=False, network__isnull=True),
                name="committee_of_a_biobank_or_a_network",
            ),
            models.CheckConstraint(condition=models.Q(quorum__gte=1), name="committee_quorum_at_least_one"),
        ]

    def __str__(self) -> str:
        return self.name


class CommitteeMember(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="committee_seats")
    role = models.CharField(_("role"), max_length=8, choices=CommitteeRole.choices, default=CommitteeRole.MEMBER)
    active = models.BooleanField(default=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["committee", "user"], name="committee_member_once"),
            models.UniqueConstraint(
                fields=["committee"],
                condition=models.Q(role=CommitteeRole.CHAIR, active=True),
                name="committee_one_active_chair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class ConflictDeclaration(models.Model):
    """A member's declaration on one request; a declared conflict recuses them (no vote, no assignment)."""

    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="conflicts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    has_conflict = models.BooleanField(_("I have a conflict of interest"))
    statement = models.TextField(_("statement"), blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "user"], name="conflict_declared_once")]

    def __str__(self) -> str:
        return f"{self.user} on {self.request_id}: {self.has_conflict}"


class ReviewAssignment(models.Model):
    resource = models.ForeignKey(RequestResource, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_assignments")
    due_on = models.DateField(_("due on"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["resource", "reviewer"], name="review_assigned_once")]

    def __str__(self) -> str:
        return f"{self.reviewer} due {self.due_on}"


class Vote(models.Model):
    """A member's vote on one resource, with its rationale; the DUO match is stored beside it as it was shown."""

    resource = models.ForeignKey(RequestResource, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(_("vote"), max_length=8, choices=VoteValue.choices)
    rationale = models.TextField(_("rationale"))
    duo_decision = models.CharField(max_length=8, blank=True)  # the algorithm's answer the voter saw
    cast_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["resource_id", "cast_at", "id"]
        constraints = [models.UniqueConstraint(fields=["resource", "voter"], name="vote_once_per_resource")]

    def __str__(self) -> str:
        return f"{self.voter}: {self.value}"


class Decision(models.Model):
    """The committee's decision on one resource (by its rule), with the DUO match and the letter's inputs."""

    resource = models.OneToOneField(RequestResource, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(_("outcome"), max_length=8, choices=DecisionOutcome.choices)
    rationale = models.TextField(_("rationale"), blank=True)
    duo_match = models.JSONField(default=dict, blank=True)  # {"decision": ..., "rationale": [...], "conditions": [...]}
    tally = models.JSONField(default=dict, blank=True)  # {"approve": n, "reject": n, "recused": n, "rule": ...}
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    access_ends_on = models.DateField(_("access until"), null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.resource}: {self.outcome}"


class CommitteeComment(models.Model):
    """A private note among the committee of the resource's biobank; the researcher never sees it."""

    resource = models.ForeignKey(RequestResource, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class RequestMessage(models.Model):
    """A message on a request: to all parties, or privately between the researcher and one biobank."""

    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="messages")
    audience = models.CharField(max_length=8, choices=MessageAudience.choices, default=MessageAudience.ALL)
    biobank = models.ForeignKey(Biobank, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(audience=MessageAudience.ALL, biobank__isnull=True)
                | models.Q(audience=MessageAudience.BIOBANK, biobank__isnull=False),
                name="request_message_private_names_its_biobank",
            )
        ]

    def __str__(self) -> str:
        return self.body[:60]
