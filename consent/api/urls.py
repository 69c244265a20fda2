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
