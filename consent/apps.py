from django.apps import AppConfig


class ConsentConfig(AppConfig):
    """Donors, identity vault, consent catalogue and signed consents."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "consent"
    label = "consent"
    verbose_name = "consent"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from biobank.accounts.choices import Perm
        from biobank.audit.choices import register_audit_actions

        from .choices import ConsentAuditAction

        register_audit_actions(ConsentAuditAction)
        from biobank.web.context_processors import register_biobank_link

        register_biobank_link(label=_("Consent templates"), url_name="consent:template_list", perm=Perm.MANAGE_CONSENT)
        register_biobank_link(label=_("Record consent"), url_name="consent:capture", perm=Perm.MANAGE_CONSENT)
        # donor registry (consent/views/donors.py)
        register_biobank_link(label=_("Donors"), url_name="consent:donor_list", perm=Perm.VIEW_DONORS)
        register_biobank_link(label=_("Identity lookup"), url_name="consent:identity_lookup", perm=Perm.VIEW_IDENTITY)
        # dynamic consent, staff side (consent/views/portal_staff.py)
        register_biobank_link(label=_("Re-consent campaigns"), url_name="consent:campaign_list", perm=Perm.VIEW_DONORS)
        register_biobank_link(label=_("Messages to donors"), url_name="consent:message_list", perm=Perm.MANAGE_CONSENT)
        # the header's global search: a PID opens the donor (consent/search.py)
        from biobank.web.search import register_search_provider

        from .search import donors_search

        register_search_provider("donors", donors_search)

        # --- dash: the role dashboards (consent/selectors/dashboard.py) ---
        from biobank.web.panels import register_biobank_tile

        from .selectors import dashboard

        register_biobank_tile(
            template="consent/partials/consent_status_tile.html",
            perms=(Perm.MANAGE_MEMBERS,),
            load=dashboard.consent_status_by_biobank,
        )
        register_biobank_tile(
            template="consent/partials/consent_work_tile.html",
            perms=(Perm.MANAGE_CONSENT,),
            load=dashboard.consent_work_by_biobank,
        )
        register_biobank_tile(
            template="consent/partials/steward_tile.html",
            perms=(Perm.VIEW_IDENTITY,),
            load=dashboard.steward_work_by_biobank,
        )
        register_biobank_tile(
            template="consent/partials/sensitive_reads_tile.html",
            perms=(Perm.VIEW_AUDIT,),
            load=dashboard.sensitive_reads_by_biobank,
        )

        from biobank.demo import register_demo_seeder

        from .demo_seed import seed

        register_demo_seeder("consent catalogue, donors and consents", seed)

        from .demo_portal import seed as seed_portal

        register_demo_seeder("the demo donor's portal account (donor@example.org)", seed_portal)

        from .demo_dashboards import seed as seed_dashboards

        register_demo_seeder(
            "a re-consent campaign in progress, re-identifications and sensitive reads (the dashboards)",
            seed_dashboards,
        )

        # Dynamic consent: the donor is told last, after every other app acted on the withdrawal.
        from .services.portal import donor_notifications_stop, donor_withdrawal_confirm
        from .withdrawal_effects import register_withdrawal_effect

        register_withdrawal_effect(donor_notifications_stop, name="consent.donor_notifications", order=80)
        register_withdrawal_effect(donor_withdrawal_confirm, name="consent.donor_confirmation", order=90)
