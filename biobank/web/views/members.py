"""Members of a biobank and their roles. Everyone in the biobank may see the list; admins manage it.

Every change also works as a plain form post; with HTMX, a row's roles are edited in place. A role that reads
identities is only requested here; it is listed as pending until another admin approves or rejects it (four eyes).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from biobank.accounts import services
from biobank.accounts.choices import BIOBANK_PERMISSIONS, ROLE_PERMISSIONS, Perm, Role
from biobank.accounts.models import Biobank, RoleGrant, User
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.accounts.selectors import members_of_biobank, role_grants_pending_of_biobank, user_has_biobank_perm
from biobank.errors import DomainError, ForbiddenError
from biobank.web.access import biobank_for
from biobank.web.export import Column, export_format, export_links, export_response
from biobank.web.forms import MemberAddForm, MemberRolesForm, add_domain_error


def _member(request: AuthenticatedHttpRequest, biobank: Biobank, user_id: int) -> User:
    member = members_of_biobank(user=request.user, biobank=biobank).filter(pk=user_id).first()
    if member is None:
        raise Http404(_("This person is not a member of this biobank."))
    return member


def _role_matrix() -> list[dict]:
    """Which role holds which permission: the legend under the member list."""
    return [
        {"label": Role(role).label, "perms": [str(BIOBANK_PERMISSIONS[p]) for p in BIOBANK_PERMISSIONS if p in perms]}
        for role, perms in ROLE_PERMISSIONS.items()
    ]


def _pending_message(biobank: Biobank, user: User) -> str | None:
    """Tell the admin which of the roles they chose await a second admin (they do not show in the list yet)."""
    roles = [
        str(Role(role).label)
        for role in RoleGrant.objects.filter(biobank=biobank, user=user, status=RoleGrant.Status.PENDING).values_list(
            "role", flat=True
        )
    ]
    if not roles:
        return None
    return _("The role %(roles)s for %(email)s awaits the approval of another biobank admin.") % {
        "roles": ", ".join(roles),
        "email": user.email,
    }


# The member list's columns, as the page shows them (the roles only in this biobank).
MEMBER_COLUMNS = (
    Column(gettext_lazy("Person"), "get_full_name"),
    Column(gettext_lazy("E-mail"), "email"),
    Column(gettext_lazy("Roles"), lambda member: [m.get_role_display() for m in member.roles_here]),
)


@login_required
def member_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    biobank = biobank_for(request, code)
    members = members_of_biobank(user=request.user, biobank=biobank)
    fmt = export_format(request)
    if fmt is not None:
        return export_response(items=members, columns=MEMBER_COLUMNS, name=f"members-{biobank.code}", export_format=fmt)
    can_manage = user_has_biobank_perm(user=request.user, biobank=biobank, perm=Perm.MANAGE_MEMBERS)
    context = {
        "biobank": biobank,
        "export": export_links(request),
        "members": members,
        "can_manage": can_manage,
        "pending_grants": (
            RoleGrant.objects.filter(biobank=biobank, status=RoleGrant.Status.PENDING).select_related(
                "user", "requested_by"
            )
            if can_manage  # the same rule as role_grants_pending_of_biobank, without asking guardian twice
            else RoleGrant.objects.none()
        ),
        "role_matrix": _role_matrix(),
    }
    return render(request, "web/members.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_MEMBERS)
    form = MemberAddForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user, created = services.member_add(
                actor=request.user,
                biobank=biobank,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                roles=form.cleaned_data["roles"],
            )
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if created:
                message = _("%(email)s was added. We e-mailed them a link to choose a password.")
            else:
                message = _("%(email)s now has the chosen roles in this biobank.")
            messages.success(request, message % {"email": user.email})
            pending = _pending_message(biobank, user)
            if pending:
                messages.info(request, pending)
            return redirect("web:members", code=biobank.code)
    return render(request, "web/member_add.html", {"biobank": biobank, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: AuthenticatedHttpRequest, code: str, user_id: int) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_MEMBERS)
    member = _member(request, biobank, user_id)
    current = [m.role for m in member.roles_here]  # type: ignore[attr-defined]
    form = MemberRolesForm(request.POST if request.method == "POST" else None, initial={"roles": current})
    inline = bool(getattr(request, "htmx", False))
    if request.method == "POST" and form.is_valid():
        try:
            services.memberships_set(actor=request.user, biobank=biobank, user=member, roles=form.cleaned_data["roles"])
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            add_domain_error(form, error)
        else:
            message = _("The roles of %(email)s were saved.") % {"email": member.email}
            pending = _pending_message(biobank, member)
            if pending:
                message = f"{message} {pending}"
            if inline:  # the page stays; portal.js shows the message in the page's live region
                context = {"biobank": biobank, "member": _member(request, biobank, user_id), "can_manage": True}
                response = render(request, "web/partials/member_row.html", context)
                response["HX-Trigger"] = json.dumps({"portal:message": {"level": "success", "text": message}})
                return response
            messages.success(request, message)
            return redirect("web:members", code=biobank.code)
    context = {"biobank": biobank, "member": member, "form": form}
    if inline:
        return render(request, "web/partials/member_row_edit.html", context)
    return render(request, "web/member_edit.html", context)


@login_required
def member_row(request: AuthenticatedHttpRequest, code: str, user_id: int) -> HttpResponse:
    """One row of the member list (HTMX "Cancel" of an inline edit)."""
    biobank = biobank_for(request, code, Perm.MANAGE_MEMBERS)
    context = {"biobank": biobank, "member": _member(request, biobank, user_id), "can_manage": True}
    return render(request, "web/partials/member_row.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: AuthenticatedHttpRequest, code: str, user_id: int) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_MEMBERS)
    member = _member(request, biobank, user_id)
    if request.method == "POST":
        try:
            services.memberships_set(actor=request.user, biobank=biobank, user=member, roles=[])
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            messages.error(request, error.message)
        else:
            removed = {"email": member.email, "biobank": biobank.name}
            messages.success(request, _("%(email)s was removed from %(biobank)s.") % removed)
            if member.pk == request.user.pk:  # they left: the member list is no longer theirs to see
                return redirect("web:dashboard")
        return redirect("web:members", code=biobank.code)
    return render(request, "web/member_remove.html", {"biobank": biobank, "member": member})


@login_required
@require_http_methods(["POST"])
def role_grant_decide(request: AuthenticatedHttpRequest, code: str, grant_id: int, decision: str) -> HttpResponse:
    """Approve or reject a requested role (four eyes); the service refuses the asker's approval and the subject."""
    biobank = biobank_for(request, code, Perm.MANAGE_MEMBERS)
    grant = role_grants_pending_of_biobank(user=request.user, biobank=biobank).filter(pk=grant_id).first()
    if grant is None:
        raise Http404(_("No such role request awaits a decision in this biobank."))
    labels = {"role": Role(grant.role).label, "email": grant.user.email}
    try:
        if decision == "approve":
            services.role_grant_approve(actor=request.user, grant=grant)
            messages.success(request, _("%(email)s now has the role %(role)s.") % labels)
        else:
            services.role_grant_reject(actor=request.user, grant=grant)
            messages.success(request, _("The role %(role)s for %(email)s was rejected.") % labels)
    except ForbiddenError:
        raise  # the browser's 403 page, not a form error
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("web:members", code=biobank.code)
