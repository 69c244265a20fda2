"""Forms of the donor portal: change one choice, re-consent, withdraw, notification preferences.

Nothing is pre-selected where the donor decides (a pre-ticked box is no consent, GDPR Recital 32); a typed full name
is the signature where the donor gives or changes consent.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..choices import ModuleChoice, WithdrawalLevel

DECIDE = [(ModuleChoice.ACCEPTED, _("Yes, I agree")), (ModuleChoice.DECLINED, _("No, I do not agree"))]
LANGUAGE_CHOICES = [(code, name) for code, name in settings.LANGUAGES]


def signer_name_field() -> forms.CharField:
    return forms.CharField(
        label=_("Your full name"),
        max_length=200,
        help_text=_("Type your full name as your signature."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Type your full name to sign.")},
    )


def decision_field(label: Any, help_text: Any = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        choices=DECIDE,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no.")},
    )


class ChoiceChangeForm(forms.Form):
    """One module: the new answer, signed with the typed name."""

    choice = decision_field(_("Your new choice"))
    signer_name = signer_name_field()

    def __init__(self, *args: Any, current: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = current

    def clean_choice(self) -> str:
        choice = self.cleaned_data["choice"]
        if choice == self.current:
            raise forms.ValidationError(_("This is already your choice. Choose the other answer to change it."))
        return choice


class ReconsentForm(forms.Form):
    """A newer version of the consent: one yes/no per module (nothing pre-selected), then the typed name."""

    def __init__(self, *args: Any, modules: list[Any], language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.module_codes = []
        for module in modules:
            name = f"module_{module.code}"
            help_text = module.text_in(language)
            if module.mandatory:  # not inside the f-string: xgettext (makemessages) cannot see calls in one
                required = _("(Required to take part.)")
                help_text = f"{help_text} {required}".strip()
            self.fields[name] = decision_field(module.title_in(language), help_text)
            self.module_codes.append(module.code)
        self.fields["signer_name"] = signer_name_field()

    def choices(self) -> dict[str, str]:
        return {code: self.cleaned_data[f"module_{code}"] for code in self.module_codes}


class WithdrawForm(forms.Form):
    """One form, one POST: what to withdraw (a level, or one part of the consent), in the donor's own words if
    they like."""

    what = forms.ChoiceField(
        label=_("What do you want to withdraw?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you want to withdraw.")},
    )
    words = forms.CharField(
        label=_("Anything you want to tell us"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("You do not have to give a reason."),
    )

    LEVELS = [
        (
            WithdrawalLevel.NO_FURTHER_CONTACT,
            _("No further contact: we will not contact you again. Your samples and data stay available for research."),
        ),
        (
            WithdrawalLevel.NO_FURTHER_ACCESS,
            _(
                "No further access: we keep what we already have, but we release nothing new to researchers, "
                "collect no new information about you and do not contact you. Researchers who already received "
                "your samples or data may go on using them."
            ),
        ),
        (
            WithdrawalLevel.NO_FURTHER_USE,
            _(
                "No further use: we stop all use and destroy your samples. We keep only an administrative record "
                "that you withdrew, so that your decision is respected. Results already published cannot be taken "
                "back."
            ),
        ),
    ]

    def __init__(self, *args: Any, modules: list[tuple[str, str]], **kwargs: Any) -> None:
        """``modules``: (module code, title) of the parts the donor has agreed to and may withdraw alone."""
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = list(self.LEVELS)
        choices += [
            (f"module:{code}", _("Only this part: %(title)s. Everything else stays as you chose.") % {"title": title})
            for code, title in modules
        ]
        self.fields["what"].choices = choices  # type: ignore[attr-defined]

    def target(self) -> tuple[str, str]:
        """(level, module code): one of them is set."""
        what = self.cleaned_data["what"]
        if what.startswith("module:"):
            return "", what.removeprefix("module:")
        return what, ""


class PreferencesForm(forms.Form):
    notify_news = forms.BooleanField(label=_("News about the biobank"), required=False)
    notify_results = forms.BooleanField(label=_("Results of studies that used my samples or data"), required=False)
    notify_recontact = forms.BooleanField(label=_("Invitations to new studies (recontact)"), required=False)
    language = forms.ChoiceField(label=_("Language of these pages and of our messages"), choices=LANGUAGE_CHOICES)
