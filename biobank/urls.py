"""Root URL configuration: the browser UI, the REST API and its docs, operations probes, and the admin."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path, re_path
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from biobank.accounts.forms import AdminLoginForm
from biobank.api.exceptions import api_bad_request, api_not_found, api_server_error, api_unknown_path
from biobank.ops import views as ops_views


def _superuser_only(request: HttpRequest) -> bool:
    """The Django admin is for superusers only; staff work happens in the portal's own pages."""
    return bool(request.user.is_active and request.user.is_superuser)


admin.site.has_permission = _superuser_only  # type: ignore[method-assign]
admin.site.login_form = AdminLoginForm  # the same sign-in limit as the portal's (accounts/lockout.py)
admin.site.site_header = "Biobank Portal administration"

urlpatterns = [
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("api/v1/", include("biobank.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    re_path(r"^api/", api_unknown_path, name="api-unknown-path"),  # problem+json 404, never HTML (issue 9, 19)
    path("admin/", admin.site.urls),
    path("accounts/", include("biobank.accounts.urls")),
    path("audit/", include("biobank.audit.urls")),
    path("consent/", include("consent.urls")),
    path("", include("biobank.web.urls")),
]


def handler400(request: HttpRequest, exception: Exception, *, pointer: str = "/") -> HttpResponse:
    """400 with the message of the portal's own ``BadRequest`` (it says what to change); problem+json under /api/.

    Other 400s (``SuspiciousOperation`` and the like) keep Django's generic page: their text is not for users.
    """
    message = str(exception) if type(exception) is BadRequest else ""
    if request.path.startswith("/api/"):
        return api_bad_request(request, message, pointer=pointer)
    return render(request, "400.html", {"message": message}, status=400)


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_not_found(request, exception)
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_server_error(request)
    return defaults.server_error(request)
