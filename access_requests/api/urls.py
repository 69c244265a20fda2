"""/api/v1/ routes of the access-requests app, one block per screen family (each from its own module)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
