"""What every donor-portal page shares: only a signed-in person with a donor account gets it (anyone else: 404, staff
included), in the account's language, never cached."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from biobank.accounts.principals import AuthenticatedHttpRequest

from ...choices import TemplateStatus, WithdrawalLevel
from ...models import Consent, DonorAccount
from ...selectors.portal import PortalOverview, account_of

P = ParamSpec("P")
DonorView = Callable[Concatenate[AuthenticatedHttpRequest, DonorAccount, P], HttpResponseBase]


def donor_page(view: DonorView[P]) -> Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponseBase]:
    """Sign-in required; the person's donor account is passed to the view after the request; 404 without one."""

    @never_cache
    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedHttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        account = account_of(request.user)
        if account is None:
            raise Http404(_("This page is only for donors."))
        with translation.override(account.language):
            response = view(request, account, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            response.headers.setdefault("Content-Language", account.language)
        return response

    return wrapper


def language_of(obj: Any, language: str, fallback: str = "en") -> str:
    """``language`` if ``obj.texts`` (a template's related texts) has it, else the fallback, else any."""
    codes = [text.language for text in obj.texts.all()]
    for code in (language, fallback):
        if code in codes:
            return code
    return codes[0] if codes else language


@dataclass(frozen=True)
class SignedRow:
    """A signed form as the home page lists it."""

    consent: Consent
    title: str
    version_label: str
    signed_on: date
    source: str
    receipt: bool


@dataclass(frozen=True)
class ChoiceRow:
    """One part of the consent in force today, with the form it is changed through and whether it can be."""

    code: str
    title: str
    text: str
    state: str
    since: date | None
    mandatory: bool
    consent: Consent | None
    changeable: bool


def signed_rows(overview: PortalOverview, language: str) -> list[SignedRow]:
    rows = []
    for consent in overview.consents:
        titles = {text.language: text.title for text in consent.template.texts.all()}
        title = titles.get(language) or titles.get("en") or next(iter(titles.values()), consent.template.code)
        rows.append(
            SignedRow(
                consent,
                title,
                consent.template.version_label,
                consent.signed_on,
                str(consent.get_source_display()),
                bool(consent.receipt_sha256),
            )
        )
    return rows


def choice_rows(overview: PortalOverview) -> list[ChoiceRow]:
    """A part can be changed here unless it is required to take part; an answer other than "I agree" only while the
    signed version is still in use (otherwise the donor signs the newer version)."""
    consents = {consent.pk: consent for consent in overview.consents}
    rows = []
    for row in overview.modules:
        consent = consents.get(row.consent_id)
        in_use = consent is not None and consent.template.status == TemplateStatus.ACTIVE
        changeable = consent is not None and not row.mandatory and (row.state == "accepted" or in_use)
        rows.append(ChoiceRow(row.code, row.title, row.text, row.state, row.since, row.mandatory, consent, changeable))
    return rows


def withdrawal_label(level: str) -> str:
    return str(WithdrawalLevel(level).label) if level in WithdrawalLevel.values else ""
