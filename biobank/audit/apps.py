from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Outbox, hash-chained audit log, checkpoints and verification (see ``services.py``)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "biobank.audit"
    label = "audit"
    verbose_name = "audit"

    def ready(self) -> None:
        from django.contrib.auth import signals as auth_signals
        from django.utils.translation import gettext_lazy as _

        from biobank.accounts.choices import Perm
        from biobank.web.context_processors import register_main_link

        from . import signals

        auth_signals.user_logged_in.connect(signals.on_login, dispatch_uid="audit_login")
        auth_signals.user_logged_out.connect(signals.on_logout, dispatch_uid="audit_logout")
        auth_signals.user_login_failed.connect(signals.on_login_failed, dispatch_uid="audit_login_failed")
        register_main_link(label=_("Audit trail"), url_name="audit:events", perm=Perm.VIEW_AUDIT)
