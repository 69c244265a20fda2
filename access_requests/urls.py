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

# --- entitle (agreements, entitlements, reports) ---
from .views import agreements, entitlements, reports  # noqa: E402

urlpatterns += [
    path("agreements/<slug:code>/", agreements.agreement_list, name="agreement_list"),
    path("agreements/<slug:code>/<int:pk>/", agreements.agreement_detail, name="agreement_detail"),
    path("<int:pk>/resources/<int:resource_pk>/conditions/", agreements.conditions, name="conditions"),
    path("<int:pk>/resources/<int:resource_pk>/decline/", agreements.decline, name="conditions_decline"),
    path("sign/<str:token>/", agreements.sign, name="sign"),
    path("<int:pk>/access/", entitlements.access, name="access"),
    path("<int:pk>/resources/<int:resource_pk>/grant/", entitlements.grant, name="grant"),
    path("<int:pk>/entitlements/<int:entitlement_pk>/revoke/", entitlements.revoke, name="revoke"),
    path("<int:pk>/renew/", entitlements.renew, name="renew"),
    path("<int:pk>/close/", entitlements.close, name="close"),
    path("<int:pk>/reports/", reports.reports, name="reports"),
    path("<int:pk>/compliance.pdf", reports.compliance, name="compliance"),
]

# --- wizard (views/researcher.py, views/wizard.py) ---
from .views import researcher, wizard  # noqa: E402

urlpatterns += [
    path("", researcher.my_requests_page, name="my_requests"),
    path("profile/", researcher.profile, name="profile"),
    path("new/", wizard.wizard_new, name="wizard_new"),
    path("team/<str:token>/", researcher.team_confirm_view, name="team_confirm"),
    path("<int:pk>/", researcher.request_detail, name="detail"),
    path("<int:pk>/edit/<slug:step>/", wizard.wizard_step, name="wizard_step"),
    path("<int:pk>/withdraw/", researcher.request_withdraw_view, name="withdraw"),
    path("<int:pk>/attachments/<int:attachment_id>/", researcher.attachment_download, name="attachment"),
]

# --- committee (access_requests/views/committee_*.py) ---
from .views import committee_manage, committee_messages, committee_review  # noqa: E402

urlpatterns += [
    path("committees/<slug:code>/", committee_manage.committee_manage, name="committee_manage"),
    path("review/", committee_review.review_queue, name="review_queue"),
    path("review/<int:pk>/", committee_review.review_screen, name="review_screen"),
    path("review/<int:pk>/letter.pdf", committee_review.decision_letter, name="decision_letter"),
    path("review/<int:pk>/<slug:action>/", committee_review.review_act, name="review_act"),
    path("<int:pk>/messages/", committee_messages.message_post_view, name="message_post"),
]

# --- fulfilment (views/fulfilment.py) ---
from .views import fulfilment  # noqa: E402

urlpatterns += [
    path("fulfilment/<int:pk>/", fulfilment.fulfilment, name="fulfilment"),
    path("fulfilment/shipments/<int:pk>/packing-list.pdf", fulfilment.packing_list, name="packing_list"),
    path("<int:pk>/releases/", fulfilment.request_releases, name="request_releases"),
    path("download/<str:token>/<str:file>", fulfilment.download, name="download"),
]
