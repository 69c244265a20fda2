"""/api/v1/ routes of the consent app."""

from django.urls import path

urlpatterns: list = []

# --- donors (consent/api/donors.py) ---
from . import donors as donor_views  # noqa: E402

urlpatterns += [
    path("donors/", donor_views.DonorListView.as_view(), name="api-donor-list"),
    path("donors/<str:pid>/", donor_views.DonorDetailView.as_view(), name="api-donor-detail"),
    path("donors/<str:pid>/consents/", donor_views.DonorConsentListView.as_view(), name="api-donor-consents"),
    path("donors/<str:pid>/identity/", donor_views.DonorIdentityView.as_view(), name="api-donor-identity"),
]

# --- consent gate, consents and templates (consent/api/consents.py) ---
from . import consents as consent_views  # noqa: E402

urlpatterns += [
    path("consent/check", consent_views.ConsentCheckView.as_view(), name="api-consent-check"),
    path("consent/check/bulk", consent_views.ConsentBulkCheckView.as_view(), name="api-consent-check-bulk"),
    path("consents/", consent_views.ConsentListView.as_view(), name="api-consent-list"),
    path("consents/<int:id>/", consent_views.ConsentDetailView.as_view(), name="api-consent-detail"),
    path("consent-templates/", consent_views.TemplateListView.as_view(), name="api-consent-template-list"),
    path("consent-templates/<int:id>/", consent_views.TemplateDetailView.as_view(), name="api-consent-template-detail"),
]

# --- the donor's own API (consent/api/portal.py): a donor session only, 404 for anyone else ---
from . import portal as portal_views  # noqa: E402

urlpatterns += [
    path("me/overview/", portal_views.OverviewView.as_view(), name="api-me-overview"),
    path("me/consents/", portal_views.ConsentListView.as_view(), name="api-me-consent-list"),
    path("me/consents/<int:id>/", portal_views.ConsentDetailView.as_view(), name="api-me-consent-detail"),
    path("me/consents/<int:id>/receipt", portal_views.ConsentReceiptView.as_view(), name="api-me-consent-receipt"),
    path("me/history/", portal_views.HistoryView.as_view(), name="api-me-history"),
    path("me/projects/", portal_views.ProjectsView.as_view(), name="api-me-projects"),
    path("me/messages/", portal_views.MessageListView.as_view(), name="api-me-message-list"),
    path("me/messages/<int:id>/", portal_views.MessageDetailView.as_view(), name="api-me-message-detail"),
    path("me/choices/", portal_views.ChoiceChangeView.as_view(), name="api-me-choices"),
    path("me/withdrawals/", portal_views.WithdrawalView.as_view(), name="api-me-withdrawals"),
    path("me/preferences/", portal_views.PreferencesView.as_view(), name="api-me-preferences"),
]
