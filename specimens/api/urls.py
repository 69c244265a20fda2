"""/api/v1/ routes of the specimens app, one section per module.

Barcodes may contain ``/`` (``specimens.services.barcodes``), hence the ``path`` converter; the action routes come
before the detail route so that ``…/<barcode>/reserve/`` is the action, not a barcode ending in ``/reserve``.
"""

from django.urls import path

urlpatterns: list = []

# --- the public SPREC utilities, no login (sprec.py); derive first: "derive" would otherwise be read as a code ---
from . import sprec  # noqa: E402

urlpatterns += [
    path("sprec/derive/", sprec.SprecDeriveView.as_view(), name="api-sprec-derive"),
    path("sprec/<str:sprec>/", sprec.SprecDecodeView.as_view(), name="api-sprec-decode"),
]

# --- specimens: list, create, detail, workflow verbs, events (specimen_views.py, specimen_actions.py) ---
from . import specimen_actions as actions  # noqa: E402
from . import specimen_views as views  # noqa: E402

urlpatterns += [
    path("specimens/", views.SpecimenListView.as_view(), name="api-specimen-list"),
    path("specimen-pools/", actions.PoolView.as_view(), name="api-specimen-pool-list"),
    path("specimens/<path:barcode>/aliquots/", actions.AliquotsView.as_view(), name="api-specimen-aliquots"),
    path("specimens/<path:barcode>/derivatives/", actions.DerivativesView.as_view(), name="api-specimen-derivatives"),
    path("specimens/<path:barcode>/reserve/", actions.ReserveView.as_view(), name="api-specimen-reserve"),
    path("specimens/<path:barcode>/release/", actions.ReleaseView.as_view(), name="api-specimen-release"),
    path("specimens/<path:barcode>/ship/", actions.ShipView.as_view(), name="api-specimen-ship"),
    path("specimens/<path:barcode>/return/", actions.ReturnView.as_view(), name="api-specimen-return"),
    path("specimens/<path:barcode>/consume/", actions.ConsumeView.as_view(), name="api-specimen-consume"),
    path("specimens/<path:barcode>/dispose/", actions.DisposeView.as_view(), name="api-specimen-dispose"),
    path("specimens/<path:barcode>/unblock/", actions.UnblockView.as_view(), name="api-specimen-unblock"),
    path("specimens/<path:barcode>/events/", actions.EventsView.as_view(), name="api-specimen-events"),
    path("specimens/<path:barcode>/", views.SpecimenDetailView.as_view(), name="api-specimen-detail"),
]

# --- storage units, box maps and placements (storage_views.py) ---
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
