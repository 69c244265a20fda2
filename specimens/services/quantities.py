"""Quantities with their units: converted to the dimension's base unit wherever compared, summed or deducted."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from biobank.errors import DomainError

from ..choices import UNIT_BASE, QuantityUnit
from ..models.specimens import QUANTITY_DIGITS, QUANTITY_PLACES

MAX_QUANTITY = Decimal(10) ** (QUANTITY_DIGITS - QUANTITY_PLACES) - 1


def unit_checked(unit: Any, *, field: str = "unit") -> str:
    if unit not in UNIT_BASE:
        raise DomainError(
            _("Unit %(unit)r is not known; use one of %(allowed)s.")
            % {"unit": unit, "allowed": ", ".join(QuantityUnit.values)},
            field=field,
            code="unit",
        )
    return str(unit)


def quantity_checked(value: Any, *, field: str = "quantity", allow_zero: bool = False) -> Decimal:
    """A positive decimal with at most four places (zero only where allowed), or a DomainError naming the field."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite() or number < 0 or (number == 0 and not allow_zero) or number > MAX_QUANTITY:
        raise DomainError(
            _("%(field)s must be a number greater than %(minimum)s and at most %(maximum)s (got %(value)r).")
            % {
                "field": field,
                "minimum": "or equal to 0" if allow_zero else "0",
                "maximum": MAX_QUANTITY,
                "value": value,
            },
            field=field,
            code="quantity",
        )
    if number != number.quantize(Decimal(1).scaleb(-QUANTITY_PLACES)):
        raise DomainError(
            _("%(field)s has more than %(places)d decimal places (got %(value)s); use a smaller unit.")
            % {"field": field, "places": QUANTITY_PLACES, "value": value},
            field=field,
            code="quantity",
        )
    return number


def dimension(unit: str) -> str:
    return UNIT_BASE[unit][0]


def convert(value: Decimal, *, from_unit: str, to_unit: str, field: str = "unit") -> Decimal:
    """``value`` in ``from_unit`` expressed in ``to_unit``; a unit of another dimension (mL vs mg) is an error."""
    (from_dim, from_factor), (to_dim, to_factor) = UNIT_BASE[from_unit], UNIT_BASE[to_unit]
    if from_dim != to_dim:
        raise DomainError(
            _("%(from_unit)s cannot be converted to %(to_unit)s: a %(from_dim)s is not a %(to_dim)s.")
            % {"from_unit": from_unit, "to_unit": to_unit, "from_dim": from_dim, "to_dim": to_dim},
            field=field,
            code="unit_mismatch",
        )
    return value * from_factor / to_factor


def converted_exactly(value: Decimal, *, from_unit: str, to_unit: str, field: str) -> Decimal:
    """``convert``, refusing an amount the target unit cannot hold to four decimal places (0.0005 µL taken from a
    tube measured in mL would vanish in rounding and break the mass balance)."""
    result = convert(value, from_unit=from_unit, to_unit=to_unit, field=field)
    step = Decimal(1).scaleb(-QUANTITY_PLACES)
    if result != result.quantize(step):
        raise DomainError(
            _(
                "%(value)s %(from_unit)s is too small a part of a specimen measured in %(to_unit)s (at most %(places)d "
                "decimal places there)."
            )
            % {"value": value, "from_unit": from_unit, "to_unit": to_unit, "places": QUANTITY_PLACES},
            field=field,
            code="quantity",
        )
    return result.quantize(step)


def in_base(value: Decimal, unit: str) -> Decimal:
    return value * UNIT_BASE[unit][1]
