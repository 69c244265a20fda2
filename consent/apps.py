from django.apps import AppConfig


class ConsentConfig(AppConfig):
    """Donors, identity vault, consent catalogue and signed consents."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "consent"
    label = "consent"
    verbose_name = "consent"
