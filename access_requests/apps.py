from django.apps import AppConfig


class AccessRequestsConfig(AppConfig):
    """Researcher requests, committees, votes, releases."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "access_requests"
    label = "access_requests"
    verbose_name = "access requests"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from biobank.web.context_processors import register_user_link

        # --- wizard: researchers reach their requests from the main navigation ---
        register_user_link(
            label=_("Access requests"),
            url_name="access_requests:my_requests",
            test=lambda user: bool(getattr(user, "is_researcher", False)),
        )
