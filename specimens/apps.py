from django.apps import AppConfig


class SpecimensConfig(AppConfig):
    """Specimens, SPREC, lineage, storage, events, labels, imports."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "specimens"
    label = "specimens"
    verbose_name = "specimens"
