"""Browser pages of the specimens app. Included at /specimens/; every page is under a biobank code.

Sections (one views module each, appended by the people who build them): specimens (list, detail, register,
worklists), storage (units, box maps, placement), imports, labels.
"""

from django.urls import path  # noqa: F401

app_name = "specimens"

urlpatterns: list = []
