"""Browser routes of the access-requests app (under /requests/), one block per screen family."""

from django.urls import path

app_name = "access_requests"
urlpatterns: list = []

# --- fulfilment (views/fulfilment.py) ---
from .views import fulfilment  # noqa: E402

urlpatterns += [
    path("fulfilment/<int:pk>/", fulfilment.fulfilment, name="fulfilment"),
    path("fulfilment/shipments/<int:pk>/packing-list.pdf", fulfilment.packing_list, name="packing_list"),
    path("<int:pk>/releases/", fulfilment.request_releases, name="request_releases"),
    path("download/<str:token>/<str:file>", fulfilment.download, name="download"),
]
