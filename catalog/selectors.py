"""Permission-scoped reads of collections, used by the HTML views and the API alike."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from biobank.accounts.choices import Perm
from biobank.accounts.principals import Principal, TokenPrincipal
from biobank.accounts.selectors import biobank_ids_with_perm

from .models import Collection


def collections_visible_to(*, user: Principal) -> QuerySet[Collection]:
    """Collections of biobanks where ``user`` may see the catalogue, plus any shared with them one by one."""
    scope = Q(biobank__in=biobank_ids_with_perm(user=user, perm=Perm.VIEW_CATALOG))
    if not isinstance(user, TokenPrincipal) and user is not None and user.is_authenticated:
        shared = get_objects_for_user(
            user, "catalog.view_collection", klass=Collection, accept_global_perms=False, with_superuser=False
        ).values("pk")
        scope |= Q(pk__in=shared)
    return Collection.objects.filter(scope).select_related("biobank")


def collections_changeable_by(*, user: Principal) -> QuerySet[Collection]:
    scope = Q(biobank__in=biobank_ids_with_perm(user=user, perm=Perm.MANAGE_CATALOG))
    if not isinstance(user, TokenPrincipal) and user is not None and user.is_authenticated:
        shared = get_objects_for_user(
            user, "catalog.change_collection", klass=Collection, accept_global_perms=False, with_superuser=False
        ).values("pk")
        scope |= Q(pk__in=shared)
    return Collection.objects.filter(scope).select_related("biobank")


def collections_by_biobank(*, user: Principal, biobank_ids: list[int]) -> dict[int, list[Collection]]:
    """The dashboard's collections tile: each biobank's visible collections by name, in one query."""
    by_biobank: dict[int, list[Collection]] = {pk: [] for pk in biobank_ids}
    for collection in collections_visible_to(user=user).filter(biobank__in=biobank_ids).order_by("name"):
        by_biobank[collection.biobank_id].append(collection)
    return by_biobank


def collection_names_of(user: Principal, biobank_ids: list[int]) -> Iterable[tuple[int, str]]:
    """(biobank id, collection name) pairs for the researchers' network directory: the collections ``user`` may see,
    through ``collections_visible_to`` like the collections page, so the two never disagree (issue 16, item 10)."""
    visible = collections_visible_to(user=user).filter(biobank__in=biobank_ids)
    return visible.order_by("name").values_list("biobank_id", "name")
