from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CatalogConfig(AppConfig):
    """MIABIS catalogue: biobank profiles and collections."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog"
    label = "catalog"
    verbose_name = "catalog"

    def ready(self) -> None:
        """Plug into the core through its hooks: the core never imports the catalogue (issue 10, item 1)."""
        from django.utils.translation import gettext_lazy as _

        from biobank.accounts.choices import Perm
        from biobank.audit.choices import register_audit_actions
        from biobank.demo import register_demo_seeder
        from biobank.web.context_processors import register_biobank_link, register_main_link, register_public_link
        from biobank.web.panels import register_biobank_tile, register_directory_source

        from .choices import CatalogAuditAction
        from .demo_seed import seed
        from .quality import quality_tile
        from .selectors import collection_names_of, collections_by_biobank

        register_audit_actions(CatalogAuditAction)
        # Every role holding manage_catalog also holds view_catalog (accounts.choices.ROLE_PERMISSIONS).
        register_main_link(label=_("Collections"), url_name="catalog:collection_list", perm=Perm.VIEW_CATALOG)
        register_public_link(label=_("Catalogue"), url_name="catalogue:home")  # everyone, signed in or not
        register_biobank_tile(
            template="catalog/partials/collections_tile.html",
            perms=(Perm.VIEW_CATALOG, Perm.MANAGE_CATALOG),
            load=collections_by_biobank,
        )
        register_biobank_tile(
            template="catalog/partials/quality_tile.html", perms=(Perm.MANAGE_CATALOG,), load=quality_tile
        )
        # The catalogue management (descriptions, publication, data quality) of each biobank, for its data managers;
        # "Collections" above stays the cross-biobank list for everyone who may see collections.
        register_biobank_link(label=_("Catalogue"), url_name="catalog_manage:biobank", perm=Perm.MANAGE_CATALOG)
        register_directory_source(collection_names_of)
        # the header's global search: a collection's name or code (catalog/search_global.py)
        from biobank.web.search import register_search_provider

        from .search_global import collections_search

        register_search_provider("collections", collections_search)
        register_demo_seeder("catalogue collections", seed)
        from .facts import tasks as _facts_tasks  # noqa: F401 (registers the Celery tasks)

        post_migrate.connect(_load_vocabularies_after_migrate, sender=self)


def _load_vocabularies_after_migrate(plan: object = None, using: str = "default", **kwargs: object) -> None:
    """``migrate`` keeps the stored vocabularies in step with ``catalog/data`` (a no-op when they did not change).

    A test database's flush also sends ``post_migrate``, without a plan: nothing is loaded then (tests that need
    the stored terms load them with the ``vocabulary_terms`` fixture), so a flush stays fast.
    """
    if plan is None:
        return
    from .vocabulary_loader import load_vocabularies

    load_vocabularies()
