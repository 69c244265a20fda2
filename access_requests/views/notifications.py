"""The person's notifications: newest first, unread marked; open one (marks it read), or mark all read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.web.export import Column, export_format, export_links, export_response

from ..selectors import notifications_visible_to
from ..services.notifications import notifications_mark_read

PAGE_SIZE = 50


# The list's columns, as the page shows them.
NOTIFICATION_COLUMNS = (
    Column(gettext_lazy("When"), "created_at"),
    Column(gettext_lazy("What"), "text"),
    Column(gettext_lazy("State"), lambda n: str(_("read") if n.read_at else _("unread"))),
    Column(gettext_lazy("Request"), lambda n: n.request.number if n.request_id else ""),
)


@login_required
@require_GET
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    rows = notifications_visible_to(user=request.user)
    fmt = export_format(request)
    if fmt is not None:  # every page of the person's own notifications
        return export_response(items=rows, columns=NOTIFICATION_COLUMNS, name="notifications", export_format=fmt)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    unread = rows.filter(read_at__isnull=True).count()
    context = {"page": page, "unread": unread, "export": export_links(request)}
    return render(request, "access_requests/notifications/list.html", context)


@login_required
@require_POST
def notification_open(request: AuthenticatedHttpRequest, notification_id: int) -> HttpResponse:
    """Mark one of the person's notifications read and go to its request; someone else's is a 404."""
    notification = notifications_visible_to(user=request.user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404(_("You have no such notification."))
    notifications_mark_read(actor=request.user, notification_ids=[notification.pk])
    if not url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()}):
        return redirect("access_requests:notifications")
    return redirect(notification.url)


@login_required
@require_POST
def notifications_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    notifications_mark_read(actor=request.user)
    return redirect("access_requests:notifications")
