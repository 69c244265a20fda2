"""The consent catalogue: Policy (atomic permission) → Module (the checkbox unit) → Template (the signed document).

After the trusted-third-party consent services (gICS) and the MII broad consent. Policies and modules may be
network-wide (no biobank) or belong to one biobank; templates belong to a biobank. A template version that has been
signed (``signed_at`` set) is immutable, together with its texts, its module list and the modules and policies it
contains: services refuse the change, and database triggers (migration 0002+) refuse it too. A new version is a new
row derived from the previous one.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import Biobank

from ..choices import (
    TEMPLATE_ALLOWED_TRANSITIONS,
    ModuleDefault,
    PolicyAction,
    PolicyDataClass,
    TemplateStatus,
    TemplateType,
)


class Policy(models.Model):
    """An atomic permission (e.g. "biomaterial: use for medical research"), versioned, mapped to DUO terms."""

    biobank = models.ForeignKey(
        Biobank, on_delete=models.PROTECT, null=True, blank=True, related_name="consent_policies"
    )  # null: network-wide
    code = models.SlugField(_("code"), max_length=64)
    version = models.CharField(_("version"), max_length=20, default="1")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    duo_terms = ArrayField(models.CharField(max_length=16), default=list, blank=True, verbose_name=_("DUO terms"))
    duo_disease = models.CharField(
        _("disease (for DUO DS)"),
        max_length=40,
        blank=True,
        help_text=_("ICD-10 (e.g. E11.9) or Orphanet (e.g. ORPHA:558); required with DUO DS"),
    )
    action = models.CharField(_("action"), max_length=20, choices=PolicyAction.choices)
    data_class = models.CharField(_("class"), max_length=20, choices=PolicyDataClass.choices)
    purpose = models.CharField(_("purpose"), max_length=100, default="research")
    validity = models.CharField(_("validity"), max_length=40, blank=True, help_text=_("ISO-8601 period or date"))
    # FHIR Consent.provision.code: the coding of this permission in a shared code system (MII consent policies).
    coding_system = models.CharField(
        _("code system"),
        max_length=200,
        blank=True,
        help_text=_("A URI, e.g. urn:oid:2.16.840.1.113883.3.1937.777.24.5.3 (MII consent policies)"),
    )
    coding_code = models.CharField(
        _("code"), max_length=200, blank=True, help_text=_("e.g. 2.16.840.1.113883.3.1937.777.24.5.3.8")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "version"]
        verbose_name_plural = "policies"
        constraints = [
            models.UniqueConstraint(
                fields=["biobank", "code", "version"], name="policy_code_version_unique", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class Module(models.Model):
    """The checkbox unit: a group of policies the donor accepts or declines together. May nest (``parent``).

    ``texts`` holds the wording per language: ``{"en": {"title": ..., "text": ...}, "de": {...}}``.
    """

    biobank = models.ForeignKey(
        Biobank, on_delete=models.PROTECT, null=True, blank=True, related_name="consent_modules"
    )
    code = models.SlugField(_("code"), max_length=64)
    version = models.PositiveIntegerField(_("version"), default=1)
    texts = models.JSONField(_("texts"), default=dict)
    policies = models.ManyToManyField(Policy, related_name="modules", verbose_name=_("policies"))
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    mandatory = models.BooleanField(_("mandatory"), default=False)
    default_state = models.CharField(
        _("default"), max_length=10, choices=ModuleDefault.choices, default=ModuleDefault.NONE
    )
    validity = models.CharField(_("validity"), max_length=40, blank=True, help_text=_("ISO-8601 period or date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["biobank", "code", "version"], name="module_code_version_unique", nulls_distinct=False
            ),
            models.CheckConstraint(condition=~models.Q(parent=models.F("pk")), name="module_not_own_parent"),
            # GDPR Recital 32 / CJEU C-673/17 (Planet49): a pre-ticked box is no consent. Nothing is ever pre-selected
            # as accepted, and a mandatory module is always asked. NOT VALID in the database (migration 0007): rows
            # of versions signed before the rule stay as they were signed.
            models.CheckConstraint(
                condition=~models.Q(default_state=ModuleDefault.ACCEPTED)
                & (models.Q(mandatory=False) | models.Q(default_state=ModuleDefault.NONE)),
                name="module_never_pre_accepted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    def title_in(self, language: str) -> str:
        return (self.texts.get(language) or {}).get("title") or self.code

    def text_in(self, language: str) -> str:
        return (self.texts.get(language) or {}).get("text", "")

    @property
    def carried_default(self) -> str:
        """The default a new version of this module gets: as before, unless that is no longer allowed (never
        "accept" pre-selected, nothing pre-selected on a mandatory module; see ``module_never_pre_accepted``)."""
        if self.default_state == ModuleDefault.ACCEPTED or (
            self.mandatory and self.default_state != ModuleDefault.NONE
        ):
            return ModuleDefault.NONE
        return self.default_state


class Template(models.Model):
    """One version of a consent, withdrawal or refusal form. ``code`` names the family, ``number`` orders it.

    ``valid_from``/``valid_to`` bound when the version may be signed; ``consent_validity`` is how long a consent
    signed on it lasts (ISO-8601 period or date). ``signed_at`` is set by the first signature and freezes the row.
    """

    biobank = models.ForeignKey(Biobank, on_delete=models.PROTECT, related_name="consent_templates")
    code = models.SlugField(_("code"), max_length=64)
    number = models.PositiveIntegerField(_("version number"))
    version_label = models.CharField(_("version"), max_length=40)
    type = models.CharField(_("type"), max_length=12, choices=TemplateType.choices, default=TemplateType.CONSENT)
    status = models.CharField(_("status"), max_length=10, choices=TemplateStatus.choices, default=TemplateStatus.DRAFT)
    derived_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="derived_versions"
    )
    modules = models.ManyToManyField(Module, through="TemplateModule", related_name="templates")
    valid_from = models.DateField(_("may be signed from"), null=True, blank=True)
    valid_to = models.DateField(_("may be signed until"), null=True, blank=True)
    consent_validity = models.CharField(
        _("consent validity"), max_length=40, blank=True, help_text=_("ISO-8601 period or date")
    )
    # FHIR Consent.policy.uri: the identifier of this form version (MII: its OID as urn:oid:...).
    policy_uri = models.CharField(
        _("policy URI"),
        max_length=200,
        blank=True,
        help_text=_("The form version's identifier, e.g. urn:oid:2.16.840.1.113883.3.1937.777.24.2.1790"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    activated_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(_("first signed"), null=True, blank=True)

    class Meta:
        ordering = ["biobank", "code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["biobank", "code", "number"], name="template_number_unique"),
            models.UniqueConstraint(fields=["biobank", "code", "version_label"], name="template_label_unique"),
            models.UniqueConstraint(
                fields=["biobank", "code"],
                condition=models.Q(status=TemplateStatus.ACTIVE),
                name="template_one_active_version",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="template_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.version_label}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def activated_on(self) -> date | None:
        """The (local) day the version came into use, or None if it never did."""
        return timezone.localdate(self.activated_at) if self.activated_at else None

    @property
    def retired_on(self) -> date | None:
        """The (local) day the version went out of use, or None while it is in use or was never used."""
        return timezone.localdate(self.retired_at) if self.retired_at else None

    def can_become(self, status: str) -> bool:
        """Whether ``TEMPLATE_ALLOWED_TRANSITIONS`` lets this version move to ``status``."""
        return status in TEMPLATE_ALLOWED_TRANSITIONS[self.status]

    def signable_on(self, day: date) -> bool:
        """Whether a donor may sign this version on screen on ``day``: it is the active version of its family and
        ``day`` lies inside its signing period (``valid_from`` to ``valid_to``, each bound optional)."""
        return (
            self.status == TemplateStatus.ACTIVE
            and (self.valid_from is None or day >= self.valid_from)
            and (self.valid_to is None or day <= self.valid_to)
        )

    def in_use_on(self, day: date) -> bool:
        """Whether this version was in use on ``day`` (activated by then, not retired before): a paper form signed
        that day on this version may be recorded from its scan."""
        activated, retired = self.activated_on, self.retired_on
        return activated is not None and activated <= day and (retired is None or day <= retired)


class TemplateText(models.Model):
    """The exact wording of a template version in one language (what the donor reads and the receipt prints)."""

    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="texts")
    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["template", "language"]
        constraints = [models.UniqueConstraint(fields=["template", "language"], name="template_text_one_per_language")]

    def __str__(self) -> str:
        return f"{self.template} [{self.language}]"


class TemplateModule(models.Model):
    """A module of a template version, in the order shown to the donor."""

    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="template_modules")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["template", "position"]
        constraints = [models.UniqueConstraint(fields=["template", "module"], name="template_module_once")]

    def __str__(self) -> str:
        return f"{self.template} · {self.module}"
