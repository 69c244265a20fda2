from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """MIABIS catalogue: biobank profiles and collections."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog"
    label = "catalog"
    verbose_name = "catalog"
