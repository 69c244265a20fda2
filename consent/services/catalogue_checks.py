"""The catalogue's input checks: languages and texts, a policy's disease, a module's default state.

Pure checks that raise ``DomainError`` naming the field; ``catalogue`` runs them inside its transactions.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.utils.translation import gettext as _

from biobank.errors import DomainError

from ..choices import MODULE_DEFAULTS_ALLOWED, ModuleDefault
from ..diseases import disease_normalise
from ..duo import DS
from ..receipt_font import receipt_text_check

LANGUAGES = {code for code, _ in settings.LANGUAGES}


def _check_language(language: str, *, field: str = "language") -> str:
    if language not in LANGUAGES:
        raise DomainError(
            _("Language %(language)r is not offered; choose one of %(languages)s.")
            % {"language": language, "languages": ", ".join(sorted(LANGUAGES))},
            field=field,
        )
    return language


def _check_texts(texts: Mapping[str, tuple[str, str]] | Mapping[str, Mapping[str, str]], *, what: str) -> dict:
    """``{language: {"title": ..., "text": ...}}`` with at least one language and no empty wording."""
    out: dict[str, dict[str, str]] = {}
    for language, value in texts.items():
        title, text = (value["title"], value["text"]) if isinstance(value, Mapping) else value
        _check_language(language, field="texts")
        if not (title or "").strip() or not (text or "").strip():
            raise DomainError(
                _("The %(what)s needs a title and a text in %(language)s.") % {"what": what, "language": language},
                field="texts",
                code="required",
            )
        out[language] = {"title": title.strip(), "text": text.replace("\r\n", "\n").strip()}
        receipt_text_check(out[language]["title"], field="texts", where=f"title of the {what} ({language})")
        receipt_text_check(out[language]["text"], field="texts", where=f"text of the {what} ({language})")
    if not out:
        raise DomainError(
            _("The %(what)s needs its wording in at least one language.") % {"what": what},
            field="texts",
            code="required",
        )
    return out


def _check_disease(terms: list[str], disease: str) -> str:
    """DS needs a disease (ICD-10 or ORPHA, normalised); a disease without DS would restrict nothing."""
    if not (disease or "").strip():
        if DS in terms:
            raise DomainError(
                _(
                    "A policy restricted to disease-specific research (DUO DS, DUO:0000007) must name the disease: "
                    "give "
                    "an ICD-10 code (e.g. E11.9) or an Orphanet code (e.g. ORPHA:558)."
                ),
                field="duo_disease",
                code="ds_needs_disease",
            )
        return ""
    if DS not in terms:
        raise DomainError(
            _(
                "A disease only restricts a policy with the DUO term DS (disease-specific research); add DS or leave "
                "the disease empty."
            ),
            field="duo_disease",
            code="disease_without_ds",
        )
    return disease_normalise(disease, field="duo_disease")


def _check_default_state(default_state: str, *, mandatory: bool, code: str) -> str:
    """Never pre-ticked: a pre-selected "accept" is no consent (GDPR Recital 32; CJEU C-673/17 Planet49)."""
    if default_state not in ModuleDefault.values:
        raise DomainError(
            _("Default %(default_state)r is not one of %(allowed)s.")
            % {"default_state": default_state, "allowed": ", ".join(MODULE_DEFAULTS_ALLOWED)},
            field="default_state",
        )
    if mandatory and default_state != ModuleDefault.NONE:
        raise DomainError(
            _(
                "Module %(code)s is mandatory: the donor is always asked, so nothing may be pre-selected; choose "
                "“Nothing pre-selected”."
            )
            % {"code": code},
            field="default_state",
            code="pre_selected",
        )
    if default_state == ModuleDefault.ACCEPTED:
        raise DomainError(
            _(
                "Module %(code)s cannot have “accept” pre-selected: consent must be an active choice of the donor, and "
                "a pre-ticked box is not valid consent (GDPR Recital 32; CJEU C-673/17 Planet49). Choose “Nothing "
                "pre-selected” or “Decline pre-selected”."
            )
            % {"code": code},
            field="default_state",
            code="pre_ticked",
        )
    return default_state
