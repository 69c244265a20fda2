"""The request wizard: project → purpose → material and data → biobanks → ethics → team → review. Each step saves
the draft; a step with errors shows them at the top and at each field and keeps what was typed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from biobank.errors import DomainError, ForbiddenError
from catalog.cart import cart_collections, cart_searches
from catalog.search import published_collections

from ..choices import REQUEST_EDITABLE, AttachmentKind
from ..feasibility import feasibility
from ..forms.researcher import (
    CollectionsForm,
    EthicsForm,
    MaterialForm,
    ProjectForm,
    PurposeForm,
    TeamMemberForm,
    add_errors,
)
from ..models import AccessRequest, ResearcherProfile
from ..selectors import request_get_for
from ..services.attachments import attachment_add
from ..services.requests import completeness_problems, request_create, request_submit, request_update
from ..services.team import team_member_add, team_member_remove

STEPS: list[tuple[str, Any]] = [
    ("project", _("Project")),
    ("purpose", _("Purpose")),
    ("material", _("Material and data")),
    ("biobanks", _("Biobanks and collections")),
    ("ethics", _("Ethics, funding, duration")),
    ("team", _("Team")),
    ("review", _("Review and submit")),
]
STEP_NAMES = [name for name, _label in STEPS]


def _researcher_ready(request: HttpRequest) -> HttpResponse | None:
    """Researchers without a profile go to it first (and come back); others may not write requests."""
    if not getattr(request.user, "is_researcher", False):
        raise ForbiddenError(gettext("Only researchers write access requests; register as a researcher first."))
    if not ResearcherProfile.objects.filter(user_id=request.user.pk or 0).exists():
        return redirect(reverse("access_requests:profile") + "?" + urlencode({"next": request.get_full_path()}))
    return None


def _next(access_request: AccessRequest, step: str) -> HttpResponse:
    following = STEP_NAMES[min(STEP_NAMES.index(step) + 1, len(STEP_NAMES) - 1)]
    return redirect("access_requests:wizard_step", pk=access_request.pk, step=following)


def _page(request: HttpRequest, step: str, context: dict[str, Any]) -> HttpResponse:
    context.setdefault("access_request", None)
    return render(
        request,
        f"access_requests/researcher/wizard_{step}.html",
        {"steps": STEPS, "step": step, "step_index": STEP_NAMES.index(step) + 1, **context},
    )


@login_required
@require_http_methods(["GET", "POST"])
def wizard_new(request: HttpRequest) -> HttpResponse:
    """The first step, before a draft exists; ``?from=cart`` takes the catalogue cart's collections and searches."""
    if redirect_to := _researcher_ready(request):
        return redirect_to
    from_cart = request.GET.get("from") == "cart"
    cart = cart_collections(request.session) if from_cart else []
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        searches = cart_searches(request.session) if from_cart else []
        try:
            created = request_create(
                actor=request.user,
                collection_ids=[collection.pk for _item, collection in cart],
                search_description="\n".join(description for description, _p, _ids in searches if description),
                **form.cleaned_data,
            )
        except DomainError as error:
            add_errors(form, error)
        else:
            return _next(created, "project")
    return _page(request, "project", {"form": form, "cart": [c for _i, c in cart], "from_cart": from_cart})


def _editable_request(request: HttpRequest, pk: int) -> AccessRequest:
    access_request = request_get_for(user=request.user, pk=pk)
    if access_request.researcher_id != request.user.pk:
        raise Http404
    return access_request


@login_required
@require_http_methods(["GET", "POST"])
def wizard_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEP_NAMES:
        raise Http404
    try:
        access_request = _editable_request(request, pk)  # first: a request one may not see is 404 for anyone
    except AccessRequest.DoesNotExist:
        raise Http404 from None
    if redirect_to := _researcher_ready(request):
        return redirect_to
    if access_request.status not in REQUEST_EDITABLE:
        return redirect("access_requests:detail", pk=access_request.pk)
    handler = STEP_HANDLERS[step]
    return handler(request, access_request, step)


def _simple_step(form_class: type, fields: tuple[str, ...]) -> Any:
    def handle(request: HttpRequest, access_request: AccessRequest, step: str) -> HttpResponse:
        initial = {name: getattr(access_request, name) for name in fields}
        form = form_class(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                request_update(actor=request.user, request=access_request, **form.cleaned_data)
            except DomainError as error:
                add_errors(form, error)
            else:
                return _next(access_request, step)
        return _page(request, step, {"form": form, "access_request": access_request})

    return handle


def _material(request: HttpRequest, access_request: AccessRequest, step: str) -> HttpResponse:
    form = MaterialForm(request.POST or None, initial=MaterialForm.initial_from(access_request))
    if request.method == "POST" and form.is_valid():
        try:
            request_update(actor=request.user, request=access_request, **form.values())
        except DomainError as error:
            add_errors(form, error)
        else:
            return _next(access_request, step)
    return _page(request, step, {"form": form, "access_request": access_request})


def _biobanks(request: HttpRequest, access_request: AccessRequest, step: str) -> HttpResponse:
    available = published_collections().select_related("biobank").order_by("biobank__name", "name")
    choices = [(c.pk, f"{c.biobank.name} — {c.name}") for c in available]
    chosen = [c.pk for r in access_request.resources.prefetch_related("collections") for c in r.collections.all()]
    form = CollectionsForm(request.POST or None, initial={"collections": chosen}, choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            request_update(
                actor=request.user,
                request=access_request,
                collection_ids=[int(i) for i in form.cleaned_data["collections"]],
            )
        except DomainError as error:
            add_errors(form, error)
        else:
            return _next(access_request, step)
    return _page(request, step, {"form": form, "access_request": access_request})


def _ethics(request: HttpRequest, access_request: AccessRequest, step: str) -> HttpResponse:
    initial = {
        n: getattr(access_request, n) for n in ("ethics_reference", "ethics_expiry", "funding", "duration_months")
    }
    form = EthicsForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("ethics_file")
        try:
            request_update(actor=request.user, request=access_request, **data)
            if upload:
                attachment_add(
                    actor=request.user, request=access_request, kind=AttachmentKind.ETHICS_APPROVAL, file=upload
                )
        except DomainError as error:
            add_errors(form, error if error.field != "file" else DomainError(error.message, field="ethics_file"))
        else:
            return _next(access_request, step)
    attachments = access_request.attachments.filter(kind=AttachmentKind.ETHICS_APPROVAL)
    return _page(request, step, {"form": form, "access_request": access_request, "attachments": attachments})


def _team(request: HttpRequest, access_request: AccessRequest, step: str) -> HttpResponse:
    form = TeamMemberForm(request.POST if "add" in request.POST else None)
    if request.method == "POST":
        if "remove" in request.POST:
            try:
                team_member_remove(actor=request.user, request=access_request, member_id=int(request.POST["remove"]))
            except (ValueError, access_request.team.model.DoesNotExist):
                raise Http404 from None
            return redirect("access_requests:wizard_step", pk=access_request.pk, step=step)
        if "add" in request.POST and form.is_valid():
            try:
                team_member_add(actor=request.user, request=access_request, **form.cleaned_data)
            except DomainError as error:
                add_errors(form, error)
            else:
                return redirect("access_requests:wizard_step", pk=access_request.pk, step=step)
        if "next" in request.POST:
            return _next(access_request, step)
    return _page(request, step, {"form": form, "access_request": access_request, "team": access_request.team.all()})


def _review(request: HttpRequest, access_request: AccessRequest, step: str) -> HttpResponse:
    problems: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            request_submit(actor=request.user, request=access_request)
        except DomainError as error:
            problems = getattr(error, "errors", {error.field or "": [error.message]})
        else:
            return redirect("access_requests:detail", pk=access_request.pk)
    else:
        problems = completeness_problems(access_request)
    rows = [row.shown(exact=False) for row in feasibility(request=access_request)]
    context = {
        "access_request": access_request,
        "problems": problems,
        "submitted": request.method == "POST",
        "feasibility_rows": rows,
        "resources": access_request.resources.select_related("biobank").prefetch_related("collections"),
        "team": access_request.team.all(),
        "attachments": access_request.attachments.all(),
    }
    return _page(request, step, context)


STEP_HANDLERS = {
    "project": _simple_step(ProjectForm, ("title", "lay_summary", "abstract")),
    "purpose": _simple_step(PurposeForm, ("purpose_kind", "disease", "methods_development", "commercial")),
    "material": _material,
    "biobanks": _biobanks,
    "ethics": _ethics,
    "team": _team,
    "review": _review,
}
