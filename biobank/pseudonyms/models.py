"""Pseudonym domains, their key versions, and the mapping subject ↔ pseudonym per domain and version.

A pseudonym is computed (``engine.py``) and also stored: the stored mapping is what makes an old pseudonym printed on
a label resolvable after a key rotation, and it lets the (astronomically rare) collision of two subjects be
resolved once, for good. Keys are never stored here — only the id of the master key each version derives from.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import Biobank

from . import checkchar
from .choices import DomainKind

domain_code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9:._-]{1,62}[a-z0-9]$",
    _("Use 3 to 64 lowercase letters, digits and . _ : -, starting and ending with a letter or digit."),
)
subject_validator = RegexValidator(
    r"^[A-Za-z0-9:._-]{1,100}$", _("A subject reference is 1 to 100 letters, digits and . _ : -.")
)


class PseudonymDomain(models.Model):
    """A namespace of pseudonyms with its own key: a biobank's PID domain, or one data release.

    Pseudonyms of two domains cannot be linked without the master key. ``current_key_version`` is the version new
    pseudonyms are minted in; older versions stay resolvable by the identity steward.
    """

    code = models.CharField(_("code"), max_length=64, unique=True, validators=[domain_code_validator])
    kind = models.CharField(_("kind"), max_length=20, choices=DomainKind.choices)
    biobank = models.ForeignKey(
        Biobank, on_delete=models.PROTECT, related_name="pseudonym_domains", null=True, blank=True
    )
    current_key_version = models.PositiveIntegerField(_("current key version"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DomainKind.values), name="pseudonym_domain_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind=DomainKind.BIOBANK_PID) | Q(biobank__isnull=False),
                name="pseudonym_domain_pid_has_biobank",
            ),
            models.UniqueConstraint(
                fields=["biobank"], condition=Q(kind=DomainKind.BIOBANK_PID), name="pseudonym_domain_one_pid_domain"
            ),
            models.CheckConstraint(condition=Q(current_key_version__gte=1), name="pseudonym_domain_version_positive"),
        ]

    def __str__(self) -> str:
        return self.code


class PseudonymKey(models.Model):
    """One key version of a domain: which master key (by id in PSEUDONYM_KEY_FILE) it is derived from.

    Recording the master key id means appending a new master key never changes an existing version's pseudonyms;
    only a rotation (a new version) picks up the new master key.
    """

    domain = models.ForeignKey(PseudonymDomain, on_delete=models.CASCADE, related_name="keys")
    version = models.PositiveIntegerField()
    master_key_id = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["domain", "version"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "version"], name="pseudonym_key_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.domain_id} v{self.version} ({self.master_key_id})"


class Pseudonym(models.Model):
    """The pseudonym of one subject in one domain and key version.

    ``subject`` is an opaque internal reference (e.g. the donor's subject UUID), never identifying data.
    ``retired_at`` is set when a rotation has minted the subject's pseudonym in a newer version; a retired
    pseudonym still resolves. A pseudonym is unique across all versions of its domain, so a pseudonym typed from
    any label ever printed names exactly one subject.
    """

    domain = models.ForeignKey(PseudonymDomain, on_delete=models.PROTECT, related_name="pseudonyms")
    key_version = models.PositiveIntegerField()
    pseudonym = models.CharField(max_length=checkchar.LENGTH)
    subject = models.CharField(max_length=100, validators=[subject_validator])
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["domain", "key_version", "pseudonym"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "key_version", "subject"], name="pseudonym_subject_per_version"),
            # Stronger than unique per (domain, key version) — which it implies — because a pseudonym typed from
            # a label printed under any version must name exactly one subject.
            models.UniqueConstraint(fields=["domain", "pseudonym"], name="pseudonym_unique_in_domain"),
            models.CheckConstraint(
                condition=Q(pseudonym__regex=rf"^[{checkchar.ALPHABET}]{{{checkchar.LENGTH}}}$"),
                name="pseudonym_canonical_form",
            ),
        ]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        return checkchar.display(self.pseudonym)

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None
