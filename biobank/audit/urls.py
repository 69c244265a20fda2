"""The auditor's pages (included under /audit/ from ``biobank/urls.py``)."""

from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="events"),
    path("export.csv", views.event_export, name="export"),
    path("history/<str:object_type>/<str:object_id>/", views.history, name="history"),
]
