"""/api/v1/ routes of the access-requests app, one block per screen family (each from its own module)."""

from django.urls import path

from .duo import DuoMatchSlashView, DuoMatchView

urlpatterns: list = []

# --- DUO matching (issue 14, item 3): public, no login
urlpatterns += [
    path("duo/match", DuoMatchView.as_view(), name="api-duo-match"),
    path("duo/match/", DuoMatchSlashView.as_view(), name="api-duo-match-slash"),
]

# --- entitle (entitlements) ---
from . import entitlements  # noqa: E402

urlpatterns += [
    path(
        "access-requests/<int:pk>/accept-conditions",
        entitlements.AcceptConditionsView.as_view(),
        name="api-access-request-accept-conditions",
    ),
    path("access-requests/<int:pk>/grant", entitlements.GrantView.as_view(), name="api-access-request-grant"),
    path("access-requests/<int:pk>/revoke", entitlements.RevokeView.as_view(), name="api-access-request-revoke"),
    path("access-requests/<int:pk>/renew", entitlements.RenewView.as_view(), name="api-access-request-renew"),
    path("access-requests/<int:pk>/close", entitlements.CloseView.as_view(), name="api-access-request-close"),
    path("access-requests/<int:pk>/reports", entitlements.ReportsView.as_view(), name="api-access-request-reports"),
]

# --- wizard (requests.py, feasibility.py) ---
from . import feasibility, requests  # noqa: E402

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

# --- committee (access_requests/api/review.py) ---
from .review import (  # noqa: E402
    AssignView,
    ChangesRequestView,
    ConflictView,
    DecideView,
    MessagesView,
    ReviewStartView,
    VoteView,
)

urlpatterns += [
    path("access-requests/<int:pk>/review-start", ReviewStartView.as_view(), name="api-access-request-review-start"),
    path(
        "access-requests/<int:pk>/changes-request",
        ChangesRequestView.as_view(),
        name="api-access-request-changes-request",
    ),
    path("access-requests/<int:pk>/conflict", ConflictView.as_view(), name="api-access-request-conflict"),
    path("access-requests/<int:pk>/assign", AssignView.as_view(), name="api-access-request-assign"),
    path("access-requests/<int:pk>/vote", VoteView.as_view(), name="api-access-request-vote"),
    path("access-requests/<int:pk>/decide", DecideView.as_view(), name="api-access-request-decide"),
    path("access-requests/<int:pk>/messages", MessagesView.as_view(), name="api-access-request-messages"),
]

# --- fulfilment (api/fulfilment.py) ---
from . import fulfilment  # noqa: E402

urlpatterns += [
    path("access-requests/<int:pk>/releases", fulfilment.RequestReleasesView.as_view(), name="api-request-releases"),
    path("access-requests/<int:pk>/shipments", fulfilment.RequestShipmentsView.as_view(), name="api-request-shipments"),
    path("releases/<int:id>/download-link", fulfilment.DownloadLinkView.as_view(), name="api-release-download-link"),
    *[
        path(f"shipments/<int:id>/{verb}", fulfilment.verb_view(verb), name=f"api-shipment-{verb}")
        for verb in fulfilment.VERBS
    ],
]
