"""The per-request compliance report as PDF (issue 14, item 9): everything that happened on a request, in order,
for the committee and the auditors — every event with its actor and reason, every vote with its rationale, every
decision with its conditions, every agreement acceptance (who, when, which version, text hash), the entitlements,
every download and every report. Set in DejaVu Sans (``consent/data/fonts``) like the consent receipt."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from biobank.formats.zones import zoned
from consent.receipt_font import FONT_DIR, receipt_printable

from .models import (
    AccessRequest,
    AgreementAcceptance,
    Condition,
    Decision,
    Download,
    Entitlement,
    Report,
    RequestEvent,
    Vote,
)


def _when(value: object) -> str:
    if value is None:
        return "—"
    if hasattr(value, "tzinfo"):
        return zoned(value)  # type: ignore[arg-type]
    return str(value)


def _who(user: object) -> str:
    return getattr(user, "email", "") or "system"


class _CompliancePDF(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        self.cell(0, 5, f"{self.page_no()}", align="C")


def compliance_pdf(request: AccessRequest) -> bytes:
    """The compliance report of ``request`` (the caller checked who may read it)."""
    pdf = _CompliancePDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()

    def heading(value: str, size: int = 12) -> None:
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(0, 7, receipt_printable(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def line(value: str, size: int = 8) -> None:
        pdf.set_font("DejaVu", "", size)
        pdf.multi_cell(0, 4.5, receipt_printable(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def section(title: str, rows: Iterable[str]) -> None:
        heading(title)
        empty = True
        for row in rows:
            line(row)
            empty = False
        if empty:
            line("none")

    heading(f"Compliance report {request.number or request.pk}", 15)
    line(f"Project: {request.title}", 10)
    line(f"Researcher: {_who(request.researcher)} · status: {request.get_status_display()}", 10)
    line(f"Generated {_when(timezone.now())}", 9)
    events = RequestEvent.objects.filter(request=request).select_related("actor", "resource__biobank")
    section(
        "Events",
        (
            f"{_when(e.created_at)}  {e.kind}"
            + (f" [{e.resource.biobank.code}]" if e.resource else "")
            + (f" {e.from_status}→{e.to_status}" if e.to_status else "")
            + f"  by {_who(e.actor)}"
            + (f" — reason: {e.reason}" if e.reason else "")
            for e in events
        ),
    )
    votes = Vote.objects.filter(resource__request=request).select_related("voter", "resource__biobank")
    section(
        "Votes",
        (
            f"{_when(v.cast_at)}  [{v.resource.biobank.code}] {_who(v.voter)}: {v.value}"
            + (f" (DUO match: {v.duo_decision})" if v.duo_decision else "")
            + f" — {v.rationale}"
            for v in votes
        ),
    )
    decisions = Decision.objects.filter(resource__request=request).select_related("decided_by", "resource__biobank")
    conditions = list(Condition.objects.filter(resource__request=request))
    rows = []
    for d in decisions:
        rows.append(
            f"{_when(d.decided_at)}  [{d.resource.biobank.code}] {d.outcome} by {_who(d.decided_by)}"
            + (f", access until {d.access_ends_on}" if d.access_ends_on else "")
            + (f" — {d.rationale}" if d.rationale else "")
        )
        rows.extend(
            f"    condition: {c.get_kind_display()}"
            + (f" — {c.text}" if c.text else "")
            + (f" (by {c.due_on})" if c.due_on else "")
            for c in conditions
            if c.resource_id == d.resource_id
        )
    section("Decisions and conditions", rows)
    acceptances = AgreementAcceptance.objects.filter(resource__request=request).select_related(
        "template", "resource__biobank"
    )
    section(
        "Agreement acceptances",
        (
            f"{_when(a.accepted_at)}  [{a.resource.biobank.code}] {a.name} <{a.email}> as {a.role}: "
            f"{a.template.title} v{a.template.version}, sha256 {a.text_sha256}, from {a.ip or 'unknown address'}"
            for a in acceptances
        ),
    )
    entitlements = (
        Entitlement.objects.filter(resource__request=request)
        .select_related("user", "granted_by", "resource__biobank")
        .order_by("granted_at", "id")
    )
    section(
        "Entitlements",
        (
            f"[{e.resource.biobank.code}] {_who(e.user)} {e.starts_on} to {e.ends_on}, granted {_when(e.granted_at)} "
            f"by {_who(e.granted_by)}"
            + (f"; ended {_when(e.ended_at)}" if e.ended_at else "")
            + (f"; revoked {_when(e.revoked_at)}: {e.revoke_reason}" if e.revoked_at else "")
            for e in entitlements
        ),
    )
    downloads = Download.objects.filter(release__resource__request=request).select_related("user").order_by("at")
    section(
        "Downloads",
        (f"{_when(d.at)}  release {d.release_id} {d.file} by {_who(d.user)} from {d.ip or '—'}" for d in downloads),
    )
    reports = Report.objects.filter(request=request).select_related("submitted_by")
    section(
        "Reports",
        (
            f"{_when(r.submitted_at)}  {r.get_kind_display()}: {r.title} by {_who(r.submitted_by)}"
            + (f" (doi:{r.doi})" if r.doi else "")
            for r in reports
        ),
    )
    return bytes(pdf.output())
