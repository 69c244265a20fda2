"""The typed identity is checked field by field and every problem is reported at once (issue 16, item 6)."""

from __future__ import annotations

import pytest

from biobank.errors import DomainError, InvalidFields
from consent.services import identity_clean

GOOD = {"given_names": "Paul", "family_name": "Weber", "date_of_birth": "1981-11-02"}


def test_three_wrong_fields_are_reported_together():
    with pytest.raises(InvalidFields) as raised:
        identity_clean(**{**GOOD, "family_name": "", "date_of_birth": "2999-01-01", "email": "nope"})

    assert set(raised.value.errors) == {"family_name", "date_of_birth", "email"}
    assert "in the future" in raised.value.errors["date_of_birth"][0]


def test_one_wrong_field_is_still_a_plain_domain_error_naming_it():
    with pytest.raises(DomainError) as raised:
        identity_clean(**{**GOOD, "phone": "call me"})

    assert not isinstance(raised.value, InvalidFields)
    assert raised.value.field == "phone" and "digits" in raised.value.message


def test_a_good_identity_is_cleaned():
    identity = identity_clean(**{**GOOD, "given_names": "  Paul   Jakob ", "email": "p@example.org"})
    assert identity.given_names == "Paul Jakob" and identity.date_of_birth.year == 1981
