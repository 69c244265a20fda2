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


def test_the_token_by_hash_is_the_orm_s_with_its_biobank_and_no_further_query(biobank_a, django_assert_num_queries):
    from biobank.accounts.models import ApiToken, hash_token
    from biobank.accounts.selectors import api_token_by_hash
    from tests.accounts.factories import make_token

    make_token(biobank_a, "view_specimens", name="other")
    secret = make_token(biobank_a, "view_specimens", "view_catalog")
    ApiToken.objects.filter(key_hash=hash_token(secret)).update(last_used_ip="2001:db8::1")
    expected = ApiToken.objects.select_related("biobank").get(key_hash=hash_token(secret))

    with django_assert_num_queries(1):
        token = api_token_by_hash(hash_token(secret))
        assert token is not None and token.biobank.code == biobank_a.code

    for field in ApiToken._meta.concrete_fields:
        assert getattr(token, field.attname) == getattr(expected, field.attname), field.name
    for field in type(biobank_a)._meta.concrete_fields:
        assert getattr(token.biobank, field.attname) == getattr(expected.biobank, field.attname), field.name
    assert token.permissions == ["view_catalog", "view_specimens"] and not token._state.adding
    assert api_token_by_hash(hash_token("bbp_unknown")) is None


def test_no_column_the_token_lookup_reads_needs_a_conversion_from_the_database():
    """``api_token_by_hash`` builds the instances from the raw values: a field with a converter (a JSONField, say)
    added to either model would need the ORM's path back."""
    from django.db import connection

    from biobank.accounts.models import ApiToken, Biobank

    for model in (ApiToken, Biobank):
        for field in model._meta.concrete_fields:
            column = field.get_col(model._meta.db_table)
            assert not field.get_db_converters(connection), field
            assert not connection.ops.get_db_converters(column), field
