from django.apps import AppConfig


class AccessRequestsConfig(AppConfig):
    """Researcher requests, committees, votes, releases."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "access_requests"
    label = "access_requests"
    verbose_name = "access requests"

    def ready(self) -> None:
        # --- entitle: the demo biobanks' transfer agreement (access_requests/demo.py) ---
        from biobank.demo import register_demo_seeder

        from .demo import seed_agreements

        register_demo_seeder("transfer agreements of the demo biobanks (MDTA v1)", seed_agreements)
