"""/api/v1/ routes of the access-requests app, one block per screen family (each from its own module)."""

from django.urls import path

from .duo import DuoMatchSlashView, DuoMatchView

urlpatterns: list = []

# --- DUO matching (issue 14, item 3): public, no login
urlpatterns += [
    path("duo/match", DuoMatchView.as_view(), name="api-duo-match"),
    path("duo/match/", DuoMatchSlashView.as_view(), name="api-duo-match-slash"),
]
