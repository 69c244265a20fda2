"""Forms of staff's dynamic-consent pages: a donor's portal invitation, a re-consent campaign, a donor message's
wording. Forms check shapes; the services decide and their errors are shown at the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ..models import Template
from ..selectors.portal_staff import MESSAGE_LANGUAGES


class InviteForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the portal and its messages"), choices=MESSAGE_LANGUAGES, initial="en"
    )


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.version_label}"


class CampaignForm(forms.Form):
    template = VersionChoiceField(
        label=_("Consent form version to re-consent to"),
        queryset=Template.objects.none(),
        empty_label=None,
        help_text=_(
            "Only a version in use that has older versions: the donors whose newest consent is an older version "
            "are invited."
        ),
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, help_text=_("Staff see it; donors see the form's own title.")
    )

    def __init__(self, *args: Any, templates: QuerySet[Template], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["template"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = templates


class MessageWordingForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 14}))
