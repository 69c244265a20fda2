from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Outbox and hash-chained audit log (filled by the audit-trail issue)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "biobank.audit"
    label = "audit"
    verbose_name = "audit"
