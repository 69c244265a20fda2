from django.apps import AppConfig


class AccessRequestsConfig(AppConfig):
    """Researcher requests, committees, votes, releases."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "access_requests"
    label = "access_requests"
    verbose_name = "access requests"
