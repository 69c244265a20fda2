"""Kinds of pseudonym domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DomainKind(models.TextChoices):
    # The biobank's own donor identifiers (PIDs): one domain per biobank.
    BIOBANK_PID = "biobank_pid", _("Biobank donor IDs (PID)")
    # One domain per data release, so two recipients cannot link their datasets.
    RELEASE = "release", _("Data release")
