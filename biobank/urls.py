"""Root URL configuration: the browser UI, the REST API and its docs, operations probes, and the admin.

The composition root, with ``biobank/api/urls.py`` and the settings' ``INSTALLED_APPS``: the only place of the core
that names the domain apps, and only by string (``include("catalog.urls")``), never by import. Everything else in
the core learns about the apps through the hooks they call from ``AppConfig.ready()`` (docs/architecture.md).
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views import defaults
from django.views.decorators.http import require_POST
from django.views.generic import RedirectView
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from biobank.accounts.forms import AdminLoginForm
from biobank.accounts.views.auth import admin_password_change
from biobank.api.exceptions import api_bad_request, api_not_found, api_server_error, api_unknown_path
from biobank.ops import views as ops_views


def _superuser_only(request: HttpRequest) -> bool:
    """The Django admin is for superusers only; staff work happens in the portal's own pages."""
    return bool(request.user.is_active and request.user.is_superuser)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page names: send them to the icon of base.html (no 404 a visit)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


admin.site.has_permission = _superuser_only  # type: ignore[method-assign]
admin.site.login_form = AdminLoginForm  # the same sign-in limit as the portal's (accounts/lockout.py)
# Audited (issue 9, item 11). The stubs promise a TemplateResponse; Django's own view redirects on success too.
admin.site.password_change = admin_password_change  # type: ignore[method-assign,assignment]
admin.site.site_header = "Biobank Portal administration"

urlpatterns = [
    path("healthz", ops_views.healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("api/v1/", include("biobank.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI with its init script as a separate same-origin file, so the CSP needs no inline script; ReDoc is
    # gone (it loads Google Fonts and injects inline styles), its old address leads to Swagger UI (issue 9, item 18).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="swagger-ui",
    ),
    path("api/redoc/", RedirectView.as_view(pattern_name="swagger-ui", permanent=True), name="redoc"),
    re_path(r"^api/", api_unknown_path, name="api-unknown-path"),  # problem+json 404, never HTML (issue 9, 19)
    path("admin/", admin.site.urls),
    path("i18n/setlang/", require_POST(set_language), name="set_language"),  # the header's language switcher
    path("accounts/", include("biobank.accounts.urls")),
    path("audit/", include("biobank.audit.urls")),
    path("collections/", include("catalog.urls")),
    path("catalogue/manage/directory/", include("catalog.directory.urls")),  # before the biobank codes below
    path("catalogue/manage/", include("catalog.urls_manage")),  # before the public "catalogue/" (more specific)
    path("catalogue/", include("catalog.urls_public")),
    path("consent/", include("consent.urls")),
    path("my/", include("consent.portal.urls")),  # the donor portal
    path("specimens/", include("specimens.urls")),
    path("requests/", include("access_requests.urls")),
    path("", include("biobank.web.urls")),
]


def handler400(request: HttpRequest, exception: Exception, *, pointer: str = "/") -> HttpResponse:
    """400 with the message of the portal's own ``BadRequest`` (it says what to change); problem+json under /api/.

    Other 400s (``SuspiciousOperation`` and the like) keep Django's generic page: their text is not for users; under
    /api/ they are problem+json ``invalid-host`` (a Host header outside ``ALLOWED_HOSTS``) or ``bad-request``.
    """
    message = str(exception) if type(exception) is BadRequest else ""
    if request.path.startswith("/api/"):
        return api_bad_request(request, message, pointer=pointer, exception=exception)
    return render(request, "400.html", {"message": message}, status=400)


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_not_found(request, exception)
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_server_error(request)
    return defaults.server_error(request)
