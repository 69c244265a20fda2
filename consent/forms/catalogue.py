"""Forms of the catalogue pages: a new policy, a new module, a new template (its first version).

They read and shape the input (split the DUO terms, pair titles with texts per language, order the modules); the
rules — known DUO terms, at least one policy, nesting, duplicates, validity — are the services' and come back as
``DomainError`` next to the field they name.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..choices import MODULE_DEFAULTS_ALLOWED, ModuleDefault, PolicyAction, PolicyDataClass, TemplateType
from ..models import Module, Policy
from .consents import LANGUAGE_CHOICES, model_choices

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

VALIDITY_HELP = _("An ISO-8601 period such as P5Y, P6M or P30D, or a last valid date such as 2050-08-31.")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
POLICY_URI_FIELD = forms.CharField(
    label=_("Policy URI (FHIR)"),
    required=False,
    max_length=200,
    help_text=_(
        "The identifier of this form version for FHIR Consent.policy.uri, e.g. its OID as "
        "urn:oid:2.16.840.1.113883.3.1937.777.24.2.1790 (MII broad consent 1.6d)."
    ),
)
# The service reports a missing wording as "texts"; on the page it belongs next to the first language's title.
TEXTS_FIELD = f"title_{LANGUAGE_CHOICES[0][0]}"


class PolicyForm(forms.Form):
    """An atomic permission of this biobank."""

    code = forms.SlugField(label=_("Code"), max_length=64, help_text=_("Letters, digits and hyphens, e.g. mdat-store."))
    version = forms.CharField(label=_("Version"), max_length=20, initial="1")
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("e.g. “Store patient data”."))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    duo_terms = forms.CharField(
        label=_("DUO terms"),
        required=False,
        max_length=400,
        help_text=_(
            "Ids or shorthands separated by commas, e.g. “HMB, PUB”: at most one permission term, any number of "
            "modifiers. The known terms are listed below the form."
        ),
    )
    duo_disease = forms.CharField(
        label=_("Disease (for DUO DS)"),
        required=False,
        max_length=40,
        help_text=_(
            "Required with DS, and only then: an ICD-10 code such as E11 or E11.9 (ICD-10: prefix optional) or an "
            "Orphanet code such as ORPHA:558."
        ),
    )
    action = forms.ChoiceField(label=_("Action"), choices=PolicyAction.choices)
    data_class = forms.ChoiceField(label=_("Class"), choices=PolicyDataClass.choices)
    purpose = forms.CharField(label=_("Purpose"), max_length=100, initial="research")
    validity = forms.CharField(label=_("Validity"), required=False, max_length=40, help_text=VALIDITY_HELP)
    coding_system = forms.CharField(
        label=_("Code system (FHIR)"),
        required=False,
        max_length=200,
        help_text=_(
            "A URI naming the code system, e.g. urn:oid:2.16.840.1.113883.3.1937.777.24.5.3 for the MII consent "
            "policies. Give it together with the code, or neither."
        ),
    )
    coding_code = forms.CharField(
        label=_("Code (FHIR)"),
        required=False,
        max_length=200,
        help_text=_("The policy's code in that system, e.g. 2.16.840.1.113883.3.1937.777.24.5.3.8."),
    )

    def clean_duo_terms(self) -> list[str]:
        return [term for term in re.split(r"[\s,;]+", self.cleaned_data.get("duo_terms") or "") if term]


class TextsMixin:
    """A title and a text field per offered language; a language counts when either is filled in."""

    cleaned_data: dict[str, Any]
    fields: dict[str, forms.Field]

    def add_text_fields(self, *, what: StrOrPromise, rows: int) -> None:
        for language, name in LANGUAGE_CHOICES:
            self.fields[f"title_{language}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name}, max_length=200, required=False
            )
            self.fields[f"text_{language}"] = forms.CharField(
                label=_("Text (%(language)s)") % {"language": name},
                required=False,
                widget=forms.Textarea(attrs={"rows": rows}),
                help_text=_("What the donor reads for this %(what)s, exactly as printed on the receipt.")
                % {"what": what},
            )

    def check_text_pairs(self) -> None:
        for language, name in LANGUAGE_CHOICES:
            title = (self.cleaned_data.get(f"title_{language}") or "").strip()
            text = (self.cleaned_data.get(f"text_{language}") or "").strip()
            if title and not text:
                self.add_error(  # type: ignore[attr-defined]
                    f"text_{language}",
                    _("Give the text in %(language)s too, or leave both empty.") % {"language": name},
                )
            elif text and not title:
                self.add_error(  # type: ignore[attr-defined]
                    f"title_{language}",
                    _("Give the title in %(language)s too, or leave both empty.") % {"language": name},
                )

    def texts(self) -> dict[str, dict[str, str]]:
        return {
            language: {"title": self.cleaned_data[f"title_{language}"], "text": self.cleaned_data[f"text_{language}"]}
            for language, _name in LANGUAGE_CHOICES
            if self.cleaned_data.get(f"title_{language}") or self.cleaned_data.get(f"text_{language}")
        }


def module_label(module: Module) -> str:
    title = module.title_in(LANGUAGE_CHOICES[0][0])
    return f"{module.code} v{module.version} — {title}" if title != module.code else f"{module.code} v{module.version}"


class ModuleForm(TextsMixin, forms.Form):
    """A checkbox unit: its wording per language, the policies it grants, whether the donor must accept it."""

    code = forms.SlugField(
        label=_("Code"), max_length=64, help_text=_("Letters, digits and hyphens, e.g. biomaterial.")
    )
    policies = forms.ModelMultipleChoiceField(
        label=_("Policies"),
        queryset=Policy.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one policy: a module is the policies a donor accepts or declines together.")
        },
    )
    mandatory = forms.BooleanField(
        label=_("Mandatory: the donor must accept this module to sign the form"), required=False
    )
    default_state = forms.ChoiceField(
        label=_("Pre-selected on the capture screen"),
        choices=[(value, label) for value, label in ModuleDefault.choices if value in MODULE_DEFAULTS_ALLOWED],
        initial=ModuleDefault.NONE,
        help_text=_(
            "Only for optional modules; “accept” is never pre-selected, since a pre-ticked box is no valid consent "
            "(GDPR Recital 32)."
        ),
    )
    parent = forms.ModelChoiceField(
        label=_("Nested in"),
        queryset=Module.objects.none(),
        required=False,
        empty_label=_("Nothing: a top-level module"),
        help_text=_("A nested module can only be accepted together with the module it is nested in."),
    )
    validity = forms.CharField(label=_("Validity"), required=False, max_length=40, help_text=VALIDITY_HELP)

    def __init__(self, *args: Any, policies: Any, modules: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_text_fields(what=_("module"), rows=3)
        model_choices(self, "policies", policies, label=lambda p: f"{p.code} v{p.version} — {p.name}")
        model_choices(self, "parent", modules, label=module_label)
        self.order_fields(["code", *(f for f in self.fields if f.startswith(("title_", "text_")))])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # the same dict, typed without None
        self.check_text_pairs()
        return cleaned


class TemplateCreateForm(TextsMixin, forms.Form):
    """The first version of a new form: what kind it is, its wording, its modules, when it may be signed."""

    code = forms.SlugField(
        label=_("Code"), max_length=64, help_text=_("Names the form across its versions, e.g. broad-consent.")
    )
    type = forms.ChoiceField(label=_("Type"), choices=TemplateType.choices, widget=forms.RadioSelect)
    version_label = forms.CharField(label=_("Version label"), max_length=40, initial="v1")
    modules = forms.ModelMultipleChoiceField(
        label=_("Modules"),
        queryset=Module.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Shown to the donor with each module after the module it is nested in."),
        error_messages={"required": _("Choose at least one module: the donor answers the form module by module.")},
    )
    valid_from = forms.DateField(label=_("May be signed from"), required=False, widget=DATE_WIDGET)
    valid_to = forms.DateField(label=_("May be signed until"), required=False, widget=DATE_WIDGET)
    consent_validity = forms.CharField(
        label=_("Consent validity"),
        required=False,
        max_length=40,
        help_text=format_lazy("{} {}", _("How long a consent signed on this form lasts."), VALIDITY_HELP),
    )
    policy_uri = POLICY_URI_FIELD

    def __init__(self, *args: Any, modules: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("type", TemplateType.CONSENT)
        self.add_text_fields(what=_("form"), rows=6)
        model_choices(self, "modules", modules, label=module_label)
        languages = [f for f in self.fields if f.startswith(("title_", "text_"))]
        self.order_fields(["code", "type", "version_label", *languages, "modules"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # the same dict, typed without None
        self.check_text_pairs()
        return cleaned

    def modules_in_order(self) -> list[Module]:
        """The chosen modules, each nested one right after its parent (else by code and version)."""
        chosen = sorted(self.cleaned_data["modules"], key=lambda m: (m.code, m.version))
        ids = {m.pk for m in chosen}
        children: dict[int | None, list[Module]] = {}
        for module in chosen:
            children.setdefault(module.parent_id if module.parent_id in ids else None, []).append(module)
        ordered: list[Module] = []

        def walk(parent_id: int | None) -> None:
            for module in children.get(parent_id, []):
                ordered.append(module)
                walk(module.pk)

        walk(None)
        return ordered
