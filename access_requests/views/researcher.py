"""The researcher's pages: the profile, "My requests", one request with every section, attachments, the team
confirmation link, and withdrawing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from biobank.errors import DomainError, ForbiddenError
from biobank.web.export import Column, export_format, export_links, export_response

from ..choices import (
    REQUEST_ALLOWED_TRANSITIONS,
    REQUEST_EDITABLE,
    REQUEST_WAITS_FOR,
    WAITS_FOR,
    RequestStatus,
)
from ..feasibility import feasibility
from ..forms.researcher import ProfileForm, WithdrawForm, add_errors
from ..models import AccessRequest, ResearcherProfile
from ..selectors import (
    my_requests,
    request_events_for_researcher,
    request_get_for,
    resources_visible_to,
    reviewing_biobank_ids,
)
from ..services.messages import messages_visible_to
from ..services.profiles import researcher_profile_save
from ..services.requests import request_withdraw
from ..services.team import team_confirm

# What each request and each biobank's part of it waits for: access_requests.choices (shared with the dashboard).


def _get(request: HttpRequest, pk: int) -> AccessRequest:
    try:
        return request_get_for(user=request.user, pk=pk)
    except AccessRequest.DoesNotExist:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Institution (required), department, country, ORCID iD; then back where the researcher was going."""
    current = ResearcherProfile.objects.filter(user_id=(request.user.pk or 0)).first()
    initial = {n: getattr(current, n) for n in ("institution", "department", "country", "orcid")} if current else {}
    form = ProfileForm(request.POST or None, initial=initial)
    target = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        try:
            researcher_profile_save(actor=request.user, **form.cleaned_data)
        except ForbiddenError:
            raise
        except DomainError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Your researcher profile is saved."))
            if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                return redirect(target)
            return redirect("access_requests:my_requests")
    return render(request, "access_requests/researcher/profile.html", {"form": form, "next": target})


def _waits(row: tuple) -> str:
    _request, waits, resources = row
    return str(waits) if waits else "; ".join(f"{biobank}: {what}" for biobank, _status, what in resources)


# The list's columns, as the page shows them.
MY_REQUEST_COLUMNS = (
    Column(gettext_lazy("Number"), lambda row: row[0].number),
    Column(gettext_lazy("Title"), lambda row: row[0].title),
    Column(gettext_lazy("Status"), lambda row: row[0].get_status_display()),
    Column(gettext_lazy("What it waits for"), _waits),
)


@login_required
@require_GET
def my_requests_page(request: HttpRequest) -> HttpResponseBase:
    rows = []
    for access_request in my_requests(user=request.user):
        waits = [
            (resource.biobank.name, resource.get_status_display(), WAITS_FOR[resource.status])
            for resource in access_request.resources.all()
        ]
        rows.append((access_request, REQUEST_WAITS_FOR.get(access_request.status, ""), waits))
    fmt = export_format(request)
    if fmt is not None:
        return export_response(items=rows, columns=MY_REQUEST_COLUMNS, name="my-requests", export_format=fmt)
    context = {"rows": rows, "export": export_links(request)}
    return render(request, "access_requests/researcher/my_requests.html", context)


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access_request = _get(request, pk)
    resources = resources_visible_to(user=request.user, request=access_request).prefetch_related("collections")
    mine = access_request.researcher_id == (request.user.pk or 0)
    exact_for = set(reviewing_biobank_ids(user=request.user).values_list("pk", flat=True))
    applicant = mine or access_request.team.filter(user_id=(request.user.pk or 0), confirmed_at__isnull=False).exists()
    # reviewers see their own biobanks' rows, exactly; the applicants every row, rounded
    rows = [
        row.shown(exact=row.biobank_id in exact_for)
        for row in feasibility(request=access_request)
        if applicant or row.biobank_id in exact_for
    ]
    context = {
        "access_request": access_request,
        "resources": [(r, WAITS_FOR[r.status]) for r in resources],
        "events": request_events_for_researcher(request=access_request),
        "attachments": access_request.attachments.all(),
        "team": access_request.team.all(),
        "feasibility_rows": rows,
        "mine": mine,
        "editable": mine and access_request.status in REQUEST_EDITABLE,
        "can_withdraw": mine and RequestStatus.WITHDRAWN in REQUEST_ALLOWED_TRANSITIONS[access_request.status],
        "withdraw_form": WithdrawForm(),
        # the other parts of the request, wired into the page's slots
        "thread": messages_visible_to(user=request.user, request=access_request),
        "message_biobanks": [r.biobank for r in resources] if applicant else [],
        "back": request.path,
        "applicant": applicant,
        "decided_resources": [r for r in resources if hasattr(r, "decision")],
    }
    return render(request, "access_requests/researcher/request_detail.html", context)


@login_required
@require_POST
def request_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    access_request = _get(request, pk)
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        request_withdraw(actor=request.user, request=access_request, reason=form.cleaned_data.get("reason", ""))
    except ForbiddenError:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The request is withdrawn."))
    return redirect("access_requests:detail", pk=access_request.pk)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """For people who may read the request; anyone else gets 404."""
    access_request = _get(request, pk)
    attachment = access_request.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = f'attachment; filename="{attachment.name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def team_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what is confirmed; POST confirms (a link opened by a mail scanner confirms nothing)."""
    error = ""
    if request.method == "POST":
        try:
            member = team_confirm(actor=request.user, token=token)
        except DomainError as problem:
            error = problem.message
        else:
            messages.success(request, _("You are confirmed as a co-applicant."))
            return redirect("access_requests:detail", pk=member.request_id)
    return render(request, "access_requests/researcher/team_confirm.html", {"error": error})
