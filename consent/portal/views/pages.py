"""The donor's read-only pages: home (current choices, signed versions, re-consent, withdraw), one signed consent
exactly as signed, its receipt, the full history, and the projects that received their samples or data."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError
from biobank.web.export import Column, export_format, export_links, export_response

from ...models import Consent, DonorAccount
from ...selectors.portal import portal_consent, portal_history, portal_overview, portal_projects
from ...services.portal import donor_receipt_read
from .common import choice_rows, donor_page, language_of, signed_rows, withdrawal_label


def _own_consent(account: DonorAccount, consent_id: int) -> Consent:
    try:
        return portal_consent(account, consent_id)
    except Consent.DoesNotExist:
        raise Http404(_("You have no such consent.")) from None


@require_GET
@donor_page
def home(request: AuthenticatedHttpRequest, account: DonorAccount) -> HttpResponse:
    overview = portal_overview(account)
    context = {
        "account": account,
        "overview": overview,
        "choices": choice_rows(overview),
        "signed": signed_rows(overview, account.language),
        "withdrawal": withdrawal_label(overview.withdrawal),
    }
    return render(request, "consent/portal/home.html", context)


@require_GET
@donor_page
def consent_detail(request: AuthenticatedHttpRequest, account: DonorAccount, consent_id: int) -> HttpResponse:
    """The version exactly as signed: its text in the language it was signed in, each part's text and the answer."""
    consent = _own_consent(account, consent_id)
    template = consent.template
    language = language_of(template, consent.language)
    text = next((t for t in template.texts.all() if t.language == language), None)
    answers = {choice.module_id: choice for choice in consent.choices.all()}
    parts = [
        {
            "title": row.module.title_in(language),
            "text": row.module.text_in(language),
            "mandatory": row.module.mandatory,
            "choice": answers.get(row.module_id),
        }
        for row in template.template_modules.select_related("module").order_by("position", "pk")
    ]
    context = {"account": account, "consent": consent, "text": text, "parts": parts, "language": language}
    return render(request, "consent/portal/consent_detail.html", context)


@require_GET
@donor_page
def receipt(request: AuthenticatedHttpRequest, account: DonorAccount, consent_id: int) -> HttpResponse:
    consent = _own_consent(account, consent_id)
    try:
        data = donor_receipt_read(account=account, consent=consent)
    except (DomainError, Consent.DoesNotExist) as error:  # no receipt (yet), or not the donor's: 404
        raise Http404(getattr(error, "message", "")) from None
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="my-consent-{consent.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# The donor's history, as the page shows it (the entries' words are written in the account's language when read).
HISTORY_COLUMNS = (
    Column(gettext_lazy("Date"), "day"),
    Column(gettext_lazy("What happened"), "text"),
    Column(gettext_lazy("By"), "by"),
)


@require_GET
@donor_page
def history(request: AuthenticatedHttpRequest, account: DonorAccount) -> HttpResponseBase:
    """The donor's history; ``?format=csv|xlsx`` is it as a file (their own data: not audited, as their messages)."""
    entries = portal_history(account)
    fmt = export_format(request)
    if fmt is not None:
        return export_response(items=entries, columns=HISTORY_COLUMNS, name="history", export_format=fmt)
    context = {"account": account, "entries": entries, "export": export_links(request)}
    return render(request, "consent/portal/history.html", context)


@require_GET
@donor_page
def projects(request: AuthenticatedHttpRequest, account: DonorAccount) -> HttpResponse:
    return render(request, "consent/portal/projects.html", {"account": account, "projects": portal_projects(account)})
