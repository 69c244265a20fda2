from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, biobank tenants, memberships and roles, API tokens."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "biobank.accounts"
    label = "accounts"
    verbose_name = "accounts"

    def ready(self) -> None:
        # Registers the OpenAPI security scheme of BearerTokenAuthentication with drf-spectacular.
        from biobank.api import schema  # noqa: F401
