"""Builders for the timeline scenarios: a catalogue in use since long ago, paper forms approved in QC, more forms.

The scenarios run on the real clock: effective dates lie in the past (paper forms signed then, withdrawals made
then), recorded times are the database's, one after the other. "As known at" a moment between two steps is the
real time taken between them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from biobank.accounts.choices import Role
from consent import services
from consent.models import Consent, Template
from tests.accounts.factories import make_member
from tests.consent.factories import make_catalogue, module, texts

TODAY = timezone.localdate()
LONG_AGO = TODAY - timedelta(days=400)


def day(offset: int) -> date:
    """A date ``offset`` days before today (the scenarios' "10 Jan", "1 Mar" …)."""
    return TODAY - timedelta(days=offset)


def now() -> datetime:
    return timezone.now()


@pytest.fixture
def officer(biobank_a):
    return make_member(biobank_a, Role.CONSENT_OFFICER, email="officer@example.org")


@pytest.fixture
def checker(biobank_a):
    return make_member(biobank_a, Role.CONSENT_OFFICER, email="checker@example.org")


@pytest.fixture
def catalogue(biobank_a, officer):
    """The broad consent (``make_catalogue``), a second consent form ``samples`` carrying the same biomaterial
    module, a withdrawal form and a refusal form — all in use since long ago."""
    with pytest.MonkeyPatch.context() as patch:
        long_ago = timezone.make_aware(datetime.combine(LONG_AGO, datetime.min.time()))
        patch.setattr(timezone, "now", lambda: long_ago)
        broad = make_catalogue(biobank_a, actor=officer)
        modules = list(broad.modules.all())
        samples = services.template_create(
            actor=officer,
            biobank=biobank_a,
            code="samples",
            version_label="v1",
            texts={"en": {"title": "Samples", "text": "Samples for research."}},
            modules=[module(broad, "biomaterial")],
        )
        withdrawal = services.template_create(
            actor=officer,
            biobank=biobank_a,
            code="withdrawal",
            version_label="v1",
            type="withdrawal",
            texts={"en": {"title": "Withdrawal", "text": "I withdraw what I ticked."}},
            modules=modules,
        )
        refusal = services.template_create(
            actor=officer,
            biobank=biobank_a,
            code="refusal",
            version_label="v1",
            type="refusal",
            texts={"en": {"title": "Refusal", "text": "I do not take part."}},
            modules=modules,
        )
        for template in (samples, withdrawal, refusal):
            services.template_activate(actor=officer, template=template)
    return {t.code: t for t in Template.objects.filter(biobank=biobank_a)}


def paper(officer, checker, donor, template, *, signed_on: date, choices: dict[str, str]) -> Consent:
    """A paper form signed on ``signed_on``, uploaded and approved in QC now."""
    consent = services.consent_scan_upload(
        actor=officer,
        informed_by=officer,
        informed_place="Outpatient clinic",
        donor=donor,
        template=template,
        language="en",
        choices=choices,
        signed_on=signed_on,
        file=ContentFile(b"%PDF-1.4 scanned form", name="form.pdf"),
    )
    return services.consent_scan_qc(actor=checker, consent=consent, approve=True)


BIOMATERIAL_ONLY = {"data": "accepted", "biomaterial": "accepted"}


def withdraw(officer, consent, code: str, *, on: date, reason: str = "Letter of the donor"):
    return services.consent_withdraw_module(
        actor=officer, consent=consent, module=module(consent.template, code), effective=on, reason=reason
    )


__all__ = ["BIOMATERIAL_ONLY", "day", "now", "paper", "texts", "withdraw"]
