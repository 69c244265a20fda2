"""Browser pages of the specimens app. Included at /specimens/; every page is under a biobank code.

Sections (one views module each, appended by the people who build them): specimens (list, detail, register,
worklists), storage (units, box maps, placement), imports, labels.
"""

from django.urls import path

app_name = "specimens"

urlpatterns: list = []

# --- imports (specimens/imports/views.py) ---
from .imports import views as import_views  # noqa: E402

urlpatterns += [
    path("<slug:code>/imports/", import_views.import_list, name="import_list"),
    path("<slug:code>/imports/template/", import_views.import_template, name="import_template"),
    path("<slug:code>/imports/<int:import_id>/", import_views.import_detail, name="import_detail"),
    path("<slug:code>/imports/<int:import_id>/status/", import_views.import_status, name="import_status"),
    path("<slug:code>/imports/<int:import_id>/commit/", import_views.import_commit, name="import_commit"),
]
