from django.apps import AppConfig


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
        from biobank.web.context_processors import register_main_link
        from biobank.web.panels import register_biobank_tile, register_directory_source

        from .choices import CatalogAuditAction
        from .demo_seed import seed
        from .selectors import collection_names_of, collections_by_biobank

        register_audit_actions(CatalogAuditAction)
        # Every role holding manage_catalog also holds view_catalog (accounts.choices.ROLE_PERMISSIONS).
        register_main_link(label=_("Collections"), url_name="catalog:collection_list", perm=Perm.VIEW_CATALOG)
        register_biobank_tile(
            template="catalog/partials/collections_tile.html",
            perms=(Perm.VIEW_CATALOG, Perm.MANAGE_CATALOG),
            load=collections_by_biobank,
        )
        register_directory_source(collection_names_of)
        register_demo_seeder("catalogue collections", seed)
