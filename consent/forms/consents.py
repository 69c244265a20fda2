"""Forms of the consent pages: capture (choose, then sign), scan upload, QC, withdrawal, new template version."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import User

from ..choices import ModuleChoice, ModuleDefault, RepresentativeLegalBasis, TemplateType, WithdrawalLevel
from ..models import Module, Template

LANGUAGE_CHOICES = [(code, name) for code, name in settings.LANGUAGES]
SIGNATURE_PREFIX = "data:image/png;base64,"
SIGNATURE_TYPED, SIGNATURE_DRAWN = "typed", "drawn"
SIGNATURE_METHODS = [
    (SIGNATURE_DRAWN, _("Typed name and a drawing on the pad")),
    (SIGNATURE_TYPED, _("Typed name only, no drawing")),
]


def model_choice(form: forms.Form, name: str) -> forms.ModelChoiceField[Any]:
    """``form.fields[name]``, a model choice field (``Form.fields`` is typed as holding plain ``Field``s)."""
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


def model_choices(form: forms.Form, name: str, queryset: QuerySet[Any], *, label: Callable[[Any], str]) -> None:
    """Offer ``queryset`` in the model choice field ``name``, each row shown as ``label(row)``."""
    field = model_choice(form, name)
    field.queryset = queryset
    # A per-field label function instead of a subclass per label; the stubs only know the method.
    field.label_from_instance = label  # type: ignore[method-assign,assignment]


class CaptureStartForm(forms.Form):
    """Step 1: which donor, which form, which language."""

    pid = forms.CharField(
        label=_("Donor PID"), max_length=20, help_text=_("As printed on the label, e.g. ABCDE-FGHJK-M")
    )
    template = forms.ModelChoiceField(label=_("Form"), queryset=Template.objects.none(), empty_label=None)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)

    def __init__(self, *args: Any, templates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choices(
            self, "template", templates, label=lambda t: f"{t.code} {t.version_label} ({t.get_type_display()})"
        )


def module_field(module: Module, language: str, form_type: str = TemplateType.CONSENT) -> forms.ChoiceField:
    if form_type == TemplateType.WITHDRAWAL:  # tick what the donor withdraws; nothing else is recorded
        return forms.ChoiceField(
            label=module.title_in(language),
            choices=[(ModuleChoice.WITHDRAWN, _("I withdraw this"))],
            widget=forms.RadioSelect,
            required=False,
            help_text=module.text_in(language),
        )
    if form_type == TemplateType.REFUSAL:  # a refusal form refuses everything on it
        return forms.ChoiceField(
            label=module.title_in(language),
            choices=[(ModuleChoice.DECLINED, _("Refused"))],
            widget=forms.RadioSelect,
            required=False,
            initial=ModuleChoice.DECLINED,
            disabled=True,
            help_text=module.text_in(language),
        )
    choices = [(ModuleChoice.ACCEPTED, _("Yes, I agree")), (ModuleChoice.DECLINED, _("No, I do not agree"))]
    if module.mandatory:
        choices = choices[:1]
    # Never "accept" pre-selected (GDPR Recital 32, CJEU C-673/17), whatever an old module version says; a mandatory
    # module is always asked with nothing pre-selected.
    initial = ModuleChoice.DECLINED if module.default_state == ModuleDefault.DECLINED and not module.mandatory else None
    return forms.ChoiceField(
        label=module.title_in(language),
        choices=choices,
        widget=forms.RadioSelect,
        required=module.mandatory,
        initial=initial,
        help_text=module.text_in(language),
        error_messages={"required": _("This module is mandatory: the donor must agree to sign this form.")},
    )


NO_DRAWING = _("No drawing arrived: draw the signature on the pad (again), or choose “Typed name only, no drawing”.")


class SignForm(forms.Form):
    """Step 2: the donor's choices per module, their signature, a representative, the staff countersignature."""

    signer_name = forms.CharField(
        label=_("Typed name of the person signing"),
        max_length=200,
        help_text=_("Typing the name signs the form; a drawn signature may be added below."),
    )
    signature_method = forms.ChoiceField(
        label=_("How the person signs"),
        choices=SIGNATURE_METHODS,
        widget=forms.RadioSelect,
        required=False,  # not posted: a drawing that came makes it "drawn", else "typed"
        initial=SIGNATURE_TYPED,
    )
    signature = forms.CharField(label=_("Drawn signature"), required=False, widget=forms.HiddenInput)
    representative_name = forms.CharField(label=_("Legal representative or guardian"), max_length=200, required=False)
    representative_relation = forms.CharField(label=_("Relation to the donor"), max_length=100, required=False)
    representative_legal_basis = forms.ChoiceField(
        label=_("Legal basis of the representation"),
        choices=[("", _("— no representative —")), *RepresentativeLegalBasis.choices],
        required=False,
        help_text=_("Required when a representative signs; a donor under 18 cannot sign alone."),
    )
    informed_by: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Informed by"),
        queryset=None,  # set in __init__
        help_text=_("The staff member who explained the form to the donor."),
        error_messages={"required": _("Choose who informed the donor.")},
    )
    informed_place = forms.CharField(
        label=_("Place of the information"),
        max_length=200,
        help_text=_("Where the donor was informed, e.g. “Outpatient clinic, room 2”."),
    )
    witness: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Witness of the signature"),
        queryset=None,
        help_text=_("The staff member who saw the donor sign; you by default."),
        error_messages={"required": _("Choose who witnessed the signature.")},
    )
    countersigned = forms.BooleanField(
        label=_("The witness named above saw the donor sign; I countersign as staff member"),
        error_messages={"required": _("Confirm that the signature was witnessed.")},
    )

    def __init__(
        self,
        *args: Any,
        modules: list[Module],
        language: str,
        staff: QuerySet[User],
        user: User,
        form_type: str = TemplateType.CONSENT,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        staff_fields(self, staff=staff)
        model_choices(self, "witness", staff, label=staff_label)
        self.fields["witness"].initial = getattr(user, "pk", None)
        self.fields["informed_by"].initial = getattr(user, "pk", None)
        self.modules = modules
        for module in modules:
            self.fields[f"module_{module.code}"] = module_field(module, language, form_type)
        order = [f"module_{m.code}" for m in modules]
        self.order_fields(
            [
                *order,
                "signer_name",
                "signature_method",
                "signature",
                "representative_name",
                "representative_relation",
                "representative_legal_basis",
                "informed_by",
                "informed_place",
                "witness",
            ]
        )

    def module_fields(self) -> list:
        return [self[f"module_{m.code}"] for m in self.modules]

    def clean_signature(self) -> bytes | None:
        value = self.cleaned_data.get("signature") or ""
        if not value:
            return None
        if not value.startswith(SIGNATURE_PREFIX):
            raise forms.ValidationError(_("The drawn signature could not be read; clear it and draw again."))
        try:
            return base64.b64decode(value[len(SIGNATURE_PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            raise forms.ValidationError(_("The drawn signature could not be read; clear it and draw again.")) from None

    def clean(self) -> dict[str, Any]:
        """A drawn signature that did not arrive is refused at the pad, never recorded as a typed one; with "typed
        name only" a drawing is not kept."""
        cleaned = super().clean() or {}
        method = cleaned.get("signature_method") or (SIGNATURE_DRAWN if cleaned.get("signature") else SIGNATURE_TYPED)
        cleaned["signature_method"] = method
        if method == SIGNATURE_TYPED:
            cleaned["signature"] = None
        elif not cleaned.get("signature") and "signature" not in self.errors:
            self.add_error("signature", NO_DRAWING)
        return cleaned

    def choices(self) -> dict[str, str]:
        return {m.code: self.cleaned_data.get(f"module_{m.code}") or ModuleChoice.UNANSWERED for m in self.modules}


def staff_label(user: User) -> str:
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


def staff_fields(form: forms.Form, *, staff: QuerySet[User]) -> None:
    """The "informed by" choice lists the active staff of the biobank."""
    model_choices(form, "informed_by", staff, label=staff_label)


class ScanUploadForm(forms.Form):
    pid = forms.CharField(label=_("Donor PID"), max_length=20)
    template = forms.ModelChoiceField(label=_("Form version printed on the paper"), queryset=Template.objects.none())
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    signed_on = forms.DateField(label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"}))
    accepted = forms.CharField(
        label=_("Modules ticked “yes”"),
        required=False,
        help_text=_(
            "Module codes separated by commas, as ticked on the paper: on a consent form the modules agreed to "
            "(others count as “no”), on a withdrawal form the modules withdrawn; a refusal form has none."
        ),
    )
    representative_name = forms.CharField(
        label=_("Legal representative or guardian who signed"), max_length=200, required=False
    )
    representative_relation = forms.CharField(label=_("Relation to the donor"), max_length=100, required=False)
    representative_legal_basis = SignForm.base_fields["representative_legal_basis"]
    informed_by = SignForm.base_fields["informed_by"]
    informed_place = SignForm.base_fields["informed_place"]
    scan = forms.FileField(label=_("Scan"), help_text=_("PDF, PNG or JPEG, at most 10 MB."))
    kept_scan = forms.CharField(required=False, widget=forms.HiddenInput)  # consent/views/kept_uploads.py

    def __init__(
        self, *args: Any, templates: QuerySet[Template], staff: QuerySet[User], user: User, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        staff_fields(self, staff=staff)
        self.fields["informed_by"].initial = getattr(user, "pk", None)
        model_choices(self, "template", templates, label=lambda t: f"{t.code} {t.version_label}")
        self.fields["signed_on"].initial = timezone.localdate()

    def keep_scan(self, token: str, name: str) -> None:
        """The chosen scan waits on the server (``token``): say so at the field, and send the token back."""
        if self.is_bound:
            data = dict(self.data.items())  # the last value of each key, as the bound fields read it
            data["kept_scan"] = token
            self.data = data
        self.fields["scan"].required = False
        self.fields["scan"].help_text = format_html(
            "<strong>{}</strong> {}",
            _("“%(name)s” is kept.") % {"name": name},
            _("Choose another file only to replace it (PDF, PNG or JPEG, at most 10 MB)."),
        )
        self["scan"].help_text = self.fields["scan"].help_text  # the bound field copied it when the form was cleaned


class QcForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(forms.Form):
    module = forms.ModelChoiceField(label=_("Module"), queryset=Module.objects.none())
    effective = forms.DateField(
        label=_("Made on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day the donor withdrew (the date of the letter or call); not after today."),
    )
    reason = forms.CharField(
        label=_("Reason or the donor's words"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("No names, dates of birth or identifiers."),
    )

    def __init__(self, *args: Any, modules: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "module").queryset = modules
        self.fields["effective"].initial = timezone.localdate()

    def clean_effective(self) -> Any:
        """Checked here too, so a future day is named together with the other errors (the service checks again)."""
        day = self.cleaned_data["effective"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The day the donor withdrew cannot be after today."))
        return day


class InvalidationRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why was this consent recorded in error?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. the wrong donor was selected. No names, dates of birth or identifiers."),
    )


class InvalidationDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve: the consent counts for no time")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note (required to reject)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DonorWithdrawForm(forms.Form):
    level = forms.ChoiceField(label=_("What the donor withdraws"), choices=WithdrawalLevel.choices)
    effective = forms.DateField(
        label=_("Made on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day the donor withdrew (the date of the letter or call); not after today."),
    )
    reason = forms.CharField(
        label=_("Reason or the donor's words"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("No names, dates of birth or identifiers."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective"].initial = timezone.localdate()


class NewVersionForm(forms.Form):
    """A new version: its label and the wording per language (template text and each module)."""

    version_label = forms.CharField(label=_("Version label"), max_length=40)
    policy_uri = forms.CharField(
        label=_("Policy URI (FHIR)"),
        required=False,
        max_length=200,
        help_text=_("The identifier of the new version, e.g. its OID as urn:oid:…; not copied from the previous one."),
    )

    def __init__(self, *args: Any, previous: Template, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.previous = previous
        texts = {t.language: t for t in previous.texts.all()}
        for language, name in LANGUAGE_CHOICES:
            current = texts.get(language)
            self.fields[f"title_{language}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name},
                initial=current.title if current else "",
                required=False,
            )
            self.fields[f"text_{language}"] = forms.CharField(
                label=_("Text (%(language)s)") % {"language": name},
                initial=current.text if current else "",
                required=False,
                widget=forms.Textarea(attrs={"rows": 6}),
            )
        for link in previous.template_modules.all():
            module = link.module
            for language, name in LANGUAGE_CHOICES:
                self.fields[f"m_{module.code}_{language}"] = forms.CharField(
                    label=_("Module “%(module)s” (%(language)s)") % {"module": module.code, "language": name},
                    initial=module.text_in(language),
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )

    def texts(self) -> dict:
        return {
            lang: {"title": self.cleaned_data[f"title_{lang}"], "text": self.cleaned_data[f"text_{lang}"]}
            for lang, _name in LANGUAGE_CHOICES
            if self.cleaned_data.get(f"text_{lang}") or self.cleaned_data.get(f"title_{lang}")
        }

    def module_texts(self) -> dict:
        out: dict[str, dict] = {}
        for link in self.previous.template_modules.all():
            module = link.module
            for lang, _name in LANGUAGE_CHOICES:
                text = self.cleaned_data.get(f"m_{module.code}_{lang}", "")
                if text and text.replace("\r\n", "\n").strip() != module.text_in(lang):
                    out.setdefault(module.code, {})[lang] = {"title": module.title_in(lang), "text": text}
        return out
