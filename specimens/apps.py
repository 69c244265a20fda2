from django.apps import AppConfig


class SpecimensConfig(AppConfig):
    """Specimens, SPREC, lineage, storage, events, labels, imports."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "specimens"
    label = "specimens"
    verbose_name = "specimens"

    def ready(self) -> None:
        """Plug into the core through its hooks (the core never imports this app)."""
        from biobank.audit.choices import register_audit_actions

        from .choices import SpecimenAuditAction

        register_audit_actions(SpecimenAuditAction)

        from consent.withdrawal_effects import register_withdrawal_effect

        from .services.propagation import specimens_catalogue_facts, specimens_withdrawal_worklists
        from .services.status import specimens_consent_block

        # A withdrawal's propagation (consent.services.propagation), in this order: block, then facts, then counts.
        register_withdrawal_effect(specimens_consent_block, name="specimens.consent_block", order=10)
        register_withdrawal_effect(specimens_catalogue_facts, name="catalog.facts", order=20)
        register_withdrawal_effect(specimens_withdrawal_worklists, name="specimens.worklists", order=30)

        # The inventory feeds the catalogue's collection facts (catalog.facts.sources).
        from .catalog_facts import register as register_catalog_facts

        register_catalog_facts()

        # The technician's pages (specimens/views/): navigation and the dashboard tile.
        from django.utils.translation import gettext_lazy as _

        from biobank.accounts.choices import Perm
        from biobank.web.context_processors import register_biobank_link
        from biobank.web.panels import register_biobank_tile

        from .selectors.lists import specimen_counts_by_biobank

        register_biobank_link(label=_("Specimens"), url_name="specimens:specimen_list", perm=Perm.VIEW_SPECIMENS)
        register_biobank_link(
            label=_("Register specimen"), url_name="specimens:specimen_register", perm=Perm.CHANGE_SPECIMENS
        )
        register_biobank_link(label=_("Worklists"), url_name="specimens:worklists", perm=Perm.VIEW_SPECIMENS)
        # the header's global search: a barcode opens its specimen (specimens/search.py)
        from biobank.web.search import register_search_provider

        from .search import specimens_search

        register_search_provider("specimens", specimens_search)
        register_biobank_tile(
            template="specimens/partials/status_tile.html",
            perms=(Perm.VIEW_SPECIMENS,),
            load=specimen_counts_by_biobank,
        )

        # --- dash: the role dashboards (specimens/selectors/dashboard.py) ---
        from .selectors.dashboard import freezers_by_biobank, inventory_by_biobank, worklist_counts_by_biobank

        register_biobank_tile(
            template="specimens/partials/worklists_tile.html",
            perms=(Perm.CHANGE_SPECIMENS,),
            load=worklist_counts_by_biobank,
        )
        register_biobank_tile(
            template="specimens/partials/inventory_tile.html", perms=(Perm.MANAGE_MEMBERS,), load=inventory_by_biobank
        )
        register_biobank_tile(
            template="specimens/partials/freezers_tile.html", perms=(Perm.MANAGE_MEMBERS,), load=freezers_by_biobank
        )

        register_biobank_link(label=_("Import specimens"), url_name="specimens:import_list", perm=Perm.CHANGE_SPECIMENS)
        # storage: the tree of units, box maps, placement (specimens/views/storage.py)
        register_biobank_link(label=_("Storage"), url_name="specimens:storage", perm=Perm.VIEW_SPECIMENS)

        from biobank.demo import register_demo_seeder

        from .demo_seed import seed

        register_demo_seeder("specimens, storage, events and an example import", seed)

        from .demo_catalog import seed as seed_catalogue_inventory

        register_demo_seeder("the demo collections' cohorts and their facts", seed_catalogue_inventory)
