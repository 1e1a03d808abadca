"""Validators that apply the number rules of registry/rules/amounts.py in every room's forms.

WTForms' NumberRange calls math.isnan, which raises on `sNaN` and on a 400-digit integer:
these validators refuse such input with the rule's message instead.
"""
from wtforms.validators import StopValidation

from registry.i18n import current_locale
from registry.rules.amounts import check_amount, check_whole_number
from registry.rules.errors import RuleViolation


def amount():
    """An optional DecimalField's value must be an amount (finite, ≥ 0, two places, fits Numeric(14, 2))."""
    def validator(form, field):
        try:
            field.data = check_amount(field.data, field.name)
        except RuleViolation as error:
            raise StopValidation(error.message(current_locale())) from None
    return validator


def whole_number(minimum: int, maximum: int):
    """An IntegerField's value must lie in [minimum, maximum]."""
    def validator(form, field):
        try:
            check_whole_number(field.data, field.name, minimum, maximum)
        except RuleViolation as error:
            raise StopValidation(error.message(current_locale())) from None
    return validator
