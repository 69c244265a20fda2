"""/api/v1/ routes of the access-requests app, one block per screen family (each from its own module)."""

from django.urls import path

from . import feasibility, requests

urlpatterns: list = []

# --- wizard (requests.py, feasibility.py) ---
urlpatterns += [
    path("access-requests/", requests.AccessRequestListView.as_view(), name="api-access-request-list"),
    path("access-requests/<int:pk>/", requests.AccessRequestDetailView.as_view(), name="api-access-request-detail"),
    path("access-requests/<int:pk>/submit/", requests.SubmitView.as_view(), name="api-access-request-submit"),
    path("access-requests/<int:pk>/withdraw/", requests.WithdrawView.as_view(), name="api-access-request-withdraw"),
    path("access-requests/<int:pk>/resubmit/", requests.ResubmitView.as_view(), name="api-access-request-resubmit"),
    path(
        "access-requests/<int:pk>/feasibility/",
        feasibility.FeasibilityView.as_view(),
        name="api-access-request-feasibility",
    ),
]
