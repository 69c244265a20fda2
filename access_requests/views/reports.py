"""Reports page of a request (the researcher adds, the committee reads) and the compliance report PDF."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError, ForbiddenError
from biobank.web.forms import add_domain_error

from ..choices import ReportKind
from ..compliance import compliance_pdf
from ..models import AccessRequest
from ..selectors import compliance_readable_by, request_get_for
from ..services.reports import compliance_export_record, may_report, report_submit


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ReportKind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    text = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    doi = forms.CharField(
        label=gettext_lazy("DOI"), required=False, help_text=gettext_lazy("e.g. 10.1089/bio.2017.0109")
    )
    file = forms.FileField(label=gettext_lazy("File"), required=False)


def _request(request: AuthenticatedHttpRequest, pk: int) -> AccessRequest:
    try:
        return request_get_for(user=request.user, pk=pk)
    except AccessRequest.DoesNotExist:
        raise Http404(_("No such request is visible to you.")) from None


@login_required
@require_http_methods(["GET", "POST"])
def reports(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access_request = _request(request, pk)
    form = ReportForm(request.POST or None, request.FILES or None) if request.method == "POST" else ReportForm()
    if request.method == "POST" and form.is_valid():
        try:
            report_submit(actor=request.user, request=access_request, **form.cleaned_data)
        except ForbiddenError:
            raise
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Report added."))
            return redirect("access_requests:reports", pk=pk)
    context = {
        "access_request": access_request,
        "reports": access_request.reports.select_related("submitted_by", "attachment"),
        "form": form,
        "may_report": may_report(user=request.user, request=access_request),
        "may_export": compliance_readable_by(user=request.user, request=access_request),
    }
    return render(request, "access_requests/reports/list.html", context)


@login_required
def compliance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access_request = AccessRequest.objects.filter(pk=pk).first()
    readable = access_request is not None and compliance_readable_by(user=request.user, request=access_request)
    if access_request is None or not readable:
        _request(request, pk)  # a request the user may not read at all is a 404; one they read, a 403
        raise ForbiddenError(_("Only the committee of the request's biobanks and their auditors export this report."))
    compliance_export_record(actor=request.user, request=access_request)
    response = HttpResponse(compliance_pdf(access_request), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="compliance-{access_request.number or pk}.pdf"'
    return response
