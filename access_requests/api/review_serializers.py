"""Input and output shapes of the committee's API verbs (access_requests/api/review.py)."""

from __future__ import annotations

from rest_framework import serializers

from biobank.api.serializers import InputSerializer, ModelSerializer

from ..choices import RELEASE_ATTRIBUTES, ConditionKind, DecisionOutcome, MessageAudience, VoteValue
from ..models import AccessRequest, ConflictDeclaration, Decision, RequestMessage, ReviewAssignment, Vote


class RequestStatusSerializer(ModelSerializer):
    class Meta:
        model = AccessRequest
        fields = ["id", "number", "status"]


class ReasonSerializer(InputSerializer):
    reason = serializers.CharField(max_length=5000, help_text="What the researcher should change.")


class ConflictInputSerializer(InputSerializer):
    has_conflict = serializers.BooleanField()
    statement = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ConflictSerializer(ModelSerializer):
    class Meta:
        model = ConflictDeclaration
        fields = ["id", "request", "user", "has_conflict", "statement", "declared_at"]


class AssignInputSerializer(InputSerializer):
    resource = serializers.IntegerField(help_text="The request resource (one biobank's part) to review.")
    reviewer = serializers.IntegerField(help_text="The user id of a member with an active seat.")
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class AssignmentSerializer(ModelSerializer):
    class Meta:
        model = ReviewAssignment
        fields = ["id", "resource", "reviewer", "due_on", "assigned_by", "assigned_at", "completed_at"]


class VoteInputSerializer(InputSerializer):
    resource = serializers.IntegerField()
    value = serializers.ChoiceField(choices=VoteValue.choices)
    rationale = serializers.CharField(max_length=10000)


class VoteSerializer(ModelSerializer):
    class Meta:
        model = Vote
        fields = ["id", "resource", "voter", "value", "rationale", "duo_decision", "cast_at"]


class ConditionInputSerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=[c for c in ConditionKind.choices if c[0] != ConditionKind.DUO_MODIFIER])
    text = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class DecideInputSerializer(InputSerializer):
    resource = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=DecisionOutcome.choices)
    rationale = serializers.CharField(max_length=10000)
    conditions = ConditionInputSerializer(many=True, required=False, default=list)
    attributes = serializers.ListField(
        child=serializers.ChoiceField(choices=list(RELEASE_ATTRIBUTES)), required=False, default=list
    )
    access_ends_on = serializers.DateField(required=False, allow_null=True, default=None)


class DecisionSerializer(ModelSerializer):
    class Meta:
        model = Decision
        fields = [
            "id",
            "resource",
            "outcome",
            "rationale",
            "tally",
            "duo_match",
            "decided_by",
            "decided_at",
            "access_ends_on",
        ]


class MessageInputSerializer(InputSerializer):
    body = serializers.CharField(max_length=10000)
    audience = serializers.ChoiceField(choices=MessageAudience.choices, default=MessageAudience.ALL)
    biobank = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text="Biobank code of a private message."
    )


class MessageSerializer(ModelSerializer):
    biobank: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    author = serializers.CharField(source="author.full_name", read_only=True)

    class Meta:
        model = RequestMessage
        fields = ["id", "audience", "biobank", "author", "body", "created_at"]
