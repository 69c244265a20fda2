"""Browser routes of the access-requests app (under /requests/), one block per screen family."""

from django.urls import path  # noqa: F401

app_name = "access_requests"
urlpatterns: list = []
