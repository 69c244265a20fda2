"""The committee management page of one biobank (/requests/committees/<code>/): settings and members.

For the biobank's administrators and its DAC chair (``committee_may_manage``); other members of the biobank get a
403, everyone else a 404 (``biobank_for``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError, ForbiddenError
from biobank.web.access import biobank_for
from biobank.web.export import Column, export_format, export_links, export_response
from biobank.web.forms import add_domain_error

from ..choices import CommitteeRole, DecisionRule
from ..models import Committee, CommitteeMember
from ..services.committees import (
    committee_candidates,
    committee_create,
    committee_may_manage,
    committee_member_add,
    committee_member_remove,
    committee_update,
)

# The member list's columns, as the page shows them.
SEAT_COLUMNS = (
    Column(gettext_lazy("Person"), "user.full_name"),
    Column(gettext_lazy("E-mail"), "user.email"),
    Column(gettext_lazy("Role"), "get_role_display"),
)


class CommitteeForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    decision_rule = forms.ChoiceField(label=gettext_lazy("Decision rule"), choices=DecisionRule.choices)
    quorum = forms.IntegerField(label=gettext_lazy("Quorum (votes needed)"), min_value=1, max_value=50)
    review_days = forms.IntegerField(label=gettext_lazy("Days to review"), min_value=1, max_value=365)


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(label=gettext_lazy("Person"), queryset=CommitteeMember.objects.none())
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=CommitteeRole.choices)

    def __init__(self, *args: object, committee: Committee, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = committee_candidates(committee)


def _seats(committee: Committee | None) -> QuerySet[CommitteeMember]:
    """The committee's active members (none while the biobank has no committee)."""
    if committee is None:
        return CommitteeMember.objects.none()
    return committee.members.filter(active=True).select_related("user")


@login_required
@require_http_methods(["GET", "POST"])
def committee_manage(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    """Settings and members; ``?format=csv|xlsx`` is the member list as a file."""
    biobank = biobank_for(request, code)
    if not committee_may_manage(user=request.user, biobank=biobank):
        raise PermissionDenied(_("Only the biobank's administrators or DAC chair manage its committee."))
    committee = Committee.objects.filter(biobank=biobank).first()
    fmt = export_format(request) if request.method == "GET" else None
    if fmt is not None:
        return export_response(
            items=_seats(committee), columns=SEAT_COLUMNS, name=f"committee-{biobank.code}", export_format=fmt
        )
    initial = (
        {
            "name": committee.name,
            "decision_rule": committee.decision_rule,
            "quorum": committee.quorum,
            "review_days": committee.review_days,
        }
        if committee
        else {
            "name": _("Data access committee of %(b)s") % {"b": biobank.name},
            "decision_rule": DecisionRule.MAJORITY,
            "quorum": 2,
            "review_days": 14,
        }
    )
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = CommitteeForm(request.POST if action == "settings" else None, initial=initial)
    member_form = MemberForm(request.POST if action == "add" else None, committee=committee) if committee else None
    try:
        if action == "settings" and form.is_valid():
            if committee is None:
                committee_create(actor=request.user, biobank=biobank, **form.cleaned_data)
            else:
                committee_update(actor=request.user, committee=committee, **form.cleaned_data)
            messages.success(request, _("The committee is saved."))
            return redirect("access_requests:committee_manage", code=biobank.code)
        if action == "add" and committee is not None and member_form is not None and member_form.is_valid():
            committee_member_add(actor=request.user, committee=committee, **member_form.cleaned_data)
            messages.success(request, _("The member is added."))
            return redirect("access_requests:committee_manage", code=biobank.code)
        if action == "remove" and committee is not None:
            seat = committee.members.filter(pk=request.POST.get("seat") or 0, active=True).first()
            if seat is not None:
                committee_member_remove(actor=request.user, seat=seat)
                messages.success(request, _("%(user)s no longer sits on the committee.") % {"user": seat.user})
            return redirect("access_requests:committee_manage", code=biobank.code)
    except ForbiddenError:
        raise
    except DomainError as error:
        add_domain_error(member_form if action == "add" and member_form is not None else form, error)
    context = {
        "biobank": biobank,
        "committee": committee,
        "form": form,
        "member_form": member_form,
        "seats": _seats(committee),
        "export": export_links(request) if committee else None,
    }
    return render(request, "access_requests/committee/manage.html", context)
