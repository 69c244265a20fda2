"""/api/v1/ routes of the access-requests app, one block per screen family (each from its own module)."""

from django.urls import path

urlpatterns: list = []

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
