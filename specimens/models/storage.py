"""The storage hierarchy: site → room → freezer/tank → rack/shelf → box. Boxes are grids of any size.

A specimen's position is two columns on the specimen (``box``, ``box_row``, ``box_column``): one position per
specimen by construction, one specimen per position by a unique constraint, so of two concurrent placements into
one cell exactly one commits (the other gets a 409 from the service).
"""

from __future__ import annotations

import string

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import Biobank

from ..choices import MAX_BOX_SIDE, StorageKind

ROW_LETTERS = string.ascii_uppercase  # rows A…Z, then AA, AB … (a 32-row plate)


def row_label(row: int) -> str:
    """``1`` → ``A``, ``26`` → ``Z``, ``27`` → ``AA`` (spreadsheet style)."""
    label = ""
    while row > 0:
        row, rest = divmod(row - 1, 26)
        label = ROW_LETTERS[rest] + label
    return label


def position_label(row: int, column: int) -> str:
    return f"{row_label(row)}{column}"


class StorageUnit(models.Model):
    """One level of storage. A box has ``rows`` x ``columns`` positions; other kinds have neither."""

    biobank = models.ForeignKey(Biobank, on_delete=models.PROTECT, related_name="storage_units")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    kind = models.CharField(_("kind"), max_length=10, choices=StorageKind.choices)
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=40, help_text=_("Scannable code, unique in the biobank"))
    temperature_c = models.SmallIntegerField(
        _("temperature (°C)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-273), MaxValueValidator(100)],
        help_text=_("Set point; children without one inherit it"),
    )
    rows = models.PositiveSmallIntegerField(
        _("rows"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(MAX_BOX_SIDE)]
    )
    columns = models.PositiveSmallIntegerField(
        _("columns"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(MAX_BOX_SIDE)]
    )
    # Materialised path of ids ("/3/17/42/"): a freezer's boxes are one indexed LIKE, its utilisation one query.
    path = models.CharField(max_length=255, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["biobank", "path"]
        constraints = [
            models.UniqueConstraint(fields=["biobank", "code"], name="storage_code_unique_in_biobank"),
            models.CheckConstraint(
                condition=(
                    Q(kind=StorageKind.BOX)
                    & Q(rows__gte=1, rows__lte=MAX_BOX_SIDE, columns__gte=1, columns__lte=MAX_BOX_SIDE)
                )
                | (~Q(kind=StorageKind.BOX) & Q(rows__isnull=True, columns__isnull=True)),
                name="storage_box_has_grid",
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="storage_not_own_parent"),
        ]
        indexes = [models.Index(fields=["biobank", "kind"], name="storage_biobank_kind")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_box(self) -> bool:
        return self.kind == StorageKind.BOX

    @property
    def capacity(self) -> int:
        return (self.rows or 0) * (self.columns or 0)

    def contains(self, row: int, column: int) -> bool:
        return self.is_box and 1 <= row <= (self.rows or 0) and 1 <= column <= (self.columns or 0)

    def position_label(self, row: int, column: int) -> str:
        return position_label(row, column)
