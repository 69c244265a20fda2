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

        from .services.status import specimens_consent_block

        register_withdrawal_effect(specimens_consent_block)

        from django.utils.translation import gettext_lazy as _

        from biobank.accounts.choices import Perm
        from biobank.web.context_processors import register_biobank_link

        # storage: the tree of units, box maps, placement (specimens/views/storage.py)
        register_biobank_link(label=_("Storage"), url_name="specimens:storage", perm=Perm.VIEW_SPECIMENS)
