"""The donor changes their consent: one choice, a newer version (re-consent), or a withdrawal (a level or one part),
each in one form and one POST. Service errors are shown at the field they name; the input stays."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import ConflictError, DomainError
from biobank.web.forms import add_domain_error

from ...models import DonorAccount
from ...selectors.portal import portal_overview
from ...services.portal import donor_choice_change, donor_reconsent, donor_self_withdraw
from ..forms import ChoiceChangeForm, ReconsentForm, WithdrawForm
from .common import ChoiceRow, choice_rows, donor_page, language_of, withdrawal_label

WITHDRAWN_KEY = "donor_portal_withdrawn"  # what the last withdrawal was, for the confirmation page


def _module_row(overview: Any, module_code: str) -> ChoiceRow:
    row = next((row for row in choice_rows(overview) if row.code == module_code), None)
    if row is None:
        raise Http404(_("Your consent has no such part."))
    return row


@require_http_methods(["GET", "POST"])
@donor_page
def choice_change(request: AuthenticatedHttpRequest, account: DonorAccount, module_code: str) -> HttpResponse:
    overview = portal_overview(account)
    row = _module_row(overview, module_code)
    form = ChoiceChangeForm(request.POST if request.method == "POST" else None, current=row.state)
    status = 200
    if row.changeable and row.consent is not None and form.is_valid():
        try:
            donor_choice_change(
                account=account,
                consent=row.consent,
                module_code=module_code,
                choice=form.cleaned_data["choice"],
                signer_name=form.cleaned_data["signer_name"],
            )
        except DomainError as error:
            add_domain_error(form, error, {"module": "choice"})
            status = error.status_code
        else:
            messages.success(request, _("Your choice is saved. A confirmation is in your messages."))
            return redirect("donor_portal:home")
    elif form.is_bound:
        status = 400
    context = {"account": account, "row": row, "form": form}
    return render(request, "consent/portal/choice_change.html", context, status=status)


@require_http_methods(["GET", "POST"])
@donor_page
def reconsent(request: AuthenticatedHttpRequest, account: DonorAccount, template_id: int) -> HttpResponse:
    overview = portal_overview(account)
    template = next((t for t in overview.reconsent if t.pk == template_id), None)
    if template is None:
        raise Http404(_("There is no newer version of your consent for you to sign."))
    language = language_of(template, account.language)
    text = next((t for t in template.texts.all() if t.language == language), None)
    modules = [row.module for row in template.template_modules.select_related("module").order_by("position", "pk")]
    form = ReconsentForm(request.POST if request.method == "POST" else None, modules=modules, language=language)
    status = 200
    if form.is_valid():
        try:
            donor_reconsent(
                account=account,
                template=template,
                choices=form.choices(),
                signer_name=form.cleaned_data["signer_name"],
            )
        except DomainError as error:
            field_map = {code: f"module_{code}" for code in form.module_codes}
            add_domain_error(form, error, field_map)
            status = error.status_code
        else:
            messages.success(request, _("Thank you: you signed the new version. Your choices are saved."))
            return redirect("donor_portal:home")
    elif form.is_bound:
        status = 400
    context = {"account": account, "template": template, "text": text, "form": form, "language": language}
    return render(request, "consent/portal/reconsent.html", context, status=status)


def _withdrawable(overview: Any) -> list[tuple[str, str, Any]]:
    """(module code, title, consent) of the parts the donor has agreed to and may withdraw alone (a part required
    to take part is withdrawn with one of the three levels)."""
    return [
        (row.code, row.title, row.consent)
        for row in choice_rows(overview)
        if row.state == "accepted" and not row.mandatory and row.consent is not None
    ]


@require_http_methods(["GET", "POST"])
@donor_page
def withdraw(request: AuthenticatedHttpRequest, account: DonorAccount) -> HttpResponse:
    overview = portal_overview(account)
    parts = _withdrawable(overview)
    form = WithdrawForm(
        request.POST if request.method == "POST" else None, modules=[(code, title) for code, title, _c in parts]
    )
    status = 200
    if form.is_valid():
        level, module_code = form.target()
        consent = next((c for code, _t, c in parts if code == module_code), None) if module_code else None
        try:
            donor_self_withdraw(
                account=account,
                level=level,
                consent=consent,
                module_code=module_code,
                words=form.cleaned_data["words"],
            )
        except ConflictError as error:
            form.add_error(None, error.message)
            status = 409
        except DomainError as error:
            add_domain_error(form, error, {"level": "what", "module_code": "what", "consent": "what"})
            status = error.status_code
        else:
            title = next((t for code, t, _c in parts if code == module_code), "")
            request.session[WITHDRAWN_KEY] = {"level": level, "module": title}
            return redirect("donor_portal:withdraw_done")
    elif form.is_bound:
        status = 400
    context = {"account": account, "withdrawal": withdrawal_label(overview.withdrawal), "form": form}
    return render(request, "consent/portal/withdraw.html", context, status=status)


@require_GET
@donor_page
def withdraw_done(request: AuthenticatedHttpRequest, account: DonorAccount) -> HttpResponse:
    done = request.session.get(WITHDRAWN_KEY) or {}
    overview = portal_overview(account)
    context = {"account": account, "level": done.get("level") or overview.withdrawal, "module": done.get("module", "")}
    return render(request, "consent/portal/withdraw_done.html", context)
