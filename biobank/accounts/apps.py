from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, biobank tenants, memberships and roles, API tokens."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "biobank.accounts"
    label = "accounts"
    verbose_name = "accounts"

    def ready(self) -> None:
        # Registers the OpenAPI security scheme of BearerTokenAuthentication with drf-spectacular.
        # Session time limits start at sign-in (middleware.SessionTimeoutMiddleware enforces them).
        from django.contrib.auth.signals import user_logged_in

        from biobank.api import schema  # noqa: F401

        from .mfa import mfa_session_start
        from .middleware import stamp_signed_in

        user_logged_in.connect(stamp_signed_in, dispatch_uid="accounts_session_clocks")
        # Every sign-in starts before its second step when the person has one (issue 9, item 4).
        user_logged_in.connect(mfa_session_start, dispatch_uid="accounts_mfa_session")
