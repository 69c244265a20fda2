"""The public catalogue under /catalogue/ (namespace ``catalogue``); staff editing lives in ``urls_manage``."""

from catalog.public.urls import urlpatterns

app_name = "catalogue"

__all__ = ["app_name", "urlpatterns"]
