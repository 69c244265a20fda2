"""Browser routes of the access-requests app (under /requests/), one block per screen family."""

from django.urls import path

from .views import researcher, wizard

app_name = "access_requests"
urlpatterns: list = []

# --- wizard (views/researcher.py, views/wizard.py) ---
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
