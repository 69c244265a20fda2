import pytest

from biobank.accounts.choices import ROLE_PERMISSIONS, Role
from biobank.accounts.selectors import biobank_perms_of, biobanks_visible_to, biobanks_with_perm
from tests.accounts.factories import make_member

pytestmark = pytest.mark.django_db


def test_a_member_sees_only_their_own_biobank(biobank_a, biobank_b, technician_a):
    assert list(biobanks_visible_to(user=technician_a)) == [biobank_a]


def test_each_role_holds_exactly_its_permissions(biobank_a):
    for role in Role:
        user = make_member(biobank_a, role, email=f"{role}@example.org")
        assert biobank_perms_of(user=user, biobank=biobank_a) == ROLE_PERMISSIONS[role], role


def test_a_technician_cannot_manage_members(biobank_a, technician_a):
    assert not biobanks_with_perm(user=technician_a, perm="manage_members").exists()


def test_an_unknown_permission_is_a_programming_error(technician_a):
    with pytest.raises(ValueError, match="Unknown biobank permission"):
        biobanks_with_perm(user=technician_a, perm="fly")
