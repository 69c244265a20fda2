"""The donor's messages (each e-mail also appears here; opening one marks it read) and notification preferences."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError
from biobank.web.export import Column, export_format, export_links, export_response
from biobank.web.forms import add_domain_error

from ...models import DonorAccount
from ...selectors.portal import portal_messages
from ...services.portal import donor_message_mark_read, donor_preferences_update
from ..forms import PreferencesForm
from .common import donor_page


def message_columns() -> tuple[Column, ...]:
    """The donor's message list, as the page shows it ("New" for a message not opened yet). Its words are translated
    now, in the account's language: the rows are written after the view has returned."""
    yes, no = _("yes"), _("no")
    return (
        Column(gettext_lazy("Subject"), "subject"),
        Column(gettext_lazy("Date"), "created_at"),
        Column(gettext_lazy("New"), lambda message: yes if message.read_at is None else no),
    )


@require_GET
@donor_page
def message_list(request: AuthenticatedHttpRequest, account: DonorAccount) -> HttpResponseBase:
    """The donor's own messages; ``?format=csv|xlsx`` is the list as a file (their own data, nobody else's: not
    audited like a staff export of donor lists). Exporting does not mark a message read."""
    fmt = export_format(request)
    if fmt is not None:
        return export_response(
            items=portal_messages(account), columns=message_columns(), name="messages", export_format=fmt
        )
    context = {"account": account, "donor_messages": list(portal_messages(account)), "export": export_links(request)}
    return render(request, "consent/portal/messages.html", context)


@require_GET
@donor_page
def message_detail(request: AuthenticatedHttpRequest, account: DonorAccount, message_id: int) -> HttpResponse:
    message = portal_messages(account).filter(pk=message_id).first()
    if message is None:
        raise Http404(_("You have no such message."))
    if message.read_at is None:
        donor_message_mark_read(account=account, message=message)
    return render(request, "consent/portal/message_detail.html", {"account": account, "message": message})


@require_http_methods(["GET", "POST"])
@donor_page
def preferences(request: AuthenticatedHttpRequest, account: DonorAccount) -> HttpResponse:
    initial = {
        "notify_news": account.notify_news,
        "notify_results": account.notify_results,
        "notify_recontact": account.notify_recontact,
        "language": account.language,
    }
    form = PreferencesForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if form.is_valid():
        try:
            donor_preferences_update(account=account, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
            status = error.status_code
        else:
            with translation.override(form.cleaned_data["language"]):  # said in the language just chosen
                flash.success(request, _("Your preferences are saved."))
            return redirect("donor_portal:preferences")
    elif form.is_bound:
        status = 400
    return render(request, "consent/portal/preferences.html", {"account": account, "form": form}, status=status)
