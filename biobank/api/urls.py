"""/api/v1/: each app contributes its routes from <app>/api/urls.py."""

from django.urls import include, path

urlpatterns = [
    path("", include("biobank.accounts.api.urls")),
    path("", include("biobank.audit.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("consent.api.urls")),
    path("", include("specimens.api.urls")),
    path("", include("specimens.api.import_urls")),
    path("", include("access_requests.api.urls")),
]
