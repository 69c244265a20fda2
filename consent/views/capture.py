"""Consent capture (staff-assisted, tablet-friendly), scanned paper forms and their QC queue."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError, ForbiddenError
from biobank.web.access import biobank_for
from biobank.web.export import Column, export_format, export_links, export_response
from biobank.web.forms import add_domain_error

from .. import services
from ..choices import ModuleChoice, TemplateType
from ..forms.consents import SIGNATURE_DRAWN, CaptureStartForm, QcForm, ScanUploadForm, SignForm
from ..models import Consent, Donor, Template
from ..selectors import (
    consent_later_denials,
    consents_pending_qc,
    consents_visible_to,
    donor_get_for,
    staff_of_biobank,
    templates_signable,
)
from ..services.consents.signing import _template_modules
from . import kept_uploads

FIELD_MAP = {"choices": None, "signature": "signature", "countersigned": "countersigned", "template": None}


def _donor(request: AuthenticatedHttpRequest, form: forms.Form, biobank: Biobank, pid: str) -> Donor | None:
    try:
        return donor_get_for(user=request.user, pid=pid, biobank=biobank)
    except ForbiddenError:
        raise  # the browser's 403 page, not a form error
    except DomainError as error:
        form.add_error("pid", error.message)
    except Donor.DoesNotExist:
        form.add_error("pid", _("No donor with this PID in this biobank."))
    return None


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def capture(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Step 1 (GET with no choice yet): donor, form, language. Step 2: the exact text, the choices, signatures."""
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    signable = templates_signable(biobank=biobank)
    data = request.POST if request.method == "POST" else (request.GET if "template" in request.GET else None)
    start = CaptureStartForm(data, templates=signable, initial={"pid": request.GET.get("pid", "")})
    context: dict = {"biobank": biobank, "start": start}
    if data is None or not start.is_valid():
        return render(request, "consent/capture_start.html", context)
    donor = _donor(request, start, biobank, start.cleaned_data["pid"])
    template: Template = start.cleaned_data["template"]
    language = start.cleaned_data["language"]
    text = template.texts.filter(language=language).first()
    if text is None:
        start.add_error("language", _("This form has no text in the chosen language."))
    if donor is None or text is None:
        return render(request, "consent/capture_start.html", context)
    # The donor reads and signs in the form's language: its choices, labels, errors and the service's messages
    # (issue 16, item 1); the page around it stays in the staff member's language.
    with translation.override(language):
        form = SignForm(
            request.POST if request.method == "POST" else None,
            modules=_template_modules(template),
            language=language,
            staff=staff_of_biobank(biobank=biobank),
            user=request.user,
            form_type=template.type,
        )
        consent = _record(request, form, donor, template, language) if request.method == "POST" else None
    if consent is not None:
        messages.success(request, _("Consent recorded for %(pid)s.") % {"pid": donor.pid})
        return redirect("consent:consent_detail", code=biobank.code, consent_id=consent.pk)
    context.update({"donor": donor, "template": template, "language": language, "text": text, "form": form})
    return render(request, "consent/capture_sign.html", context)


def _record(
    request: AuthenticatedHttpRequest, form: SignForm, donor: Donor, template: Template, language: str
) -> Consent | None:
    """The consent of a valid form, or None with the service's refusal shown on the form."""
    if not form.is_valid():
        return None
    try:
        return services.consent_record(
            actor=request.user,
            donor=donor,
            template=template,
            language=language,
            choices=form.choices(),
            signer_name=form.cleaned_data["signer_name"],
            signature_png=form.cleaned_data["signature"],
            signature_drawn=form.cleaned_data["signature_method"] == SIGNATURE_DRAWN,
            representative_name=form.cleaned_data["representative_name"],
            representative_relation=form.cleaned_data["representative_relation"],
            representative_legal_basis=form.cleaned_data["representative_legal_basis"],
            witness=form.cleaned_data["witness"],
            informed_by=form.cleaned_data["informed_by"],
            informed_place=form.cleaned_data["informed_place"],
            countersigned=form.cleaned_data["countersigned"],
        )
    except ForbiddenError:
        raise  # the browser's 403 page, not a form error
    except DomainError as error:
        name = error.field or ""
        add_domain_error(form, error, {name: f"module_{name.split('/')[-1]}" if "/" in name else name})
    return None


def _paper_choices(template: Template, modules: list, ticked: set[str]) -> dict[str, str]:
    """What the ticks on a paper form mean for its type (a tick on a refusal form is refused by the service)."""
    if template.type == TemplateType.WITHDRAWAL:
        return {m.code: ModuleChoice.WITHDRAWN if m.code in ticked else ModuleChoice.UNANSWERED for m in modules}
    return {m.code: ModuleChoice.ACCEPTED if m.code in ticked else ModuleChoice.DECLINED for m in modules}


@login_required
@require_http_methods(["GET", "POST"])
def scan_upload(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """A signed paper form. On an error the chosen scan is kept (``kept_uploads``): the page says so and the next
    submit uses it unless another file is chosen."""
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    templates = Template.objects.filter(biobank=biobank).exclude(status="draft").order_by("code", "-number")
    posted = request.method == "POST"
    files = request.FILES.copy() if posted else None
    previous = request.POST.get("kept_scan", "") if posted else ""
    kept = None
    if posted and files is not None and "scan" not in files and previous:
        kept = kept_uploads.load(request, previous)
        if kept is not None:
            files["scan"] = kept.file
    form = ScanUploadForm(
        request.POST if posted else None,
        files or None,
        templates=templates,
        staff=staff_of_biobank(biobank=biobank),
        user=request.user,
    )
    if posted and form.is_valid():
        consent = _scan_store(request, form, biobank)
        if consent is not None:
            kept_uploads.drop(request, previous)
            messages.success(request, _("Scan stored; it counts once a second person has approved it in QC."))
            return redirect("consent:consent_detail", code=biobank.code, consent_id=consent.pk)
    if "scan" in form.errors:  # the file itself is wrong: nothing to keep
        kept_uploads.drop(request, previous)
    elif posted and files is not None and "scan" in files:
        if kept is None or files["scan"] is not kept.file:  # a newly chosen file replaces the kept one
            kept = kept_uploads.keep(request, cast(UploadedFile, files["scan"]), previous=previous)
        if kept is not None:
            form.keep_scan(kept.token, kept.name)
    return render(request, "consent/scan_upload.html", {"biobank": biobank, "form": form})


def _scan_store(request: AuthenticatedHttpRequest, form: ScanUploadForm, biobank: Biobank) -> Consent | None:
    """The scan recorded, or ``None`` with the service's errors on the form."""
    donor = _donor(request, form, biobank, form.cleaned_data["pid"])
    if donor is None:
        return None
    template = form.cleaned_data["template"]
    ticked = {c.strip() for c in form.cleaned_data["accepted"].split(",") if c.strip()}
    modules = _template_modules(template)
    unknown = ticked - {m.code for m in modules}
    choices = _paper_choices(template, modules, ticked)
    choices.update(dict.fromkeys(unknown, "accepted"))
    try:
        return services.consent_scan_upload(
            actor=request.user,
            donor=donor,
            template=template,
            language=form.cleaned_data["language"],
            choices=choices,
            signed_on=form.cleaned_data["signed_on"],
            file=form.cleaned_data["scan"],
            representative_name=form.cleaned_data["representative_name"],
            representative_relation=form.cleaned_data["representative_relation"],
            representative_legal_basis=form.cleaned_data["representative_legal_basis"],
            informed_by=form.cleaned_data["informed_by"],
            informed_place=form.cleaned_data["informed_place"],
        )
    except ForbiddenError:
        raise  # the browser's 403 page, not a form error
    except DomainError as error:
        mapped = {"choices": "accepted"}
        key = (error.field or "").split("/")[0]
        add_domain_error(form, error, {error.field or "": mapped.get(key, key)})
        return None


# The queue's columns, as the page shows them.
QC_COLUMNS = (
    Column(gettext_lazy("Donor"), "donor.pid"),
    Column(gettext_lazy("Form"), lambda consent: f"{consent.template.code} {consent.template.version_label}"),
    Column(gettext_lazy("Signed on"), "signed_on"),
    Column(gettext_lazy("Uploaded by"), lambda consent: consent.recorded_by.email if consent.recorded_by else ""),
)


@login_required
def qc_queue(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    pending = consents_pending_qc(user=request.user, biobank=biobank)
    fmt = export_format(request)
    if fmt is not None:
        return export_response(items=pending, columns=QC_COLUMNS, name=f"scan-qc-{biobank.code}", export_format=fmt)
    context = {"biobank": biobank, "pending": pending, "export": export_links(request)}
    return render(request, "consent/qc_queue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def qc_decide(request: AuthenticatedHttpRequest, code: str, consent_id: int) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    consent = consents_visible_to(user=request.user).filter(biobank=biobank, pk=consent_id).first()
    if consent is None:
        raise Http404(_("This biobank has no such consent."))
    form = QcForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decided = services.consent_scan_qc(
                actor=request.user,
                consent=consent,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("QC decision recorded."))
            for warning in getattr(decided, "qc_warnings", []):
                messages.warning(request, warning)
            return redirect("consent:qc_queue", code=biobank.code)
    # Before approving: a form signed before a later withdrawal counts from its date and does not undo it.
    warnings = consent_later_denials(consent=consent)
    context = {"biobank": biobank, "consent": consent, "form": form, "warnings": warnings}
    return render(request, "consent/qc_decide.html", context)
