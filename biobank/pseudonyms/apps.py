from django.apps import AppConfig


class PseudonymsConfig(AppConfig):
    """Keyed-HMAC pseudonym domains (filled by the donors & pseudonyms issue)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "biobank.pseudonyms"
    label = "pseudonyms"
    verbose_name = "pseudonyms"
