"""Input and output shapes of the donors API. Only ``IdentitySerializer`` carries identifying data, and only the
steward's identity endpoint uses it; every other response is pseudonymous (PID, sex, year and month of birth)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.api.fields import BiobankCodeField
from biobank.api.schema import ProblemSerializer
from biobank.api.serializers import InputSerializer, ModelSerializer
from biobank.pseudonyms import checkchar
from consent.choices import Sex
from consent.models import Donor
from consent.models.identity import IDENTITY_MAX_LENGTH


def _identity(name: str, *, required: bool = False) -> serializers.CharField:
    """An identity input, as long as the registration service allows (``IDENTITY_MAX_LENGTH``); optional ones may be
    left out or blank."""
    if required:
        return serializers.CharField(max_length=IDENTITY_MAX_LENGTH[name])
    return serializers.CharField(max_length=IDENTITY_MAX_LENGTH[name], required=False, allow_blank=True, default="")


class DonorSerializer(ModelSerializer):
    pid = serializers.CharField(source="pid_display", read_only=True, help_text="PID, e.g. `ABCDE-FGHJK-M`.")
    biobank: serializers.SlugRelatedField[Biobank] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="The biobank's code."
    )
    merged_into = serializers.SerializerMethodField(help_text="For a merged donor: the PID it was merged into.")

    class Meta:
        model = Donor
        fields = ["pid", "biobank", "sex", "birth_year", "birth_month", "status", "merged_into", "created_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_merged_into(self, donor: Donor) -> str | None:
        return donor.merged_into.pid_display if donor.merged_into is not None else None


class DonorDetailSerializer(DonorSerializer):
    """One donor looked up by a PID: ``pid`` is always the current one; ``asked_pid`` says when an earlier was asked."""

    asked_pid = serializers.SerializerMethodField(
        help_text="Set when the PID in the URL is an earlier PID of this donor (e.g. from a label printed before a "
        "key rotation): that PID, while `pid` is the current one. Null when the current PID was asked."
    )

    class Meta(DonorSerializer.Meta):
        fields = [*DonorSerializer.Meta.fields, "asked_pid"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_asked_pid(self, donor: Donor) -> str | None:
        asked = self.context.get("asked_pid")
        return checkchar.display(asked) if asked else None


class DonorRegisterInputSerializer(InputSerializer):
    biobank = BiobankCodeField(perm=Perm.MANAGE_CONSENT, action="register donors")
    given_names = _identity("given_names", required=True)
    family_name = _identity("family_name", required=True)
    date_of_birth = serializers.DateField(help_text="YYYY-MM-DD; only year and month are kept outside the vault.")
    sex = serializers.ChoiceField(choices=Sex.choices, default=Sex.UNKNOWN)
    address = _identity("address")
    hospital_id = _identity("hospital_id")
    national_id = _identity("national_id")
    email = _identity("email")
    phone = _identity("phone")


class IdentityRequestSerializer(InputSerializer):
    reason = serializers.CharField(
        max_length=500, help_text="Why you need to see this identity; recorded in the audit trail."
    )


class IdentitySerializer(serializers.Serializer):
    """A donor's identifying data, for an identity steward (the only response that carries it)."""

    pid = serializers.CharField()
    given_names = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField()
    address = serializers.CharField(allow_blank=True)
    hospital_id = serializers.CharField(allow_blank=True)
    national_id = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)


class DuplicateProblemSerializer(ProblemSerializer):
    """409 of a registration that may duplicate a registered donor: held for review, no donor created.

    Only the review's number: naming the donor it may duplicate would tell whoever registers (an API token
    included) whether a named person is a donor and their PID. An identity steward sees the candidates.
    """

    review_id = serializers.IntegerField(
        help_text="The possible-duplicate review that holds the registration; an identity steward decides it on the "
        "staff pages."
    )
