"""Shipped specimens of donors who withdrew: staff decide per specimen (recall, destroy at the recipient, keep).

The list is live (``shipments_awaiting_decision``): a specimen leaves it once a decision is recorded. Reading it
needs ``view_specimens``; recording a decision ``change_specimens``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from biobank.accounts.choices import Perm
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError, ForbiddenError
from biobank.web.access import biobank_for
from biobank.web.export import Column, export_format, export_links, export_response
from biobank.web.forms import add_domain_error

from ..choices import ShipmentDecision
from ..forms.withdrawals import ShipmentDecisionForm
from ..selectors.lists import specimens_of_biobank
from ..selectors.specimens import shipments_awaiting_decision
from ..services.exports import specimens_export_record
from ..services.withdrawals import shipment_decision_record
from .common import can_change

LIMIT = 500  # a withdrawal concerns one person's material: more than this on one page means something else is wrong

# The list's columns, as the page shows them (the donor by pseudonym only).
DECISION_COLUMNS = (
    Column(gettext_lazy("Barcode"), "barcode"),
    Column(gettext_lazy("Donor"), "donor.pid_display"),
    Column(gettext_lazy("Sample type"), "sample_type"),
    Column(gettext_lazy("Material type"), "material_type"),
    Column(gettext_lazy("Quantity"), "quantity"),
    Column(gettext_lazy("Unit"), "get_unit_display"),
    Column(gettext_lazy("Status"), "get_status_display"),
)


@login_required
@require_http_methods(["GET", "POST"])
def shipment_decisions(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    """The list; ``?format=csv|xlsx`` is every specimen of it as a file (not cut at ``LIMIT``), audited like the
    specimen list's export (it names donors by pseudonym)."""
    biobank = biobank_for(request, code, Perm.VIEW_SPECIMENS)
    listed = shipments_awaiting_decision(specimens_of_biobank(user=request.user, biobank=biobank)).order_by(
        "donor_id", "pk"
    )
    fmt = export_format(request) if request.method == "GET" else None
    if fmt is not None:
        return export_response(
            items=listed.select_related("donor"),
            columns=DECISION_COLUMNS,
            name=f"shipment-decisions-{biobank.code}",
            export_format=fmt,
            audit=lambda: specimens_export_record(
                actor=request.user, biobank=biobank, filters={"list": "shipment_decisions"}, export_format=fmt
            ),
        )
    waiting = list(listed[:LIMIT])
    barcodes = [(str(s.pk), s.barcode) for s in waiting]
    form = ShipmentDecisionForm(request.POST if request.method == "POST" else None, barcodes=barcodes)
    status = 200
    if request.method == "POST":
        if not can_change(request, biobank):
            raise PermissionDenied(
                _("Recording a decision about a shipped specimen needs the right to change specimens.")
            )
        if form.is_valid():
            chosen = [s for s in waiting if str(s.pk) in set(form.cleaned_data["specimens"])]
            try:
                done = shipment_decision_record(
                    actor=request.user,
                    specimens=chosen,
                    decision=form.cleaned_data["decision"],
                    note=form.cleaned_data["note"],
                )
            except ForbiddenError:
                raise
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Decision recorded for %(count)d specimen: %(decision)s.",
                        "Decision recorded for %(count)d specimens: %(decision)s.",
                        len(done),
                    )
                    % {"count": len(done), "decision": ShipmentDecision(form.cleaned_data["decision"]).label},
                )
                return redirect("specimens:shipment_decisions", code=biobank.code)
        status = 400
    context = {
        "biobank": biobank,
        "specimens": waiting,
        "form": form,
        "can_change": can_change(request, biobank),
        "ticked": set(form["specimens"].value() or []) if form.is_bound else set(),
        "export": export_links(request),
    }
    return render(request, "specimens/withdrawals.html", context, status=status)
