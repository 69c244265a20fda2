"""A signed consent: its per-policy states and history, the receipt and scan downloads, a module withdrawal, and
its invalidation (asked by one person, decided by a second)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.accounts.selectors import user_has_biobank_perm
from biobank.errors import DomainError, ForbiddenError
from biobank.web.access import biobank_for
from biobank.web.forms import add_domain_error

from .. import gate, services
from ..choices import InvalidationStatus, TemplateType
from ..forms.consents import InvalidationDecideForm, InvalidationRequestForm, WithdrawForm, model_choices
from ..forms.donors import ReasonForm
from ..models import Consent, ConsentInvalidation, Module, PolicyState
from ..selectors import consent_later_denials, consent_policy_history, consents_visible_to
from ..timeline import Act, decide_per_code


def _consent(request: AuthenticatedHttpRequest, biobank: Biobank, consent_id: int) -> Consent:
    consent = consents_visible_to(user=request.user).filter(biobank=biobank, pk=consent_id).first()
    if consent is None:
        raise Http404(_("This biobank has no such consent."))
    return consent


def _modules(consent: Consent) -> QuerySet[Module]:
    return Module.objects.filter(pk__in=consent.template.template_modules.values("module_id"))


@login_required
def consent_detail(request: AuthenticatedHttpRequest, code: str, consent_id: int) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.VIEW_DONORS)
    consent = _consent(request, biobank, consent_id)
    return _render_detail(request, biobank, consent)


def _withdraw_form(consent: Consent, data: QueryDict | None = None) -> WithdrawForm:
    """The module withdrawal, its modules named as on the signed version (the title in the consent's language)."""
    form = WithdrawForm(data, modules=_modules(consent).order_by("code"))
    model_choices(form, "module", _modules(consent).order_by("code"), label=lambda m: m.title_in(consent.language))
    return form


def _render_detail(
    request: AuthenticatedHttpRequest, biobank: Biobank, consent: Consent, *, withdraw_form: WithdrawForm | None = None
) -> HttpResponse:
    """The consent's page; ``withdraw_form`` is a refused withdrawal, shown again with its errors and input."""
    history = list(consent_policy_history(consent=consent))
    today = timezone.localdate()
    # Per policy: what this form says today, and what the gate answers for the person (every form, withdrawals,
    # the merge family) — they differ after a withdrawal recorded elsewhere or a later form.
    on_form = decide_per_code((_as_act(row) for row in history if row.origin == "signature"), today)
    for_donor = gate.decisions_for(donor=consent.donor_id, codes=on_form, at=today) if consent.counts else {}
    current = [(code_, on_form[code_], for_donor.get(code_)) for code_ in sorted(on_form)]
    can_manage = user_has_biobank_perm(user=request.user, biobank=biobank, perm=Perm.MANAGE_CONSENT)
    invalidations = list(consent.invalidations.select_related("requested_by", "decided_by"))
    pending = next((i for i in invalidations if i.status == InvalidationStatus.PENDING), None)
    may_decide = (
        pending is not None and can_manage and request.user.pk not in (pending.requested_by_id, consent.recorded_by_id)
    )
    withdrawable = can_manage and consent.counts and consent.template.type == TemplateType.CONSENT
    can_steward = user_has_biobank_perm(user=request.user, biobank=biobank, perm=Perm.VIEW_IDENTITY)
    context = {
        # the history partial answers only auditors: nobody else's page asks for it (no 403 in the console)
        "can_history": user_has_biobank_perm(user=request.user, biobank=biobank, perm=Perm.VIEW_AUDIT),
        "biobank": biobank,
        "consent": consent,
        "history": history,
        "current": current,
        "today": today,
        "can_manage": can_manage,
        "can_documents": can_manage or can_steward,  # receipts and scans name the signer
        "withdraw_form": (withdraw_form or _withdraw_form(consent)) if withdrawable else None,
        "later_denials": consent_later_denials(consent=consent) if consent.counts else [],
        "invalidations": invalidations,
        "pending_invalidation": pending,
        "invalidate_form": InvalidationRequestForm(prefix="invalidate")
        if can_manage and consent.counts and pending is None
        else None,
        "decide_form": InvalidationDecideForm(prefix="decide") if may_decide else None,
    }
    return render(request, "consent/consent_detail.html", context)


def _as_act(row: PolicyState) -> Act:
    return gate.act_of(row)


EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


def _document(request: AuthenticatedHttpRequest, code: str, consent_id: int, kind: str) -> HttpResponse:
    """A receipt or scan: a consent officer gets it at once; an identity steward states a reason first (a form,
    then a POST); anyone else with access to the consent gets 403, another biobank's consent is 404."""
    biobank = biobank_for(request, code, Perm.VIEW_DONORS)
    consent = _consent(request, biobank, consent_id)
    if kind == "scan" and not consent.scan:
        raise Http404(_("This consent has no scan."))
    officer = user_has_biobank_perm(user=request.user, biobank=biobank, perm=Perm.MANAGE_CONSENT)
    steward = user_has_biobank_perm(user=request.user, biobank=biobank, perm=Perm.VIEW_IDENTITY)
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
    except ForbiddenError:
        raise  # the browser's 403 page, not a form error
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
def receipt_download(request: AuthenticatedHttpRequest, code: str, consent_id: int) -> HttpResponse:
    return _document(request, code, consent_id, "receipt")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def scan_download(request: AuthenticatedHttpRequest, code: str, consent_id: int) -> HttpResponse:
    return _document(request, code, consent_id, "scan")


@login_required
@require_POST
def withdraw_module(request: AuthenticatedHttpRequest, code: str, consent_id: int) -> HttpResponse:
    """Recorded: back to the consent. Refused: the consent's page again, the errors at the fields of the withdrawal
    (and in a summary linking to them), the donor's words and the other input kept."""
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    consent = _consent(request, biobank, consent_id)
    form = _withdraw_form(consent, request.POST)
    if form.is_valid():
        try:
            services.consent_withdraw_module(
                actor=request.user,
                consent=consent,
                module=form.cleaned_data["module"],
                effective=form.cleaned_data["effective"],
                reason=form.cleaned_data["reason"],
            )
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Withdrawal recorded."))
            return redirect("consent:consent_detail", code=biobank.code, consent_id=consent.pk)
    return _render_detail(request, biobank, consent, withdraw_form=form)


@login_required
@require_POST
def invalidation_request(request: AuthenticatedHttpRequest, code: str, consent_id: int) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    consent = _consent(request, biobank, consent_id)
    form = InvalidationRequestForm(request.POST, prefix="invalidate")
    if form.is_valid():
        try:
            services.consent_invalidation_request(
                actor=request.user, consent=consent, reason=form.cleaned_data["reason"]
            )
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Invalidation asked for: a second person must decide it."))
    else:
        messages.error(request, _("Say why this consent was recorded in error."))
    return redirect("consent:consent_detail", code=biobank.code, consent_id=consent.pk)


@login_required
@require_POST
def invalidation_decide(request: AuthenticatedHttpRequest, code: str, consent_id: int) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    consent = _consent(request, biobank, consent_id)
    pending = ConsentInvalidation.objects.filter(consent=consent, status=InvalidationStatus.PENDING).first()
    form = InvalidationDecideForm(request.POST, prefix="decide")
    if pending is None:
        raise Http404(_("No invalidation of this consent is waiting for a decision."))
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.consent_invalidation_decide(
                actor=request.user, invalidation=pending, approve=approve, note=form.cleaned_data["note"]
            )
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("The consent is invalidated: it counts for no time.") if approve else _("Rejected.")
            )
    else:
        messages.error(request, _("Choose approve or reject."))
    return redirect("consent:consent_detail", code=biobank.code, consent_id=consent.pk)
