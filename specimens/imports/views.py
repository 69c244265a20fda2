"""Browser pages of bulk import: upload form and job list, job page with an HTMX-polled progress bar and the
dry-run report, the "Import now" button, and the template download (CSV/XLSX, or the README as CSV).

Every page needs ``change_specimens`` on the biobank (``biobank_for``: another biobank is a 404). The upload only
stores the file; the check and the import run as Celery jobs, so no request holds a large file's work.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from biobank.accounts.choices import Perm
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError, ForbiddenError
from biobank.web.access import biobank_for
from biobank.web.export import Column, export_format, export_links, export_response
from biobank.web.forms import add_domain_error

from ..models import ImportJob
from ..services import imports as services
from . import template as files
from .selectors import import_jobs_visible_to, import_problems

PROBLEMS_PER_PAGE = 200
DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", "specimen-import-template.csv", lambda: files.template_csv()),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "specimen-import-template.xlsx",
        lambda: files.template_xlsx(),
    ),
    "readme": ("text/csv; charset=utf-8", "specimen-import-columns.csv", lambda: files.readme_csv()),
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV in UTF-8, or XLSX)"),
        help_text=gettext_lazy("One header row with the template's column names, then one specimen per row."),
    )


def _job(request: AuthenticatedHttpRequest, code: str, import_id: int) -> ImportJob:
    biobank = biobank_for(request, code, Perm.CHANGE_SPECIMENS)
    job = import_jobs_visible_to(user=request.user).filter(pk=import_id, biobank=biobank).first()
    if job is None:
        raise Http404(_("No import with this number in this biobank."))
    return job


# An import's errors, as its page shows them.
PROBLEM_COLUMNS = (
    Column(gettext_lazy("Row"), "row"),
    Column(gettext_lazy("Column"), "column"),
    Column(gettext_lazy("Value"), "value"),
    Column(gettext_lazy("Message"), "message"),
)

# The list's columns, as the page shows them.
IMPORT_COLUMNS = (
    Column(gettext_lazy("File"), "file_name"),
    Column(gettext_lazy("Status"), "get_status_display"),
    Column(gettext_lazy("Rows"), "rows_total"),
    Column(gettext_lazy("Errors"), "error_count"),
    Column(gettext_lazy("Uploaded"), "created_at"),
    Column(gettext_lazy("Uploaded by"), "actor_label"),
)


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    biobank = biobank_for(request, code, Perm.CHANGE_SPECIMENS)
    fmt = export_format(request) if request.method == "GET" else None
    if fmt is not None:  # every upload, not only the 50 the page shows
        jobs = import_jobs_visible_to(user=request.user).filter(biobank=biobank)
        return export_response(items=jobs, columns=IMPORT_COLUMNS, name=f"imports-{biobank.code}", export_format=fmt)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_upload(
                actor=request.user, biobank=biobank, data=upload.read(), file_name=upload.name or "import"
            )
        except ForbiddenError:
            raise
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("The file %(name)s was uploaded; it is being checked.") % {"name": job.file_name}
            )
            return redirect("specimens:import_detail", code=biobank.code, import_id=job.pk)
    jobs = import_jobs_visible_to(user=request.user).filter(biobank=biobank)[:50]
    context = {
        "biobank": biobank,
        "form": form,
        "jobs": jobs,
        "columns": files.column_rows(),
        "export": export_links(request),
    }
    return render(request, "specimens/imports/list.html", context)


def _status_context(job: ImportJob) -> dict:
    done = services.import_progress(job)
    total = job.rows_total or 0
    return {"job": job, "rows_done": done, "percent": min(100, int(100 * done / total)) if total else 0}


@login_required
@require_GET
def import_detail(request: AuthenticatedHttpRequest, code: str, import_id: int) -> HttpResponseBase:
    """An import's status and its errors, a page at a time; ``?format=csv|xlsx`` is every error as a file, to fix
    the import file against."""
    job = _job(request, code, import_id)
    fmt = export_format(request)
    if fmt is not None:
        name = f"import-{job.pk}-errors-{job.biobank.code}"
        return export_response(
            items=import_problems(job).order_by("id"), columns=PROBLEM_COLUMNS, name=name, export_format=fmt
        )
    page = Paginator(import_problems(job).order_by("id"), PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"biobank": job.biobank, "problems": page, "export": export_links(request), **_status_context(job)}
    return render(request, "specimens/imports/detail.html", context)


@login_required
@require_GET
def import_status(request: AuthenticatedHttpRequest, code: str, import_id: int) -> HttpResponse:
    """The status box alone, polled by HTMX while the job runs; a finished job tells the page to reload once."""
    job = _job(request, code, import_id)
    response = render(request, "specimens/imports/_status.html", {"biobank": job.biobank, **_status_context(job)})
    if not job.running and request.GET.get("was") == "running":
        response["HX-Refresh"] = "true"  # show the report or the result now that the job is done
    return response


@login_required
@require_POST
def import_commit(request: AuthenticatedHttpRequest, code: str, import_id: int) -> HttpResponse:
    job = _job(request, code, import_id)
    try:
        services.import_commit_request(actor=request.user, job=job)
    except ForbiddenError:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The import of %(name)s has started.") % {"name": job.file_name})
    return redirect("specimens:import_detail", code=job.biobank.code, import_id=job.pk)


@login_required
@require_GET
def import_template(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """``?kind=xlsx`` (default), ``csv`` or ``readme`` (the columns explained, as CSV)."""
    biobank_for(request, code, Perm.CHANGE_SPECIMENS)
    kind = request.GET.get("kind", "xlsx")
    if kind not in DOWNLOADS:
        raise Http404(_("No such template."))
    content_type, name, build = DOWNLOADS[kind]
    response = HttpResponse(build(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
