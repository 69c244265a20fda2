"""/api/v1/ routes of the specimens app: the public SPREC utilities (no login)."""

from django.urls import path

from . import sprec

urlpatterns = [
    # derive first: "derive" would otherwise be read as a code to decode
    path("sprec/derive/", sprec.SprecDeriveView.as_view(), name="api-sprec-derive"),
    path("sprec/<str:sprec>/", sprec.SprecDecodeView.as_view(), name="api-sprec-decode"),
]
