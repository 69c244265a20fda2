"""The actions of a specimen page (POST only): each a small form, each a call of one service. Done or refused,
the person is sent back to the specimen page with a message naming what was done or what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from biobank.accounts.choices import Perm
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError, ForbiddenError
from biobank.web.access import biobank_for

from .. import services
from ..models import Specimen
from .common import form_errors_text, specimen_for
from .specimens import ACTIONS

Handler = Callable[[Any, Specimen, dict[str, Any]], str]


def _ask(data: dict[str, Any]) -> dict[str, Any]:
    return {"disease": data["disease"]} if data.get("disease") else {}


def _aliquot(actor: Any, specimen: Specimen, data: dict[str, Any]) -> str:
    made = services.specimens_aliquot(
        actor=actor,
        parent=specimen,
        count=data["count"],
        quantity=data["quantity"],
        unit=data["unit"],
        barcodes=[line.strip() for line in (data.get("barcodes") or "").splitlines() if line.strip()],
    )
    return _("%(count)d aliquots made: %(barcodes)s.") % {
        "count": len(made),
        "barcodes": ", ".join(child.barcode for child in made),
    }


def _derive(actor: Any, specimen: Specimen, data: dict[str, Any]) -> str:
    child = services.specimen_derive(
        actor=actor,
        parent=specimen,
        sample_type=data["sample_type"],
        material_type=data.get("material_type") or "",
        used_quantity=data["used_quantity"],
        used_unit=data["used_unit"],
        quantity=data["quantity"],
        unit=data["unit"],
        concentration=data.get("concentration"),
        concentration_unit=data.get("concentration_unit") or "",
        barcode=data.get("barcode") or "",
    )
    return _("Derivative %(barcode)s made.") % {"barcode": child.barcode}


def _thaw(actor: Any, specimen: Specimen, data: dict[str, Any]) -> str:
    thawed = services.specimen_thaw(actor=actor, specimen=specimen, note=data.get("note") or "")
    return _("Thaw recorded; %(count)d freeze-thaw cycle(s) so far.") % {"count": thawed.freeze_thaw_count}


def _qc(actor: Any, specimen: Specimen, data: dict[str, Any]) -> str:
    services.specimen_qc_record(
        actor=actor,
        specimen=specimen,
        measure=data["measure"],
        value=data["value"],
        unit=data.get("unit") or "",
        passed=data.get("passed"),
        note=data.get("note") or "",
    )
    return _("QC result recorded.")


def _reserve(actor: Any, specimen: Specimen, data: dict[str, Any]) -> str:
    services.specimens_reserve(
        actor=actor, specimens=[specimen], purpose=data["purpose"], reason=data["reason"], **_ask(data)
    )
    return _("Reserved; the consent gate permits it.")


def _ship(actor: Any, specimen: Specimen, data: dict[str, Any]) -> str:
    services.specimens_ship(
        actor=actor,
        specimens=[specimen],
        purpose=data["purpose"],
        recipient=data["recipient"],
        reason=data.get("reason") or "",
        **_ask(data),
    )
    return _("Shipped to %(recipient)s; the consent gate permits it.") % {"recipient": data["recipient"]}


def _status(service: Callable[..., Any], done: Any) -> Handler:
    def handle(actor: Any, specimen: Specimen, data: dict[str, Any]) -> str:
        service(actor=actor, specimens=[specimen], reason=data.get("reason") or "")
        return str(done)

    return handle


HANDLERS: dict[str, Handler] = {
    "aliquot": _aliquot,
    "derive": _derive,
    "thaw": _thaw,
    "qc": _qc,
    "reserve": _reserve,
    "release": _status(services.specimens_release_reservation, gettext_lazy("The reservation was released.")),
    "ship": _ship,
    "return": _status(services.specimens_return, gettext_lazy("The return was recorded.")),
    "consume": _status(services.specimens_consume, gettext_lazy("The specimen is marked as used up.")),
    "dispose": _status(services.specimens_dispose, gettext_lazy("The specimen was disposed of.")),
    "unblock": _status(services.specimens_consent_unblock, gettext_lazy("The consent block was lifted.")),
}


@login_required
@require_POST
def specimen_action(request: AuthenticatedHttpRequest, code: str, act: str, barcode: str) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.CHANGE_SPECIMENS)
    if act not in HANDLERS:
        raise Http404(_("This action does not exist."))
    specimen = specimen_for(request, biobank, barcode)
    form = ACTIONS[act][0](request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
    else:
        try:
            messages.success(request, HANDLERS[act](request.user, specimen, form.cleaned_data))
        except ForbiddenError:
            raise  # the browser's 403 page
        except DomainError as error:
            messages.error(request, error.message)
    return redirect("specimens:specimen_detail", code=biobank.code, barcode=specimen.barcode)
