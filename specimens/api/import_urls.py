"""/api/v1/specimen-imports/ routes (included from biobank/api/urls.py)."""

from django.urls import path

from . import import_views as views

urlpatterns = [
    path("specimen-imports/", views.ImportCreateView.as_view(), name="api-specimen-import-list"),
    path("specimen-imports/<int:pk>/", views.ImportDetailView.as_view(), name="api-specimen-import-detail"),
    path("specimen-imports/<int:pk>/errors/", views.ImportErrorsView.as_view(), name="api-specimen-import-errors"),
    path("specimen-imports/<int:pk>/commit/", views.ImportCommitView.as_view(), name="api-specimen-import-commit"),
]
