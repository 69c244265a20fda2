"""Browser routes of the access-requests app (under /requests/), one block per screen family."""

from django.urls import path

app_name = "access_requests"
urlpatterns: list = []

# --- notifications and webhooks (access_requests/views/{notifications,webhooks}.py) ---
from .views import notifications as notification_views  # noqa: E402
from .views import webhooks as webhook_views  # noqa: E402

urlpatterns += [
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/read/", notification_views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:notification_id>/open/", notification_views.notification_open, name="notification_open"),
    path("webhooks/<slug:code>/", webhook_views.webhook_list, name="webhooks"),
    path(
        "webhooks/<slug:code>/<int:endpoint_id>/deactivate/",
        webhook_views.webhook_deactivate,
        name="webhook_deactivate",
    ),
    path(
        "webhooks/<slug:code>/deliveries/<int:delivery_id>/redeliver/",
        webhook_views.webhook_redeliver,
        name="webhook_redeliver",
    ),
]
