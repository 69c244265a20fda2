"""/api/v1/ routes of the consent app."""

from django.urls import path

urlpatterns: list = []

# --- donors (consent/api/donors.py) ---
from . import donors as donor_views  # noqa: E402

urlpatterns += [
    path("donors/", donor_views.DonorListView.as_view(), name="api-donor-list"),
    path("donors/<str:pid>/", donor_views.DonorDetailView.as_view(), name="api-donor-detail"),
    path("donors/<str:pid>/identity/", donor_views.DonorIdentityView.as_view(), name="api-donor-identity"),
]
