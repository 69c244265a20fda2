"""Staff pages for the BBMRI-ERIC Directory exchange: download the export, upload a workbook (checked, all or nothing).

Both need ``manage_catalog`` in at least one biobank (403 otherwise). The export covers the published records of
the biobanks the person manages; the import may change only those biobanks, and only a superuser may let it create
biobanks the installation does not have yet (the command ``import_directory`` may, as the system actor).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.accounts.selectors import biobanks_with_perm

from .export import FORMATS, directory_export
from .importer import import_directory

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _managed(request: AuthenticatedHttpRequest) -> QuerySet[Biobank]:
    biobanks = biobanks_with_perm(user=request.user, perm=Perm.MANAGE_CATALOG).order_by("name")
    if not biobanks.exists():
        raise PermissionDenied(_("The Directory exchange needs the permission to manage a biobank's catalogue."))
    return biobanks


class ExportForm(forms.Form):
    biobank = forms.ModelChoiceField(queryset=Biobank.objects.none(), label=gettext_lazy("Biobank"))
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[
            ("xlsx", gettext_lazy("Directory staging workbook (XLSX)")),
            ("zip", gettext_lazy("Directory staging sheets as CSV files (ZIP)")),
            ("json", gettext_lazy("MIABIS Core 3.0 (JSON)")),
        ],
        initial="xlsx",
    )

    def __init__(self, *args: object, biobanks: QuerySet[Biobank], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["biobank"].queryset = biobanks  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    workbook = forms.FileField(
        label=gettext_lazy("Directory workbook"),
        help_text=gettext_lazy("The staging workbook (.xlsx) or a ZIP of the five CSV sheets (.zip)."),
    )
    dry_run = forms.BooleanField(label=gettext_lazy("Only check, write nothing"), required=False, initial=True)

    def clean_workbook(self) -> object:
        upload = self.cleaned_data["workbook"]
        if not upload.name.lower().endswith((".xlsx", ".zip")):
            raise forms.ValidationError(
                _("%(name)s: upload an .xlsx workbook or a .zip of CSV files.") % {"name": upload.name}
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


@login_required
@require_http_methods(["GET", "POST"])
def directory_export_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    biobanks = _managed(request)
    form = ExportForm(request.POST if request.method == "POST" else None, biobanks=biobanks)
    if request.method == "POST" and form.is_valid():
        fmt = form.cleaned_data["format"]
        biobank = form.cleaned_data["biobank"]
        data = directory_export(actor=request.user, fmt=fmt, biobank=biobank)
        content_type, name = FORMATS[fmt]
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{biobank.code}-{name}"'
        return response
    return render(request, "catalog/directory/export.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def directory_import_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    biobanks = _managed(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["workbook"]
        report = import_directory(
            actor=request.user, data=upload.read(), file_name=upload.name, dry_run=form.cleaned_data["dry_run"],
            allowed_biobanks=set(biobanks.values_list("pk", flat=True)),
            may_create_biobanks=request.user.is_superuser,
        )  # fmt: skip
        if report.ok:
            counts = ", ".join(f"{n} {sheet}" for sheet, n in report.counts.items()) or _("nothing")
            if report.dry_run:
                messages.info(
                    request, _("The workbook is valid (%(counts)s); nothing was written.") % {"counts": counts}
                )
            else:
                messages.success(request, _("Imported: %(counts)s.") % {"counts": counts})
    return render(request, "catalog/directory/import.html", {"form": form, "report": report})
