"""The project's URLs plus writes nobody listed: the walk of ``test_write_paths_audited`` must name them."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import RedirectView


@require_POST
def unlisted_function(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


class UnlistedClass(View):
    def delete(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse()


def listing(request: HttpRequest) -> HttpResponse:
    return HttpResponse("read only")


urlpatterns = [
    path("unlisted/function/", unlisted_function, name="unlisted-function"),
    path("unlisted/class/", UnlistedClass.as_view(), name="unlisted-class"),
    path("unlisted/read/", listing, name="unlisted-read"),
    path("unlisted/redirect/", RedirectView.as_view(url="/"), name="unlisted-redirect"),
    path("", include("biobank.urls")),
]
