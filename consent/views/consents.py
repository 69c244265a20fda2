"""A signed consent: its per-policy states and history, the receipt and scan downloads, a module withdrawal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from biobank.accounts.selectors import user_has_biobank_perm
from biobank.errors import DomainError
from biobank.web.access import biobank_for
from biobank.web.forms import add_domain_error

from .. import gate, services
from ..forms.consents import WithdrawForm
from ..forms.donors import ReasonForm
from ..models import Consent, Module
from ..selectors import consent_policy_history, consents_visible_to


def _consent(request: HttpRequest, biobank: object, consent_id: int) -> Consent:
    consent = consents_visible_to(user=request.user).filter(biobank=biobank, pk=consent_id).first()
    if consent is None:
        raise Http404(_("This biobank has no such consent."))
    return consent


def _modules(consent: Consent) -> QuerySet[Module]:
    return Module.objects.filter(pk__in=consent.template.template_modules.values("module_id"))


@login_required
def consent_detail(request: HttpRequest, code: str, consent_id: int) -> HttpResponse:
    biobank = biobank_for(request, code, "view_donors")
    consent = _consent(request, biobank, consent_id)
    history = list(consent_policy_history(consent=consent))
    today = timezone.localdate()
    by_policy: dict[str, list] = {}
    for row in history:
        by_policy.setdefault(row.policy.code, []).append(row)
    # This consent's own state per policy today (the gate itself also weighs the donor's other consents).
    current = [(code_, *gate.policy_state(rows, today)) for code_, rows in sorted(by_policy.items())]
    can_manage = user_has_biobank_perm(user=request.user, biobank=biobank, perm="manage_consent")
    can_steward = user_has_biobank_perm(user=request.user, biobank=biobank, perm="view_identity")
    context = {
        "biobank": biobank,
        "consent": consent,
        "history": history,
        "current": current,
        "today": today,
        "can_manage": can_manage,
        "can_documents": can_manage or can_steward,  # receipts and scans name the signer
        "withdraw_form": WithdrawForm(modules=_modules(consent)) if can_manage and consent.counts else None,
    }
    return render(request, "consent/consent_detail.html", context)


EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


def _document(request: HttpRequest, code: str, consent_id: int, kind: str) -> HttpResponse:
    """A receipt or scan: a consent officer gets it at once; an identity steward states a reason first (a form,
    then a POST); anyone else with access to the consent gets 403, another biobank's consent is 404."""
    biobank = biobank_for(request, code, "view_donors")
    consent = _consent(request, biobank, consent_id)
    if kind == "scan" and not consent.scan:
        raise Http404(_("This consent has no scan."))
    officer = user_has_biobank_perm(user=request.user, biobank=biobank, perm="manage_consent")
    steward = user_has_biobank_perm(user=request.user, biobank=biobank, perm="view_identity")
    if not (officer or steward):
        raise PermissionDenied(
            _("Receipts and scans show who signed: only consent officers and identity stewards may open them.")
        )
    form = ReasonForm(request.POST if request.method == "POST" else None)
    context = {"biobank": biobank, "consent": consent, "form": form}
    reason = None
    if not officer:
        if not form.is_valid():  # first the form (unbound: no errors shown), then its errors
            return render(request, "consent/document_reason.html", context)
        reason = form.cleaned_data["reason"]
    read = services.consent_receipt_read if kind == "receipt" else services.consent_scan_read
    try:
        data = read(actor=request.user, consent=consent, reason=reason)
    except DomainError as error:
        if not officer:
            add_domain_error(form, error)
            return render(request, "consent/document_reason.html", context)
        messages.error(request, error.message)
        return redirect("consent:consent_detail", code=biobank.code, consent_id=consent.pk)
    if kind == "receipt":
        response = HttpResponse(data, content_type="application/pdf")
        filename = f"consent-{consent.donor.pid}-{consent.pk}.pdf"
    else:
        response = HttpResponse(data, content_type=consent.scan_content_type)
        filename = f"consent-scan-{consent.pk}.{EXTENSIONS.get(consent.scan_content_type, 'bin')}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def receipt_download(request: HttpRequest, code: str, consent_id: int) -> HttpResponse:
    return _document(request, code, consent_id, "receipt")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def scan_download(request: HttpRequest, code: str, consent_id: int) -> HttpResponse:
    return _document(request, code, consent_id, "scan")


@login_required
@require_POST
def withdraw_module(request: HttpRequest, code: str, consent_id: int) -> HttpResponse:
    biobank = biobank_for(request, code, "manage_consent")
    consent = _consent(request, biobank, consent_id)
    form = WithdrawForm(request.POST, modules=_modules(consent))
    if form.is_valid():
        try:
            services.consent_withdraw_module(
                actor=request.user,
                consent=consent,
                module=form.cleaned_data["module"],
                effective=form.cleaned_data["effective"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Withdrawal recorded."))
    else:
        problems = "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items())
        messages.error(request, problems)
    return redirect("consent:consent_detail", code=biobank.code, consent_id=consent.pk)
