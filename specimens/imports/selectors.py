"""Reading import jobs: those of the biobanks where the caller may change specimens (anything else is a 404)."""

from __future__ import annotations

from django.db.models import QuerySet

from biobank.accounts.choices import Perm
from biobank.accounts.principals import Principal
from biobank.accounts.selectors import biobank_ids_with_perm

from ..models import ImportJob, ImportProblem


def import_jobs_visible_to(*, user: Principal) -> QuerySet[ImportJob]:
    """Import jobs of the biobanks where ``user`` holds ``change_specimens`` (one subquery)."""
    return ImportJob.objects.filter(
        biobank__in=biobank_ids_with_perm(user=user, perm=Perm.CHANGE_SPECIMENS)
    ).select_related("biobank")


def import_problems(job: ImportJob) -> QuerySet[ImportProblem]:
    return ImportProblem.objects.filter(job=job)
