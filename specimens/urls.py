"""Browser pages of the specimens app. Included at /specimens/; every page is under a biobank code.

Sections (one views module each, appended by the people who build them): specimens (list, detail, register,
worklists), storage (units, box maps, placement), imports, labels.
"""

from django.urls import path

app_name = "specimens"

urlpatterns: list = []

# --- the header search: a barcode or PID across the person's biobanks (specimens/views/search.py); before the
# biobank routes, so "scan" is never read as a biobank code ---
from .views import search as search_views  # noqa: E402

urlpatterns += [path("scan/", search_views.scan_any, name="scan_any")]

# --- the technician's pages: list, export, specimen, actions, register, scan, worklists, labels ---
from .views import actions as action_views  # noqa: E402
from .views import labels as label_views  # noqa: E402
from .views import register as register_views  # noqa: E402
from .views import specimens as specimen_views  # noqa: E402
from .views import withdrawals as withdrawal_views  # noqa: E402
from .views import worklists as worklist_views  # noqa: E402

urlpatterns += [
    path("<slug:code>/", specimen_views.specimen_list, name="specimen_list"),
    path("<slug:code>/export/", specimen_views.specimen_export, name="specimen_export"),
    path("<slug:code>/scan/", specimen_views.scan, name="scan"),
    path("<slug:code>/register/", register_views.specimen_register_view, name="specimen_register"),
    path("<slug:code>/labels/", label_views.labels, name="labels"),
    path("<slug:code>/worklists/", worklist_views.worklist_index, name="worklists"),
    path("<slug:code>/worklists/<slug:worklist>/", worklist_views.worklist_detail, name="worklist"),
    path("<slug:code>/withdrawals/", withdrawal_views.shipment_decisions, name="shipment_decisions"),
    # A barcode may hold "/" (specimens.services.barcodes.BARCODE_RE): it comes last in the path.
    path("<slug:code>/s/<path:barcode>/", specimen_views.specimen_detail, name="specimen_detail"),
    path("<slug:code>/act/<slug:act>/<path:barcode>/", action_views.specimen_action, name="specimen_action"),
]

# --- imports (specimens/imports/views.py) ---
from .imports import views as import_views  # noqa: E402

urlpatterns += [
    path("<slug:code>/imports/", import_views.import_list, name="import_list"),
    path("<slug:code>/imports/template/", import_views.import_template, name="import_template"),
    path("<slug:code>/imports/<int:import_id>/", import_views.import_detail, name="import_detail"),
    path("<slug:code>/imports/<int:import_id>/status/", import_views.import_status, name="import_status"),
    path("<slug:code>/imports/<int:import_id>/commit/", import_views.import_commit, name="import_commit"),
]

# --- storage: units, box maps, placement (specimens/views/storage.py) ---
from .views import storage as storage_views  # noqa: E402

urlpatterns += [
    path("<slug:code>/storage/", storage_views.storage_tree, name="storage"),
    path("<slug:code>/storage/new/", storage_views.storage_unit_create, name="storage_unit_create"),
    path("<slug:code>/storage/<int:unit_id>/", storage_views.storage_unit_detail, name="storage_unit"),
    path("<slug:code>/storage/<int:unit_id>/edit/", storage_views.storage_unit_edit, name="storage_unit_edit"),
    path("<slug:code>/storage/<int:unit_id>/bulk/", storage_views.box_bulk, name="box_bulk"),
    path("<slug:code>/storage/<int:unit_id>/free/", storage_views.box_free, name="box_free"),
    path("<slug:code>/storage/<int:unit_id>/cells/<str:position>/", storage_views.box_cell, name="box_cell"),
]
