"""The project URLs plus the audit trail ones, until the lead includes them in biobank/urls.py and api/urls.py."""

from django.urls import include, path

from biobank.urls import handler404, handler500
from biobank.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("api/v1/", include("biobank.audit.api.urls")),
    path("audit/", include("biobank.audit.urls")),
    *project_urlpatterns,
]

__all__ = ["handler404", "handler500", "urlpatterns"]
