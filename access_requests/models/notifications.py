"""In-app notifications of request events, and the marker that an event has been dispatched (notifications,
e-mails and webhook deliveries written), so the beat catch-up redoes only what an outage lost."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .requests import AccessRequest, RequestEvent


class Notification(models.Model):
    """One line in a person's notification list: what happened on which request, linking to it; read or not."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey(RequestEvent, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="notification_once_per_event")]

    def __str__(self) -> str:
        return self.text


class EventDispatch(models.Model):
    """The event's parties were notified and its webhook deliveries queued (written in that same transaction)."""

    event = models.OneToOneField(RequestEvent, on_delete=models.CASCADE, primary_key=True, related_name="dispatch")
    dispatched_at = models.DateTimeField(auto_now_add=True)
    notified = models.PositiveIntegerField(default=0)
    deliveries = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.event_id} dispatched"
