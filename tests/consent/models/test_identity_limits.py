"""The donor identity's field limits are written once (``IDENTITY_MAX_LENGTH``, issue 10 item 6): the registration
service enforces them, and the registration form and the API serializer are built from them, so the three agree."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework import serializers

from biobank.errors import DomainError
from consent.api.donor_serializers import DonorRegisterInputSerializer
from consent.forms.donors import DonorRegisterForm, HospitalLookupForm
from consent.models.identity import IDENTITY_FIELDS, IDENTITY_MAX_LENGTH
from consent.services import identity_clean

REQUIRED = {"given_names": "Jane", "family_name": "Doe"}
FILLER = {"email": "a", "phone": "1"}  # characters each field accepts, repeated up to its limit


def test_every_typed_identity_field_but_the_date_of_birth_has_a_limit():
    assert set(IDENTITY_MAX_LENGTH) == set(IDENTITY_FIELDS) - {"date_of_birth"}


@pytest.mark.parametrize("name", sorted(IDENTITY_MAX_LENGTH))
def test_the_form_and_the_serializer_take_their_limits_from_the_one_definition(name):
    assert DonorRegisterForm.base_fields[name].max_length == IDENTITY_MAX_LENGTH[name]
    assert DonorRegisterInputSerializer().fields[name].max_length == IDENTITY_MAX_LENGTH[name]


def test_the_hospital_lookup_takes_the_same_limit_as_registration():
    assert HospitalLookupForm.base_fields["hospital_id"].max_length == IDENTITY_MAX_LENGTH["hospital_id"]


@pytest.mark.parametrize("name", sorted(IDENTITY_MAX_LENGTH))
def test_the_service_refuses_one_character_more_than_the_limit_naming_the_field(name):
    too_long = FILLER.get(name, "x") * (IDENTITY_MAX_LENGTH[name] + 1)
    with pytest.raises(DomainError) as refused:
        identity_clean(**{**REQUIRED, "date_of_birth": date(1970, 3, 7), name: too_long})
    assert refused.value.field == name
    assert f"at most {IDENTITY_MAX_LENGTH[name]} characters" in str(refused.value)


@pytest.mark.parametrize("name", sorted(set(IDENTITY_MAX_LENGTH) - {"email"}))
def test_the_service_form_and_serializer_all_accept_a_value_of_exactly_the_limit(name):
    value = FILLER.get(name, "x") * IDENTITY_MAX_LENGTH[name]
    data = {**REQUIRED, "date_of_birth": "1970-03-07", "sex": "unknown", name: value}
    assert getattr(identity_clean(**{**REQUIRED, "date_of_birth": date(1970, 3, 7), name: value}), name) == value
    assert DonorRegisterForm(data).is_valid()
    field = DonorRegisterInputSerializer().fields[name]  # the field alone: the biobank needs a request and a member
    assert field.run_validation(value) == value
    longer = {**data, name: value + "x"}
    assert not DonorRegisterForm(longer).is_valid()
    with pytest.raises(serializers.ValidationError):
        field.run_validation(value + "x")
