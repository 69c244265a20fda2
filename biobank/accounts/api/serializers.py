"""Input and output shapes of the accounts API: who is calling, biobanks, and members with their roles."""

from __future__ import annotations

from rest_framework import serializers

from biobank.accounts.choices import BIOBANK_PERMISSIONS, Role
from biobank.accounts.models import Biobank, Membership, Network, RoleGrant
from biobank.api.serializers import InputSerializer, ModelSerializer
from biobank.api.utc import UtcDateTimeField


class NetworkSerializer(ModelSerializer):
    class Meta:
        model = Network
        fields = ["code", "name"]


class BiobankSerializer(ModelSerializer):
    network = NetworkSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Biobank
        fields = ["code", "name", "country", "is_active", "network"]


class MembershipSerializer(ModelSerializer):
    """One role of one person in a biobank; ``id`` is what ``DELETE …/members/{id}/`` takes."""

    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)
    granted_by = serializers.EmailField(source="granted_by.email", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role", "granted_at", "granted_by"]


class RoleGrantSerializer(ModelSerializer):
    """A role that awaits a second admin's approval (roles that read identities); ``id`` is what approve/reject take."""

    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)
    status = serializers.ChoiceField(choices=RoleGrant.Status.choices, read_only=True)
    requested_by = serializers.EmailField(source="requested_by.email", read_only=True, allow_null=True, default=None)
    decided_by = serializers.EmailField(source="decided_by.email", read_only=True, allow_null=True, default=None)

    class Meta:
        model = RoleGrant
        fields = [
            "id",
            "email",
            "full_name",
            "role",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
        ]


class MemberGrantInputSerializer(InputSerializer):
    email = serializers.EmailField(
        help_text="The person's e-mail; a new address gets an account and a set-password link."
    )
    role = serializers.ChoiceField(choices=Role.choices)
    full_name = serializers.CharField(
        max_length=200, required=False, default="", help_text="Used only when the e-mail has no account yet."
    )


class OwnMembershipSerializer(ModelSerializer):
    biobank: serializers.SlugRelatedField[Biobank] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    biobank_name = serializers.CharField(source="biobank.name", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)

    class Meta:
        model = Membership
        fields = ["biobank", "biobank_name", "role"]


class PersonMeSerializer(serializers.Serializer):
    """A signed-in person (session)."""

    kind = serializers.ChoiceField(choices=[("person", "person")], default="person")
    email = serializers.EmailField()
    full_name = serializers.CharField()
    is_researcher = serializers.BooleanField()
    is_donor = serializers.BooleanField()
    memberships = OwnMembershipSerializer(many=True)


class TokenMeSerializer(serializers.Serializer):
    """A partner system's API token."""

    kind = serializers.ChoiceField(choices=[("token", "token")], default="token")
    name = serializers.CharField()
    key_prefix = serializers.CharField(help_text="The first characters of the token, to recognise it in lists.")
    biobank = serializers.CharField(source="biobank.code", help_text="Code of the token's biobank.")
    permissions = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(perm.value for perm in BIOBANK_PERMISSIONS))
    )
    expires_at = UtcDateTimeField()
