"""Turning one cell's text into a value: each converter returns the value or raises ``CellError`` with a sentence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import QuantityUnit
from ..services.barcodes import barcode_problem
from ..services.quantities import MAX_QUANTITY
from .columns import BOOLEAN, CHOICE, CODE, DECIMAL, MINUTES, TEMPERATURE, TIMESTAMP, Column

MAX_MINUTES = 2**31 - 1
MAX_DEGREES = Decimal("9999.9")
PLACES_4 = Decimal("0.0001")
PLACES_1 = Decimal("0.1")
TRUE, FALSE = frozenset({"yes", "true", "1", "y", "ja"}), frozenset({"no", "false", "0", "n", "nein"})
UNIT_SPELLINGS = {"µl": QuantityUnit.UL, "μl": QuantityUnit.UL, "µg": QuantityUnit.UG, "μg": QuantityUnit.UG}


class CellError(ValueError):
    """A cell that cannot be read; the message is a whole sentence naming the rule."""


def _decimal(raw: str, column: Column) -> Decimal:
    try:
        number = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number < 0 or number > MAX_QUANTITY:
        raise CellError(
            _("%(column)s must be a number from 0 to %(maximum)s.") % {"column": column.name, "maximum": MAX_QUANTITY}
        )
    if column.required and number == 0:
        raise CellError(_("%(column)s must be greater than 0.") % {"column": column.name})
    if number != number.quantize(PLACES_4):
        raise CellError(_("%(column)s has more than 4 decimal places; use a smaller unit.") % {"column": column.name})
    return number


def _minutes(raw: str, column: Column) -> int:
    try:
        number = int(raw)
    except ValueError:
        raise CellError(_("%(column)s must be a whole number.") % {"column": column.name}) from None
    if not 0 <= number <= MAX_MINUTES:
        raise CellError(_("%(column)s must be 0 or more.") % {"column": column.name})
    return number


def _temperature(raw: str, column: Column) -> Decimal:
    try:
        number = Decimal(raw.replace(",", ".").replace("\u2212", "-"))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or abs(number) > MAX_DEGREES:
        raise CellError(_("%(column)s must be a temperature in °C (a number).") % {"column": column.name})
    if number != number.quantize(PLACES_1):
        raise CellError(_("%(column)s has more than one decimal place.") % {"column": column.name})
    return number


def _timestamp(raw: str, column: Column) -> datetime:
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise CellError(
            _("%(column)s must be a date and time in ISO 8601, e.g. 2024-05-06T08:30:00+02:00.")
            % {"column": column.name}
        ) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _choice(raw: str, column: Column) -> str:
    if raw in column.allowed:
        return raw
    lowered = raw.lower()
    for allowed in column.allowed:
        if allowed.lower() == lowered:
            return allowed
    if column.name == "unit" and lowered in UNIT_SPELLINGS:
        return str(UNIT_SPELLINGS[lowered])
    raise CellError(
        _("%(column)s must be one of %(allowed)s.") % {"column": column.name, "allowed": ", ".join(column.allowed)}
    )


def _boolean(raw: str, column: Column) -> bool:
    lowered = raw.lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise CellError(_("%(column)s must be yes or no.") % {"column": column.name})


def _code(raw: str, column: Column) -> str:
    if column.name == "barcode":
        problem = barcode_problem(raw)
        if problem:
            raise CellError(problem)
        return raw
    return _text(raw.upper(), column)


def _text(raw: str, column: Column) -> str:
    if column.max_length and len(raw) > column.max_length:
        raise CellError(
            _("%(column)s has at most %(max)d characters.") % {"column": column.name, "max": column.max_length}
        )
    return raw


CONVERTERS: dict[str, Callable[[str, Column], Any]] = {
    DECIMAL: _decimal,
    MINUTES: _minutes,
    TEMPERATURE: _temperature,
    TIMESTAMP: _timestamp,
    CHOICE: _choice,
    BOOLEAN: _boolean,
    CODE: _code,
}


def converter(column: Column) -> Callable[[str, Column], Any]:
    return CONVERTERS.get(column.kind, _text)
