"""Permission-scoped reads of accounts data. The one read path for HTML views and the API alike.

Deny by default: an anonymous visitor gets nothing; a person gets the biobanks where one of their roles grants the
permission (django-guardian group object permissions, resolved as one subquery); an API token gets its own biobank
if it was granted the permission. A foreign biobank is simply absent, so views answer 404.

A deactivated biobank (``Biobank.is_active`` false, see ``services.biobank_deactivate``) is absent for every
permission, for members, superusers and tokens alike, except ``AUDITOR_READ_PERMISSIONS`` for people who hold
``view_audit`` there: the auditor keeps reading the trail of a closed biobank (issue 9, item 3).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from .choices import BIOBANK_PERMISSIONS, Perm
from .models import ApiToken, Biobank, Membership, RoleGrant, User
from .principals import Principal, TokenPrincipal

# What an auditor still reads in a deactivated biobank: the biobank itself (its page and team) and its audit trail.
# Donors, specimens, catalogue and every write are cut off for everyone.
AUDITOR_READ_PERMISSIONS: frozenset[Perm] = frozenset({Perm.VIEW_BIOBANK, Perm.VIEW_AUDIT})


def _check_codename(perm: str) -> None:
    if perm not in BIOBANK_PERMISSIONS:
        raise ValueError(f"Unknown biobank permission {perm!r}; known: {', '.join(BIOBANK_PERMISSIONS)}")


def biobanks_with_perm(*, user: Principal, perm: Perm) -> QuerySet[Biobank]:
    """Biobanks on which ``user`` (person or token) holds ``perm`` (a codename of ``BIOBANK_PERMISSIONS``)."""
    _check_codename(perm)
    if isinstance(user, TokenPrincipal):
        if not user.grants(perm):
            return Biobank.objects.none()
        return Biobank.objects.filter(pk=user.biobank_id, is_active=True)
    if user is None or not user.is_authenticated or not user.is_active:
        return Biobank.objects.none()
    permitted = _guardian_biobanks(user=user, perm=perm)
    if perm == Perm.VIEW_AUDIT:
        return permitted
    if perm in AUDITOR_READ_PERMISSIONS:
        auditing = _guardian_biobanks(user=user, perm=Perm.VIEW_AUDIT).values("pk")
        return permitted.filter(Q(is_active=True) | Q(pk__in=auditing))
    return permitted.filter(is_active=True)


def _guardian_biobanks(*, user: User, perm: Perm) -> QuerySet[Biobank]:
    return get_objects_for_user(user, f"accounts.{perm}", klass=Biobank, accept_global_perms=False, with_superuser=True)


def biobank_ids_with_perm(*, user: Principal, perm: Perm) -> QuerySet:
    """The same as a ``values('pk')`` subquery, for filtering other models' rows by their biobank."""
    return biobanks_with_perm(user=user, perm=perm).values("pk")


def biobanks_visible_to(*, user: Principal) -> QuerySet[Biobank]:
    return biobanks_with_perm(user=user, perm=Perm.VIEW_BIOBANK).select_related("network")


def biobank_get_for(*, user: Principal, code: str, perm: Perm = Perm.VIEW_BIOBANK) -> Biobank:
    """One biobank by code, if ``user`` holds ``perm`` on it; raises ``Biobank.DoesNotExist`` otherwise (→ 404)."""
    return biobanks_with_perm(user=user, perm=perm).get(code=code)


def user_has_biobank_perm(*, user: Principal, biobank: Biobank, perm: Perm) -> bool:
    return biobanks_with_perm(user=user, perm=perm).filter(pk=biobank.pk).exists()


def biobank_perms_of(*, user: Principal, biobank: Biobank) -> frozenset[str]:
    """Every permission codename ``user`` holds on ``biobank`` (used to build navigation and to hide buttons)."""
    if isinstance(user, TokenPrincipal):
        return (
            frozenset(p for p in user.token.permissions if user.token.is_usable)
            if user.biobank_id == biobank.pk
            else frozenset()
        )
    if user is None or not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        perms: frozenset[str] = frozenset(BIOBANK_PERMISSIONS)
    else:
        from guardian.core import ObjectPermissionChecker

        perms = frozenset(ObjectPermissionChecker(user).get_perms(biobank))
    if not biobank.is_active:  # the same rule as biobanks_with_perm: only an auditor's reads survive
        return perms & AUDITOR_READ_PERMISSIONS if "view_audit" in perms else frozenset()
    return perms


def memberships_of_user(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, biobank__is_active=True).select_related("biobank")


def may_list_members(*, user: Principal, biobank: Biobank) -> bool:
    """People who may see ``biobank`` see its team (names, e-mails, roles); API tokens never see people."""
    if isinstance(user, TokenPrincipal):
        return False
    return user_has_biobank_perm(user=user, biobank=biobank, perm=Perm.VIEW_BIOBANK)


def members_of_biobank(*, user: Principal, biobank: Biobank) -> QuerySet[User]:
    """People with at least one role in ``biobank``, each with their memberships there prefetched."""
    if not may_list_members(user=user, biobank=biobank):
        return User.objects.none()
    return (
        User.objects.filter(memberships__biobank=biobank)
        .distinct()
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.filter(biobank=biobank), to_attr="roles_here")
        )
        .order_by("email")
    )


def memberships_of_biobank(*, user: Principal, biobank: Biobank) -> QuerySet[Membership]:
    """One row per role of a person in ``biobank`` (the API's member list); same rule as ``members_of_biobank``."""
    if not may_list_members(user=user, biobank=biobank):
        return Membership.objects.none()
    return Membership.objects.filter(biobank=biobank).select_related("user", "granted_by")


def role_grants_pending_of_biobank(*, user: Principal, biobank: Biobank) -> QuerySet[RoleGrant]:
    """Roles awaiting a second admin's approval in ``biobank``; visible to those who manage its members."""
    if isinstance(user, TokenPrincipal) or not user_has_biobank_perm(
        user=user, biobank=biobank, perm=Perm.MANAGE_MEMBERS
    ):
        return RoleGrant.objects.none()
    return RoleGrant.objects.filter(biobank=biobank, status=RoleGrant.Status.PENDING).select_related(
        "user", "requested_by"
    )


def api_tokens_visible_to(*, user: Principal) -> QuerySet[ApiToken]:
    """Tokens of the biobanks where ``user`` manages tokens or reads the audit trail."""
    return ApiToken.objects.filter(
        Q(biobank__in=biobank_ids_with_perm(user=user, perm=Perm.MANAGE_API_TOKENS))
        | Q(biobank__in=biobank_ids_with_perm(user=user, perm=Perm.VIEW_AUDIT))
    )


def api_tokens_of_biobank(*, user: Principal, biobank: Biobank) -> QuerySet[ApiToken]:
    if not user_has_biobank_perm(user=user, biobank=biobank, perm=Perm.MANAGE_API_TOKENS):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(biobank=biobank).select_related("created_by", "revoked_by")


def _token_lookup_sql() -> str:
    token = ", ".join(f't."{field.column}"' for field in ApiToken._meta.concrete_fields)
    biobank = ", ".join(f'b."{field.column}"' for field in Biobank._meta.concrete_fields)
    return (
        f'SELECT {token}, {biobank} FROM "{ApiToken._meta.db_table}" t '  # noqa: S608 (names from the models)
        f'JOIN "{Biobank._meta.db_table}" b ON b."id" = t."biobank_id" WHERE t."key_hash" = %s'
    )


_TOKEN_LOOKUP_SQL = _token_lookup_sql()


def api_token_by_hash(key_hash: str) -> ApiToken | None:
    """The token whose secret hashes to ``key_hash``, with its biobank; ``None`` if there is none.

    Every API request of a partner system starts here, so the statement is written once from the two models' columns
    instead of by the ORM per request, which cost about 0.7 ms of CPU (docs/performance.md, "Sixth pass"). No column
    of either model needs a conversion from the database's value (``tests/accounts/test_selectors.py`` checks it,
    and that the token equals the ORM's).
    """
    with connection.cursor() as cursor:
        cursor.execute(_TOKEN_LOOKUP_SQL, [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    token_fields, biobank_fields = ApiToken._meta.concrete_fields, Biobank._meta.concrete_fields
    split = len(token_fields)
    token = ApiToken.from_db(connection.alias, [field.attname for field in token_fields], row[:split])
    biobank = Biobank.from_db(connection.alias, [field.attname for field in biobank_fields], row[split:])
    ApiToken.biobank.field.set_cached_value(token, biobank)
    return token
