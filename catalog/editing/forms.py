"""Forms of the catalogue editing pages. Input parsing only: the rules (codes, IDs, age range, cycles) are checked by
``catalog.services``, whose ``InvalidFields`` errors are put on these fields (``add_invalid_fields``), all at once."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import Biobank
from biobank.errors import DomainError, InvalidFields

from .. import vocabularies as v
from ..models import BiobankProfile, Collection, Person, PublicationState
from .fields import DiseasesField, LinesField, code_field, codes_field, split_codes, yes_no_field

QUALITY_ROWS_FREE = 2  # empty rows offered below the biobank's quality standards


def add_invalid_fields(form: forms.Form, error: DomainError, field_map: dict[str, str] | None = None) -> None:
    """Every message of ``InvalidFields`` at its field (or at the top of the form for fields it does not show)."""
    errors = error.errors if isinstance(error, InvalidFields) else {error.field or "": [error.message]}
    for name, messages in errors.items():
        target = (field_map or {}).get(name, name)
        for message in messages:
            form.add_error(target if target in form.fields else None, message)


def persons_of(biobank: Biobank, *current: int | None) -> QuerySet[Person]:
    """The biobank's contact persons, and the ones already chosen (a contact shared with a network)."""
    return Person.objects.filter(Q(biobank=biobank) | Q(pk__in=[pk for pk in current if pk]))


def person_field(label: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label, queryset=Person.objects.none(), required=False, empty_label=_("— nobody chosen —"),
        help_text=_("Missing someone? Add them under “Contact persons” first."),
    )  # fmt: skip


def state_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("State"), choices=PublicationState.choices, widget=forms.RadioSelect)


class GroupedForm(forms.Form):
    """A long form shown in titled groups (``GROUPS``: ``[(title, [field names])]``) so it can be scanned."""

    GROUPS: list[tuple[Any, list[str]]] = []

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names if name in self.fields]) for title, names in self.GROUPS]


class CollectionForm(GroupedForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    acronym = forms.CharField(label=_("Acronym"), max_length=60, required=False)
    bbmri_id = forms.CharField(
        label=_("BBMRI-ERIC ID"), max_length=250, required=False,
        help_text=_("The biobank's ID, “:collection:” and a local part of letters, digits, _, - or :, e.g. "
                    "bbmri-eric:ID:DE_ukrm:collection:crc."),
    )  # fmt: skip
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the collection holds, from whom and why; at least 30 characters (shown in the catalogue)."),
    )  # fmt: skip
    parent = forms.ModelChoiceField(
        label=_("Part of (parent collection)"), queryset=Collection.objects.none(), required=False,
        empty_label=_("— a top-level collection —"),
        help_text=_("Only collections of the same biobank; a collection cannot be part of its own sub-collection."),
    )  # fmt: skip
    url = forms.URLField(label=_("Web page"), required=False, assume_scheme="https")
    contact = person_field(_("Contact person"))
    head = person_field(_("Head of the collection"))
    country = code_field("Directory.Countries", _("Country"))
    sample_source = code_field("MIABIS3.SampleSource", _("Sample source"))
    status = code_field("MIABIS3.ComponentStatus", _("Status"))
    sex = codes_field("Directory.SexTypes", _("Sex of the donors"))
    age_low = forms.IntegerField(label=_("Youngest donor age"), required=False)
    age_high = forms.IntegerField(label=_("Oldest donor age"), required=False)
    age_unit = code_field("Directory.AgeUnits", _("Age unit"))
    number_of_subjects = forms.IntegerField(label=_("Number of donors (subjects)"), required=False, min_value=0)
    materials = codes_field("Directory.MaterialTypes", _("Sample types"))
    storage_temperatures = codes_field("Directory.StorageTemperatureTypes", _("Storage temperatures"))
    dataset_types = codes_field("MIABIS3.DatasetType", _("Dataset types"))
    data_categories = codes_field("Directory.DataCategories", _("Data categories"))
    diseases = DiseasesField(label=_("Diseases (chosen)"), required=False)
    diseases_add = forms.CharField(
        label=_("Add disease codes"), required=False, max_length=2000,
        help_text=_("ICD-10 codes (WHO 2019: C18, C18.0 or a block such as C15-C26) or ORPHA:&lt;digits&gt;, separated "
                    "by spaces or commas. Or find them by name below."),
    )  # fmt: skip
    collection_types = codes_field("Directory.CollectionTypes", _("Collection types"))
    collection_settings = codes_field("MIABIS3.SampleCollectionSetting", _("Sample collection settings"))
    collection_designs = codes_field("MIABIS3.CollectionDesign", _("Collection designs"))
    inclusion_criteria = codes_field("MIABIS3.InclusionCriteria", _("Inclusion criteria"))
    use_access_conditions = codes_field("MIABIS3.UseAndAccessConditions", _("Use and access conditions"))
    data_use = codes_field("DUO", _("Data use terms (DUO)"))
    access_fee = codes_field("Directory.AccessTypes", _("Access fee for"))
    access_joint_project = codes_field("Directory.AccessTypes", _("Joint project required for"))
    access_description = forms.CharField(
        label=_("Access description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    access_uri = forms.URLField(label=_("Access web page"), required=False, assume_scheme="https")
    sops = codes_field("Directory.SOPs", _("Standard operating procedures"))
    publications = LinesField(
        label=_("Publications"), required=False, help_text=_("One per line: a DOI or a citation.")
    )
    collaboration_commercial = yes_no_field(_("Open to commercial collaboration"))
    collaboration_non_for_profit = yes_no_field(_("Open to non-profit collaboration"))
    withdrawn = forms.BooleanField(label=_("Withdrawn (no longer available)"), required=False)

    GROUPS = [
        (_("Identity"), ["name", "acronym", "bbmri_id", "description", "parent", "url", "status"]),
        (_("People"), ["contact", "head"]),
        (_("Donors"), ["sample_source", "country", "sex", "age_low", "age_high", "age_unit", "number_of_subjects"]),
        (_("Samples and data"), ["materials", "storage_temperatures", "dataset_types", "data_categories"]),
        (_("Design"), ["collection_types", "collection_settings", "collection_designs", "inclusion_criteria"]),
        (_("Access"), ["use_access_conditions", "data_use", "access_fee", "access_joint_project",
                       "access_description", "access_uri", "collaboration_commercial",
                       "collaboration_non_for_profit", "sops"]),
        (_("Publications"), ["publications", "withdrawn"]),
    ]  # fmt: skip

    def __init__(self, *args: Any, collection: Collection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.collection = collection
        parent: Any = self.fields["parent"]
        parent.queryset = (
            Collection.objects.filter(biobank=collection.biobank_id).exclude(pk=collection.pk).order_by("name")
        )
        for name in ("contact", "head"):
            field: Any = self.fields[name]
            field.queryset = persons_of(collection.biobank, collection.contact_id, collection.head_id)
        data: Any = self.data
        chosen = data.getlist("diseases") if self.is_bound else list(self.initial.get("diseases") or [])
        diseases: Any = self.fields["diseases"]
        diseases.show(chosen)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        added = split_codes(data.pop("diseases_add", ""))
        data["diseases"] = list(dict.fromkeys([*data.get("diseases", []), *added]))
        return data


class ProfileForm(GroupedForm):
    bbmri_id = forms.CharField(
        label=_("BBMRI-ERIC ID"), max_length=200,
        help_text=_("bbmri-eric:ID:&lt;country code&gt;_&lt;local part&gt;, e.g. bbmri-eric:ID:DE_ukrm "
                    "(letters, digits, _, -, :)."),
    )  # fmt: skip
    acronym = forms.CharField(label=_("Acronym"), max_length=60, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the biobank holds and offers; at least 30 characters."),
    )  # fmt: skip
    url = forms.URLField(label=_("Web page"), required=False, assume_scheme="https")
    juristic_person = forms.CharField(
        label=_("Juristic person"), max_length=300, help_text=_("The legal entity the biobank belongs to.")
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    contact = person_field(_("Contact person"))
    head = person_field(_("Head of the biobank"))
    infrastructural_capabilities = codes_field("MIABIS3.InfrastructuralCapabilities", _("Infrastructural capabilities"))
    organisational_capabilities = codes_field("MIABIS3.OrganisationalCapabilities", _("Organisational capabilities"))
    bioprocessing_capabilities = codes_field(
        "MIABIS3.BioprocessingAndAnalyticalCapabilities", _("Bioprocessing and analytical capabilities")
    )
    collaboration_commercial = yes_no_field(_("Open to commercial collaboration"))
    collaboration_non_for_profit = yes_no_field(_("Open to non-profit collaboration"))
    withdrawn = forms.BooleanField(label=_("Withdrawn (no longer operating)"), required=False)
    state = state_field()

    GROUPS = [
        (_("Identity"), ["bbmri_id", "acronym", "description", "url", "juristic_person", "location"]),
        (_("People"), ["contact", "head"]),
        (_("Capabilities"), ["infrastructural_capabilities", "organisational_capabilities",
                             "bioprocessing_capabilities"]),
        (_("Collaboration"), ["collaboration_commercial", "collaboration_non_for_profit", "withdrawn", "state"]),
    ]  # fmt: skip

    def __init__(self, *args: Any, biobank: Biobank, profile: BiobankProfile | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = (profile.contact_id, profile.head_id) if profile else ()
        for name in ("contact", "head"):
            field: Any = self.fields[name]
            field.queryset = persons_of(biobank, *current)
        standards = list(profile.quality_standards.all()) if profile else []
        rows = len(standards) + QUALITY_ROWS_FREE
        self.quality_rows = []
        for index in range(rows):
            known = standards[index] if index < len(standards) else None
            standard = f"quality_standard_{index}"
            level = f"quality_level_{index}"
            number = {"n": index + 1}
            self.fields[standard] = code_field("Directory.QualityStandards", _("Quality standard %(n)d") % number)
            self.fields[level] = code_field("Directory.AssessmentLevels", _("Assessment level %(n)d") % number)
            if known is not None:
                self.initial.setdefault(standard, known.standard)
                self.initial.setdefault(level, known.assessment_level)
            self.quality_rows.append((standard, level))

    def quality_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[s], self[lvl]) for s, lvl in self.quality_rows]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        quality = []
        for standard, level in self.quality_rows:
            s, lvl = data.pop(standard, ""), data.pop(level, "")
            if s and not lvl:
                self.add_error(level, _("Choose how %(standard)s was assessed.") % {"standard": s})
            elif lvl and not s:
                self.add_error(standard, _("Choose the standard this assessment level is for."))
            elif s:
                quality.append((s, lvl))
        data["quality_standards"] = quality
        return data


class PersonForm(forms.Form):
    bbmri_id = forms.CharField(
        label=_("BBMRI-ERIC ID"), max_length=200,
        help_text=_("bbmri-eric:contactID:&lt;country code&gt;_&lt;local part&gt;, "
                    "e.g. bbmri-eric:contactID:DE_ukrm_1."),
    )  # fmt: skip
    title_before_name = forms.CharField(label=_("Title before the name"), max_length=60, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=120, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=120, required=False)
    title_after_name = forms.CharField(label=_("Title after the name"), max_length=60, required=False)
    email = forms.EmailField(label=_("E-mail address"))
    phone = forms.CharField(label=_("Phone"), max_length=60, required=False)
    address = forms.CharField(label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    zip = forms.CharField(label=_("Postcode"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=[("", _("— choose —")), *v.choices("Directory.Countries")])
    role = forms.CharField(label=_("Role"), required=False, help_text=_("E.g. “Biobank manager”."))


class NetworkForm(GroupedForm):
    bbmri_id = forms.CharField(
        label=_("BBMRI-ERIC ID"), max_length=200,
        help_text=_("bbmri-eric:networkID:&lt;country code or EU&gt;_&lt;local part&gt;, "
                    "e.g. bbmri-eric:networkID:EU_cebn."),
    )  # fmt: skip
    name = forms.CharField(label=_("Name"), max_length=300)
    acronym = forms.CharField(label=_("Acronym"), max_length=60, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    url = forms.URLField(label=_("Web page"), required=False, assume_scheme="https")
    juristic_person = forms.CharField(label=_("Juristic person"), max_length=300, required=False)
    contact = forms.ModelChoiceField(label=_("Contact person"), queryset=Person.objects.none())
    status = forms.ChoiceField(label=_("Status"), choices=v.choices("MIABIS3.ComponentStatus"))
    countries = codes_field("Directory.Countries", _("Countries"))
    network_types = codes_field("MIABIS3.NetworkType", _("Network types"))
    common_network_elements = codes_field("Directory.CommonNetworkElements", _("Common network elements"))
    collaboration_topics = codes_field("MIABIS3.CommonCollaborationTopics", _("Common collaboration topics"))
    withdrawn = forms.BooleanField(label=_("Withdrawn"), required=False)

    GROUPS = [
        (_("Identity"), ["bbmri_id", "name", "acronym", "description", "url", "juristic_person", "contact", "status"]),
        (_("What the members share"), ["countries", "network_types", "common_network_elements",
                                       "collaboration_topics", "withdrawn"]),
    ]  # fmt: skip

    def __init__(self, *args: Any, biobank: Biobank, current_contact: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contact: Any = self.fields["contact"]
        contact.queryset = persons_of(biobank, current_contact)


class ResearchResourceForm(GroupedForm):
    bbmri_id = forms.CharField(
        label=_("BBMRI-ERIC ID"), max_length=200,
        help_text=_("bbmri-eric:studyID:&lt;country code&gt;_&lt;local part&gt;, e.g. bbmri-eric:studyID:DE_ukrm_crc."),
    )  # fmt: skip
    title = forms.CharField(label=_("Name"), max_length=300)
    acronym = forms.CharField(label=_("Acronym"), max_length=60, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    url = forms.URLField(label=_("Web page"), required=False, assume_scheme="https")
    contact = person_field(_("Contact person"))
    status = code_field("MIABIS3.ComponentStatus", _("Status"))
    number_of_subjects = forms.IntegerField(label=_("Number of subjects"), required=False, min_value=0)
    designs = codes_field("MIABIS3.CollectionDesign", _("Design"))
    collections = forms.ModelMultipleChoiceField(
        label=_("Collections"), queryset=Collection.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    GROUPS = [
        (_("Research resource"), ["bbmri_id", "title", "acronym", "description", "url", "contact", "status",
                                  "number_of_subjects", "designs", "collections"]),
    ]  # fmt: skip

    def __init__(self, *args: Any, biobank: Biobank, current_contact: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contact: Any = self.fields["contact"]
        contact.queryset = persons_of(biobank, current_contact)
        contact.required = True  # a research resource names whom to ask (the model requires it)
        collections: Any = self.fields["collections"]
        collections.queryset = Collection.objects.filter(biobank=biobank).order_by("name")
