"""Browser pages of the consent app (donors, identity vault, consent catalogue, capture). Included at /consent/."""

from django.urls import path  # noqa: F401

app_name = "consent"

urlpatterns: list = []
