"""/api/v1/ routes of the access-requests app, one block per screen family (each from its own module)."""

from django.urls import path

urlpatterns: list = []

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
