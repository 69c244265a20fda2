"""Browser pages of the specimens app. Included at /specimens/; every page is under a biobank code.

Sections (one views module each, appended by the people who build them): specimens (list, detail, register,
worklists), storage (units, box maps, placement), imports, labels.
"""

from django.urls import path

app_name = "specimens"

urlpatterns: list = []

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
