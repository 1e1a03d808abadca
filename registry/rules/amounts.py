"""Amounts of money (fines, confiscations) and other decimal quantities entered by people.

An amount is a finite, non-negative number with at most two decimal places that fits a Numeric(14, 2)
column, on SQLite and PostgreSQL alike. `NaN`, `sNaN`, `Infinity`, `1e30` and a 400-digit number were all
accepted once, and the API then answered `"fine_yuan": Infinity`, which is not JSON.
"""
from decimal import Decimal, InvalidOperation

from registry.rules.errors import RuleViolation

DIGITS, PLACES = 14, 2  # the Numeric(14, 2) columns: fine_yuan, confiscated_yuan, area_m2
MAX_AMOUNT = Decimal(10) ** (DIGITS - PLACES) - Decimal(1).scaleb(-PLACES)  # 999999999999.99


def parse_decimal(text: str | None, field: str) -> Decimal | None:
    """A typed number as a Decimal (None when empty); text that is no number is refused."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise RuleViolation(field, "请填写数字", "enter a number") from None


def check_amount(value: Decimal | None, field: str) -> Decimal | None:
    """The amount as stored: finite, 0 or more, at most two decimal places, at most 999999999999.99."""
    if value is None:
        return None
    if not value.is_finite():
        raise RuleViolation(field, "请填写有限的数值", "enter a finite number")
    if value.is_signed() and not value.is_zero():
        raise RuleViolation(field, "数值不能为负数", "the number cannot be negative")
    if not value.is_zero() and value.adjusted() >= DIGITS - PLACES:
        raise RuleViolation(field, f"数值不能超过{MAX_AMOUNT}", f"the number cannot exceed {MAX_AMOUNT}")
    if not value.is_zero() and value.normalize().as_tuple().exponent < -PLACES:
        raise RuleViolation(field, "最多保留两位小数", "at most two decimal places")
    return abs(value).quantize(Decimal(1).scaleb(-PLACES))


def check_whole_number(value: int | None, field: str, minimum: int, maximum: int) -> int | None:
    """A whole number within [minimum, maximum], both inclusive (a review round, a percentage)."""
    if value is None:
        return None
    if not minimum <= value <= maximum:
        raise RuleViolation(field, f"请填写{minimum}至{maximum}之间的整数",
                            f"enter a whole number from {minimum} to {maximum}")
    return value
