"""Serializers of the donor's own API (``consent/api/portal.py``): what a donor sees about themselves, and what they
send to change a choice, withdraw or set their preferences.

Output serializers take plain dictionaries built here (``consent_data``, ``overview_data`` …) from the portal
selectors' results, with titles already in the donor's language; none of them names staff, another donor or an
identifying value.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from biobank.api.utc import UtcDateTimeField

from ..choices import (
    ConsentSource,
    ConsentStatus,
    MessageKind,
    ModuleChoice,
    PropagationKind,
    PropagationStatus,
    TemplateStatus,
    WithdrawalLevel,
)
from ..models import Consent, Template
from ..selectors.portal import PortalOverview

MODULE_STATES = ("accepted", "declined", "withdrawn", "expired", "unknown")
HISTORY_KINDS = ("consent", "change", "withdrawal", "propagation", "message")
CHANGE_CHOICES = (ModuleChoice.ACCEPTED.value, ModuleChoice.DECLINED.value)
LANGUAGES = (("en", "English"), ("de", "Deutsch"))


class MyFormRefSerializer(serializers.Serializer):
    """A consent form version, titled in the donor's language."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    version_label = serializers.CharField()
    title = serializers.CharField()


class MyModuleStateSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField(allow_blank=True)
    state = serializers.ChoiceField(choices=MODULE_STATES, help_text="The answer today, over every form and act.")
    since = serializers.DateField(allow_null=True)
    mandatory = serializers.BooleanField(help_text="Required to take part: cannot be declined, only withdrawn from.")
    changeable = serializers.BooleanField(
        help_text="Whether `POST /api/v1/me/choices/` can change it now (not mandatory; an answer other than "
        "declining only while the signed version is still in use)."
    )
    consent = serializers.IntegerField(help_text="The consent to name when changing it.")


class MySignedFormSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    form = MyFormRefSerializer()
    signed_on = serializers.DateField()
    receipt = serializers.BooleanField(help_text="Whether the receipt PDF is ready.")


class MyOverviewSerializer(serializers.Serializer):
    modules = MyModuleStateSerializer(many=True)
    consents = MySignedFormSerializer(many=True)
    withdrawal = serializers.ChoiceField(
        choices=WithdrawalLevel.choices,
        allow_blank=True,
        help_text="The standing donor-level withdrawal; empty when none.",
    )
    withdrawal_label = serializers.CharField(allow_blank=True)
    reconsent = MyFormRefSerializer(many=True, help_text="Newer versions of forms you signed, open to sign.")
    unread = serializers.IntegerField(help_text="Messages not yet opened.")
    pending_propagation = serializers.BooleanField(
        help_text="A withdrawal of yours is still being carried out in the biobank's systems."
    )
    language = serializers.CharField()


class MyChoiceSerializer(serializers.Serializer):
    module = serializers.CharField()
    title = serializers.CharField()
    choice = serializers.ChoiceField(choices=ModuleChoice.choices)


class MyConsentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    form = MyFormRefSerializer()
    language = serializers.CharField(help_text="The language it was signed in.")
    # DRF takes declared fields off the class, so the name does not clash with Field.source at run time.
    source = serializers.ChoiceField(choices=ConsentSource.choices)  # type: ignore[assignment]
    source_label = serializers.CharField()
    status = serializers.ChoiceField(choices=ConsentStatus.choices)
    signed_on = serializers.DateField()
    recorded_at = UtcDateTimeField()
    receipt = serializers.BooleanField(help_text="Whether the receipt PDF is ready.")
    choices = MyChoiceSerializer(many=True)


class MyConsentPartSerializer(serializers.Serializer):
    module = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField(allow_blank=True)
    mandatory = serializers.BooleanField()
    choice = serializers.ChoiceField(choices=ModuleChoice.choices, allow_null=True)


class MyConsentDetailSerializer(MyConsentSerializer):
    title = serializers.CharField(help_text="The form's title in the language it was signed in.")
    text = serializers.CharField(allow_blank=True, help_text="The form's text exactly as signed.")
    parts = MyConsentPartSerializer(many=True, help_text="Each part's text as signed, and the answer given.")


class MyHistoryEntrySerializer(serializers.Serializer):
    day = serializers.DateField()
    at = UtcDateTimeField()
    kind = serializers.ChoiceField(choices=HISTORY_KINDS)
    text = serializers.CharField()
    by = serializers.CharField()


class MyProjectSerializer(serializers.Serializer):
    title = serializers.CharField()
    institution = serializers.CharField(allow_blank=True, required=False)
    purpose = serializers.CharField(allow_blank=True, required=False)
    start = serializers.DateField(allow_null=True, required=False)
    end = serializers.DateField(allow_null=True, required=False)


class MyMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=MessageKind.choices)
    subject = serializers.CharField()
    created_at = UtcDateTimeField()
    read_at = UtcDateTimeField(allow_null=True)


class MyMessageDetailSerializer(MyMessageSerializer):
    body = serializers.CharField(allow_blank=True)


class MyPropagationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PropagationKind.choices)
    level = serializers.ChoiceField(choices=WithdrawalLevel.choices, allow_blank=True)
    module = serializers.CharField(source="module_code", allow_blank=True)
    effective = serializers.DateField()
    status = serializers.ChoiceField(choices=PropagationStatus.choices, help_text="`pending` until every effect ran.")
    created_at = UtcDateTimeField()


class MyChoiceResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(
        choices=["consent", "withdrawal"],
        help_text="`consent`: a new consent was signed in the portal; `withdrawal`: an agreement was declined, "
        "which withdraws that part from today (see `propagation`).",
    )
    consent = MyConsentSerializer(allow_null=True)
    propagation = MyPropagationSerializer(allow_null=True)


class MyPreferencesSerializer(serializers.Serializer):
    notify_news = serializers.BooleanField()
    notify_results = serializers.BooleanField()
    notify_recontact = serializers.BooleanField()
    language = serializers.ChoiceField(choices=LANGUAGES)


# --- plain data for the output serializers ---------------------------------------------------------------------


def _title(template: Template, language: str) -> str:
    titles = {text.language: text.title for text in template.texts.all()}
    return titles.get(language) or titles.get("en") or next(iter(titles.values()), template.code)


def _form(template: Template, language: str) -> dict[str, Any]:
    return {
        "id": template.pk,
        "code": template.code,
        "version_label": template.version_label,
        "title": _title(template, language),
    }


def _module_title(module: Any, language: str) -> str:
    return module.title_in(language) if module.texts.get(language) else module.title_in("en")


def consent_data(consent: Consent, language: str) -> dict[str, Any]:
    """A consent of the donor's as listed: the form, when and how it was given, and each answer."""
    return {
        "id": consent.pk,
        "form": _form(consent.template, language),
        "language": consent.language,
        "source": consent.source,
        "source_label": str(consent.get_source_display()),
        "status": consent.status,
        "signed_on": consent.signed_on,
        "recorded_at": consent.recorded_at,
        "receipt": bool(consent.receipt_sha256),
        "choices": [
            {"module": c.module.code, "title": _module_title(c.module, language), "choice": c.choice}
            for c in consent.choices.all()
        ],
    }


def _signed_language(consent: Consent) -> str:
    codes = [text.language for text in consent.template.texts.all()]
    for code in (consent.language, "en"):
        if code in codes:
            return code
    return codes[0] if codes else consent.language


def consent_detail_data(consent: Consent, language: str) -> dict[str, Any]:
    """The consent exactly as signed: the form's and each part's text in the language it was signed in."""
    signed = _signed_language(consent)
    text = next((t for t in consent.template.texts.all() if t.language == signed), None)
    answers = {choice.module_id: choice.choice for choice in consent.choices.all()}
    parts = [
        {
            "module": row.module.code,
            "title": row.module.title_in(signed),
            "text": row.module.text_in(signed),
            "mandatory": row.module.mandatory,
            "choice": answers.get(row.module_id),
        }
        for row in consent.template.template_modules.select_related("module").order_by("position", "pk")
    ]
    return {
        **consent_data(consent, language),
        "title": text.title if text else consent.template.code,
        "text": text.text if text else "",
        "parts": parts,
    }


def overview_data(overview: PortalOverview, language: str) -> dict[str, Any]:
    """The portal's home as the API answers it; a part is changeable here unless it is required to take part, and
    to an answer other than declining only while the signed version is still in use (else: sign the newer one)."""
    consents = {consent.pk: consent for consent in overview.consents}
    modules = []
    for row in overview.modules:
        consent = consents.get(row.consent_id)
        in_use = consent is not None and consent.template.status == TemplateStatus.ACTIVE
        modules.append(
            {
                "code": row.code,
                "title": row.title,
                "text": row.text,
                "state": row.state,
                "since": row.since,
                "mandatory": row.mandatory,
                "changeable": consent is not None and not row.mandatory and (row.state == "accepted" or in_use),
                "consent": row.consent_id,
            }
        )
    return {
        "modules": modules,
        "consents": [
            {
                "id": consent.pk,
                "form": _form(consent.template, language),
                "signed_on": consent.signed_on,
                "receipt": bool(consent.receipt_sha256),
            }
            for consent in overview.consents
        ],
        "withdrawal": overview.withdrawal,
        "withdrawal_label": str(WithdrawalLevel(overview.withdrawal).label) if overview.withdrawal else "",
        "reconsent": [_form(template, language) for template in overview.reconsent],
        "unread": overview.unread,
        "pending_propagation": overview.pending_propagation,
        "language": language,
    }


def list_of(serializer: Any) -> Any:
    """The shape of the unpaginated lists: ``{"next": null, "previous": null, "results": [...]}`` as the cursor
    lists (the donor's whole history or projects fit one page)."""
    return inline_serializer(
        name=f"{serializer.__name__.removesuffix('Serializer')}Page",
        fields={
            "next": serializers.CharField(allow_null=True),
            "previous": serializers.CharField(allow_null=True),
            "results": serializer(many=True),
        },
    )


# --- input ----------------------------------------------------------------------------------------------------------


class MyChoiceInputSerializer(serializers.Serializer):
    consent = serializers.IntegerField(min_value=1, help_text="One of your consents (`GET /api/v1/me/consents/`).")
    module = serializers.CharField(max_length=64, help_text="The code of a part of that form.")
    choice = serializers.ChoiceField(choices=CHANGE_CHOICES)
    signer_name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Your full name, typed: your signature. Needed unless you decline (declining is a withdrawal).",
    )


class MyWithdrawalInputSerializer(serializers.Serializer):
    level = serializers.ChoiceField(
        choices=WithdrawalLevel.choices,
        required=False,
        allow_blank=True,
        help_text="Withdraw at a level; or name `consent` and `module` to withdraw from one part.",
    )
    consent = serializers.IntegerField(min_value=1, required=False)
    module = serializers.CharField(max_length=64, required=False, allow_blank=True)
    words = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, help_text="Optional: anything you want us to know."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        level, consent, module = attrs.get("level"), attrs.get("consent"), attrs.get("module")
        if level and (consent or module):
            raise serializers.ValidationError(
                {"level": [_("Withdraw either at a level or from one part of a consent, not both.")]}
            )
        if not level:
            if not consent and not module:
                raise serializers.ValidationError(
                    {"level": [_("Choose a way to withdraw, or the part of your consent you withdraw from.")]}
                )
            if not consent:
                raise serializers.ValidationError({"consent": [_("Name the consent the part belongs to.")]})
            if not module:
                raise serializers.ValidationError({"module": [_("Name the part you withdraw from.")]})
        return attrs


class MyPreferencesInputSerializer(MyPreferencesSerializer):
    """PUT: every field; PATCH: only the fields that change."""
