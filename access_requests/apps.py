from django.apps import AppConfig


class AccessRequestsConfig(AppConfig):
    """Researcher requests, committees, votes, releases."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "access_requests"
    label = "access_requests"
    verbose_name = "access requests"

    def ready(self) -> None:
        # --- fulfilment: a donor's withdrawal reaches releases and shipments; the donor's list of projects ---
        from consent.selectors.portal import register_donor_projects_source
        from consent.withdrawal_effects import register_withdrawal_effect

        from .services.withdrawals import donor_projects, requests_withdrawal_notify

        register_withdrawal_effect(requests_withdrawal_notify, name="access_requests.requests", order=40)
        register_donor_projects_source(donor_projects)
