"""/api/v1/ routes of the specimens app, one section per views module (appended by the people who build them)."""

from django.urls import path

from . import sprec

urlpatterns = [
    # --- the public SPREC utilities, no login (specimens/api/sprec.py) ---
    # derive first: "derive" would otherwise be read as a code to decode
    path("sprec/derive/", sprec.SprecDeriveView.as_view(), name="api-sprec-derive"),
    path("sprec/<str:sprec>/", sprec.SprecDecodeView.as_view(), name="api-sprec-decode"),
]

# --- storage units, box maps and placements (specimens/api/storage_views.py) ---
from . import storage_views  # noqa: E402

urlpatterns += [
    path("storage-units/", storage_views.StorageUnitListView.as_view(), name="api-storage-unit-list"),
    path("storage-units/<int:pk>/", storage_views.StorageUnitDetailView.as_view(), name="api-storage-unit-detail"),
    path("storage-units/<int:pk>/map/", storage_views.BoxMapView.as_view(), name="api-storage-unit-map"),
    path(
        "storage-units/<int:pk>/free-positions/",
        storage_views.FreePositionsView.as_view(),
        name="api-storage-unit-free-positions",
    ),
    path(
        "storage-units/<int:pk>/placements/", storage_views.BulkPlaceView.as_view(), name="api-storage-unit-placements"
    ),
    path("placements/", storage_views.PlaceView.as_view(), name="api-placement-place"),
    path("placements/move/", storage_views.MoveView.as_view(), name="api-placement-move"),
    path("placements/unplace/", storage_views.UnplaceView.as_view(), name="api-placement-unplace"),
]
