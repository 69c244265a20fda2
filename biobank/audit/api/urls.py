"""/api/v1/ routes of the audit trail (included from ``biobank/api/urls.py``)."""

from rest_framework.routers import SimpleRouter

from .views import AuditEventViewSet

router = SimpleRouter()
router.register("audit-events", AuditEventViewSet, basename="api-audit-event")

urlpatterns = router.urls
