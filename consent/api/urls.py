"""/api/v1/ routes of the consent app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
