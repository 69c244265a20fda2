"""Who sees which pseudonym domains."""

from __future__ import annotations

import pytest

from biobank.pseudonyms.models import PseudonymDomain
from biobank.pseudonyms.selectors import pid_domain_of, pseudonym_domain_get_for, pseudonym_domains_visible_to

pytestmark = pytest.mark.django_db


def test_an_identity_steward_sees_the_domains_of_their_biobank(pid_domain_a, release_domain_a, steward_a):
    assert set(pseudonym_domains_visible_to(user=steward_a)) == {pid_domain_a, release_domain_a}


def test_a_technician_without_donor_access_sees_no_domain(pid_domain_a, technician_a):
    assert not pseudonym_domains_visible_to(user=technician_a).exists()


def test_a_foreign_domain_is_not_found(pid_domain_a, steward_b):
    with pytest.raises(PseudonymDomain.DoesNotExist):
        pseudonym_domain_get_for(user=steward_b, code=pid_domain_a.code)


def test_the_pid_domain_of_a_biobank(pid_domain_a, release_domain_a, biobank_a):
    assert pid_domain_of(biobank=biobank_a) == pid_domain_a
