"""Permission-scoped reads of collections, used by the HTML views and the API alike."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from biobank.accounts.principals import TokenPrincipal
from biobank.accounts.selectors import biobank_ids_with_perm

from .models import Collection


def collections_visible_to(*, user: Any) -> QuerySet[Collection]:
    """Collections of biobanks where ``user`` may see the catalogue, plus any shared with them one by one."""
    scope = Q(biobank__in=biobank_ids_with_perm(user=user, perm="view_catalog"))
    if not isinstance(user, TokenPrincipal) and user is not None and user.is_authenticated:
        shared = get_objects_for_user(
            user, "catalog.view_collection", klass=Collection, accept_global_perms=False, with_superuser=False
        ).values("pk")
        scope |= Q(pk__in=shared)
    return Collection.objects.filter(scope).select_related("biobank")


def collections_changeable_by(*, user: Any) -> QuerySet[Collection]:
    scope = Q(biobank__in=biobank_ids_with_perm(user=user, perm="manage_catalog"))
    if not isinstance(user, TokenPrincipal) and user is not None and user.is_authenticated:
        shared = get_objects_for_user(
            user, "catalog.change_collection", klass=Collection, accept_global_perms=False, with_superuser=False
        ).values("pk")
        scope |= Q(pk__in=shared)
    return Collection.objects.filter(scope).select_related("biobank")
