"""The pure computation: domain keys and the rendering of a MAC as a pseudonym."""

from __future__ import annotations

import hmac
import os

from hypothesis import given
from hypothesis import strategies as st

from biobank.pseudonyms.checkchar import is_valid
from biobank.pseudonyms.engine import Pseudonymiser, domain_key, render

MASTER = bytes(range(32))


def test_domain_keys_differ_per_domain_and_per_version():
    keys = {
        domain_key(MASTER, domain_code="pid-a", version=1),
        domain_key(MASTER, domain_code="pid-a", version=2),
        domain_key(MASTER, domain_code="pid-b", version=1),
        domain_key(os.urandom(32), domain_code="pid-a", version=1),
    }
    assert len(keys) == 4


def test_a_pseudonym_is_the_rendered_hmac_of_the_subject():
    key = domain_key(MASTER, domain_code="pid-a", version=1)
    pseudonym = Pseudonymiser(key)("subject-1")
    assert pseudonym == render(hmac.digest(key, b"subject-1", "sha256"))
    assert is_valid(pseudonym)


def test_the_bulk_path_equals_the_single_path():
    compute = Pseudonymiser(domain_key(MASTER, domain_code="pid-a", version=1))
    subjects = [f"S{i}" for i in range(500)]
    assert compute.many(subjects) == [compute(s) for s in subjects]


def test_a_collision_retry_gives_another_valid_pseudonym():
    compute = Pseudonymiser(domain_key(MASTER, domain_code="pid-a", version=1))
    assert compute("s", 1) != compute("s")
    assert is_valid(compute("s", 1))


def test_the_pseudonymiser_never_shows_its_key():
    assert MASTER.hex() not in repr(Pseudonymiser(MASTER))


@given(key=st.binary(min_size=1, max_size=100), message=st.binary(max_size=200))
def test_the_precomputed_state_hmac_is_standard_hmac_sha256(key, message):
    assert Pseudonymiser(key).mac(message) == hmac.digest(key, message, "sha256")
