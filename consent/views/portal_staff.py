"""Staff's pages of dynamic consent (issue 13): inviting a donor to the donor portal, re-consent campaigns with
their progress, and the wording of the messages donors receive.

Every page asks ``biobank_for`` first (a foreign biobank is a 404, a missing permission a 403 page naming it);
campaigns are read by those who see donors (``view_donors``) and made by those who manage consent
(``manage_consent``), who also edit the message wording.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError, ForbiddenError, InvalidFields
from biobank.web.access import biobank_for
from biobank.web.export import Column, export_format, export_links, export_response
from biobank.web.forms import add_domain_error

from ..choices import MessageKind
from ..forms.portal_staff import CampaignForm, InviteForm, MessageWordingForm
from ..models import ReconsentCampaign
from ..selectors.portal import campaign_progress
from ..selectors.portal_staff import (
    MESSAGE_LANGUAGES,
    campaign_of,
    campaign_templates,
    campaigns_with_progress,
    message_wordings,
)
from ..services.donors import donors_export_record
from ..services.portal import (
    SAMPLE,
    VARIABLES,
    donor_invite,
    message_render,
    message_template_reset,
    message_template_save,
    reconsent_campaign_create,
)
from .donors import _donor, _perms

# The order and words of a campaign's progress: (status, label); the bar shows them in this order.
PROGRESS = (
    ("reconsented", gettext_lazy("re-consented")),
    ("opened", gettext_lazy("opened the link, not signed yet")),
    ("invited", gettext_lazy("invited, not opened yet")),
    ("withdrawn", gettext_lazy("withdrew since")),
    ("skipped", gettext_lazy("not invited")),
)
# Colours of the bar's segments (SVG fill attributes: the CSP forbids style attributes), told apart by the legend
# and the label too, never by colour alone.
COLOURS = {
    "reconsented": "#1f6f43",
    "opened": "#0b5d73",
    "invited": "#7fb3c4",
    "withdrawn": "#a4262c",
    "skipped": "#8a94a3",
}


def _add_errors(form: Any, error: DomainError) -> None:
    if isinstance(error, InvalidFields):
        for field, problems in error.errors.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
    else:
        add_domain_error(form, error)


# --- inviting a donor (a button on the donor's page) ----------------------------------------------------------------


@login_required
@require_POST
def donor_invite_view(request: AuthenticatedHttpRequest, code: str, pid: str) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    donor = _donor(request, biobank, pid)
    form = InviteForm(request.POST)
    language = form.cleaned_data["language"] if form.is_valid() else None
    try:
        invitation = donor_invite(actor=request.user, donor=donor, language=language)
    except ForbiddenError:
        raise  # the browser's 403 page
    except DomainError as error:
        messages.error(request, _("The donor was not invited: %(why)s") % {"why": error.message})
    else:
        messages.success(
            request,
            _("An invitation to the donor portal was e-mailed to donor %(pid)s: a one-time link, valid until %(day)s.")
            % {
                "pid": donor.pid_display,
                "day": formats.date_format(timezone.localdate(invitation.expires_at), "DATE_FORMAT"),
            },
        )
    return redirect("consent:donor_detail", code=biobank.code, pid=donor.pid_display)


# --- re-consent campaigns ------------------------------------------------------------------------------------------


def _bar(counts: dict[str, int]) -> list[dict[str, Any]]:
    """The segments of a progress bar: each status's share of the targets, in percent (rounded, summing to 100)."""
    total = counts.get("targets", 0)
    if not total:
        return []
    segments: list[dict[str, Any]] = []
    used = 0
    shown = [(status, label, counts.get(status, 0)) for status, label in PROGRESS if counts.get(status, 0)]
    for index, (status, label, count) in enumerate(shown):
        percent = 100 - used if index == len(shown) - 1 else round(100 * count / total)
        segment = {"status": status, "label": label, "count": count, "percent": percent, "offset": used}
        segments.append({**segment, "colour": COLOURS[status]})
        used += percent
    return segments


# The list's columns, as the page shows them.
CAMPAIGN_COLUMNS = (
    Column(gettext_lazy("Campaign"), lambda item: item["campaign"].title),
    Column(
        gettext_lazy("Form version"),
        lambda item: f"{item['campaign'].template.code} {item['campaign'].template.version_label}",
    ),
    Column(gettext_lazy("Started"), lambda item: item["campaign"].created_at),
    Column(gettext_lazy("Donors"), lambda item: item["counts"]["targets"]),
    Column(gettext_lazy("Re-consented"), lambda item: item["counts"]["reconsented"]),
    Column(gettext_lazy("Progress (%)"), lambda item: item["counts"]["percent_done"]),
)


@require_GET
@login_required
def campaign_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    biobank = biobank_for(request, code, Perm.VIEW_DONORS)
    campaigns = [
        {"campaign": campaign, "counts": counts, "bar": _bar(counts)}
        for campaign, counts in campaigns_with_progress(biobank)
    ]
    fmt = export_format(request)
    if fmt is not None:
        name = f"campaigns-{biobank.code}"
        return export_response(items=campaigns, columns=CAMPAIGN_COLUMNS, name=name, export_format=fmt)
    context = {
        "biobank": biobank,
        "export": export_links(request),
        "campaigns": campaigns,
        "can_create": Perm.MANAGE_CONSENT in _perms(request, biobank),
    }
    return render(request, "consent/campaigns/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    templates = campaign_templates(biobank)
    form = CampaignForm(request.POST if request.method == "POST" else None, templates=templates)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                campaign = reconsent_campaign_create(
                    actor=request.user, template=form.cleaned_data["template"], title=form.cleaned_data["title"]
                )
            except ForbiddenError:
                raise
            except DomainError as error:
                _add_errors(form, error)
            else:
                counts = campaign_progress(campaign)["counts"]
                messages.success(
                    request,
                    _("The campaign started: %(invited)d of %(targets)d donors were invited.")
                    % {"invited": counts["invited_total"], "targets": counts["targets"]},
                )
                return redirect("consent:campaign_detail", code=biobank.code, campaign_id=campaign.pk)
        status = 400
    context = {"biobank": biobank, "form": form, "has_templates": templates.exists()}
    return render(request, "consent/campaigns/new.html", context, status=status)


# A campaign's donors, as its page lists them (PID and status); exported like the donor list, audited.
CAMPAIGN_DONOR_COLUMNS = (
    Column(gettext_lazy("PID"), lambda row: row["pid"]),
    Column(gettext_lazy("Status"), lambda row: row["label"]),
    Column(gettext_lazy("Reason"), lambda row: row["reason"]),
)


@require_GET
@login_required
def campaign_detail(request: AuthenticatedHttpRequest, code: str, campaign_id: int) -> HttpResponseBase:
    """A campaign's progress and its donors; ``?format=csv|xlsx`` is the donor table as a file (``donor.export``)."""
    biobank = biobank_for(request, code, Perm.VIEW_DONORS)
    try:
        campaign = campaign_of(biobank, campaign_id)
    except ReconsentCampaign.DoesNotExist:
        raise Http404(_("No re-consent campaign with this number in this biobank.")) from None
    progress = campaign_progress(campaign)
    counts = progress["counts"]
    labels = dict(PROGRESS)
    rows = [{**row, "label": labels.get(row["status"], row["status"])} for row in progress["donors"]]
    fmt = export_format(request)
    if fmt is not None:
        return export_response(
            items=rows,
            columns=CAMPAIGN_DONOR_COLUMNS,
            name=f"campaign-{campaign.pk}-donors-{biobank.code}",
            export_format=fmt,
            audit=lambda: donors_export_record(
                actor=request.user, biobank=biobank, filters={"list": f"campaign {campaign.pk}"}, export_format=fmt
            ),
        )
    context = {
        "biobank": biobank,
        "campaign": campaign,
        "counts": counts,
        "bar": _bar(counts),
        "rows": rows,
        "skipped": [row for row in progress["donors"] if row["status"] == "skipped"],
        "export": export_links(request),
    }
    return render(request, "consent/campaigns/detail.html", context)


# --- donor-message wording -------------------------------------------------------------------------------------------


# The wording list's columns, as the page shows them (its "Wording" cell split into what, who and when).
WORDING_COLUMNS = (
    Column(gettext_lazy("Message"), "kind_label"),
    Column(gettext_lazy("Language"), "language_label"),
    Column(gettext_lazy("Wording"), lambda row: _("edited") if row.custom else _("shipped wording")),
    Column(gettext_lazy("Edited by"), lambda row: row.custom.updated_by.email if row.custom else ""),
    Column(gettext_lazy("Edited"), lambda row: row.custom.updated_at if row.custom else None),
)


@require_GET
@login_required
def message_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    """The wording of every donor message; ``?format=csv|xlsx`` is the list as a file."""
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    wordings = message_wordings(biobank)
    fmt = export_format(request)
    if fmt is not None:
        name = f"donor-messages-{biobank.code}"
        return export_response(items=wordings, columns=WORDING_COLUMNS, name=name, export_format=fmt)
    context = {"biobank": biobank, "wordings": wordings, "export": export_links(request)}
    return render(request, "consent/messages/list.html", context)


def _placeholders(kind: str) -> dict[str, str]:
    return {name: "{{ " + name + " }}" for name in VARIABLES[kind]}


def _preview(
    request: AuthenticatedHttpRequest, biobank: Biobank, kind: str, language: str, form: MessageWordingForm
) -> tuple[str, str] | None:
    """The posted wording rendered on the sample values, checked by the saving service inside a transaction that
    is rolled back: nothing is saved or audited."""
    with transaction.atomic():
        try:
            message_template_save(
                actor=request.user, biobank=biobank, kind=kind, language=language, **form.cleaned_data
            )
        except ForbiddenError:
            raise
        except DomainError as error:
            _add_errors(form, error)
            return None
        rendered = message_render(biobank=biobank, kind=kind, language=language, context=SAMPLE)
        transaction.set_rollback(True)
    return rendered


@login_required
@require_http_methods(["GET", "POST"])
def message_edit(request: AuthenticatedHttpRequest, code: str, kind: str, language: str) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    if kind not in MessageKind.values or language not in dict(MESSAGE_LANGUAGES):
        raise Http404(_("There is no such donor message."))
    wording = next(w for w in message_wordings(biobank) if (w.kind, w.language) == (kind, language))
    action = request.POST.get("action", "save") if request.method == "POST" else None
    if action == "reset":
        if message_template_reset(actor=request.user, biobank=biobank, kind=kind, language=language):
            messages.success(request, _("The shipped wording is used again for this message."))
        else:
            messages.info(request, _("This message already used the shipped wording."))
        return redirect("consent:message_edit", code=biobank.code, kind=kind, language=language)
    if wording.custom is not None:
        initial = {"subject": wording.custom.subject, "body": wording.custom.body}
    else:
        subject, body = message_render(biobank=biobank, kind=kind, language=language, context=_placeholders(kind))
        initial = {"subject": subject, "body": body}
    form = MessageWordingForm(request.POST if action else None, initial=initial)
    preview, status = None, 200
    if action == "preview" and form.is_valid():
        preview = _preview(request, biobank, kind, language, form)
    elif action == "save" and form.is_valid():
        try:
            message_template_save(
                actor=request.user, biobank=biobank, kind=kind, language=language, **form.cleaned_data
            )
        except ForbiddenError:
            raise
        except DomainError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The wording was saved; the next messages of this kind use it."))
            return redirect("consent:message_edit", code=biobank.code, kind=kind, language=language)
    if form.errors:
        status = 400
    if preview is None and not form.errors:
        preview = message_render(biobank=biobank, kind=kind, language=language, context=SAMPLE)
    context = {
        "biobank": biobank,
        "wording": wording,
        "form": form,
        "preview": preview,
        "preview_of_unsaved": action == "preview",
        "variables": VARIABLES[kind],
    }
    return render(request, "consent/messages/edit.html", context, status=status)
