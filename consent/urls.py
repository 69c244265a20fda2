"""Browser pages of the consent app (donors, identity vault, consent catalogue, capture). Included at /consent/."""

from django.urls import path

app_name = "consent"

urlpatterns: list = []

# --- donor registry and identity vault (consent/views/donors.py) ---
from .views import donors as donor_views  # noqa: E402

urlpatterns += [
    path("<slug:code>/donors/", donor_views.donor_list, name="donor_list"),
    path("<slug:code>/donors/new/", donor_views.donor_register, name="donor_register"),
    path("<slug:code>/donors/<str:pid>/", donor_views.donor_detail, name="donor_detail"),
    path("<slug:code>/donors/<str:pid>/identity/", donor_views.donor_identity, name="donor_identity"),
    path("<slug:code>/donors/<str:pid>/merge/", donor_views.donor_merge, name="donor_merge"),
    path("<slug:code>/duplicates/", donor_views.duplicate_list, name="duplicate_list"),
    path("<slug:code>/duplicates/<int:review_id>/", donor_views.duplicate_review, name="duplicate_review"),
    path("<slug:code>/identity/lookup/", donor_views.identity_lookup, name="identity_lookup"),
]
