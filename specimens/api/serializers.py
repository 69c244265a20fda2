"""Shapes of the public SPREC endpoints, for the schema (the engine itself checks the input: one error format)."""

from __future__ import annotations

from rest_framework import serializers

from biobank.api.schema import ProblemFieldErrorSerializer, ProblemSerializer
from biobank.api.utc import UtcDateTimeField

from ..sprec.tables import tables


class SprecElementSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="1 to 7.")
    element = serializers.CharField(help_text="The name of the position, e.g. `Type of sample`.")
    letter = serializers.CharField(help_text="The code at this position: three letters (1, 2, solid 5) or one.")
    meaning = serializers.CharField(help_text="What the code means.")
    status = serializers.CharField(
        allow_null=True,
        help_text="Evidence of the code in the reference data: `null` when plain, else `v3-added`, `unverified` "
        "(accepted but weakly sourced) or `conflict` (sources disagree; e.g. the legacy alias `ASN`).",
    )


class SprecDecodedSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The code in its canonical spelling (upper case).")
    kind = serializers.ChoiceField(choices=["fluid", "solid"])
    version = serializers.CharField(help_text="The SPREC version of the code lists, `3.0`.")
    elements = SprecElementSerializer(many=True)


class SprecPositionSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="1 to 7.")
    letter = serializers.CharField(help_text="`X` (`XXX`) where the fact is missing.")
    meaning = serializers.CharField()
    status = serializers.CharField(allow_null=True, help_text="As in the decoded elements.")


class SprecDerivedSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=["fluid", "solid"])
    positions = SprecPositionSerializer(many=True)


SPIN_HELP = (
    '`"none"` (no centrifugation: N) or `{"temperature_c": number, "duration_min": number, "g_force": number, '
    '"braking": true|false}`; a missing part gives X.'
)


class SprecDeriveInputSerializer(serializers.Serializer):
    """The facts of one sample; every fact is optional (a missing one gives X)."""

    kind = serializers.ChoiceField(choices=["fluid", "solid"])
    sample_type = serializers.CharField(required=False, help_text="SPREC type of sample, e.g. `SER`, `TIS`.")
    primary_container = serializers.CharField(required=False, help_text="Fluid: SPREC primary container, e.g. `SST`.")
    collection_type = serializers.CharField(required=False, help_text="Solid: SPREC type of collection, e.g. `SRG`.")
    collection_time = UtcDateTimeField(required=False, help_text="ISO 8601.")
    centrifugation_start = UtcDateTimeField(
        required=False, help_text="ISO 8601; the pre-centrifugation delay is the whole minutes since collection_time."
    )
    pre_centrifugation_delay_min = serializers.FloatField(required=False, help_text="Wins over the timestamps.")
    pre_centrifugation_temperature_c = serializers.FloatField(required=False)
    centrifugation = serializers.JSONField(required=False, help_text=SPIN_HELP)
    second_centrifugation = serializers.JSONField(required=False, help_text=SPIN_HELP)
    post_centrifugation_delay_min = serializers.FloatField(required=False)
    post_centrifugation_temperature_c = serializers.FloatField(required=False)
    storage_container = serializers.ChoiceField(required=False, choices=list(tables().containers))
    storage_method = serializers.ChoiceField(required=False, choices=list(tables().methods))
    storage_temperature_c = serializers.FloatField(required=False)
    warm_ischemia_min = serializers.JSONField(required=False, help_text='Minutes, or `"none"` (N).')
    cold_ischemia_min = serializers.JSONField(required=False, help_text='Minutes, or `"none"` (N).')
    fixation = serializers.CharField(required=False, help_text="SPREC fixation type, e.g. `NBF`.")
    fixation_duration_min = serializers.JSONField(required=False, help_text='Minutes, or `"none"` (N).')


class SprecFieldErrorSerializer(ProblemFieldErrorSerializer):
    value = serializers.CharField(help_text="The offending value (cut to 40 characters).")
    position = serializers.IntegerField(
        required=False, allow_null=True, help_text="Decoding: the position (1 to 7); null for the code as a whole."
    )
    fact = serializers.CharField(required=False, help_text="Deriving: the fact (`centrifugation/g_force`).")


class SprecProblemSerializer(ProblemSerializer):
    errors = SprecFieldErrorSerializer(many=True, required=False, help_text="Every invalid position or fact.")
