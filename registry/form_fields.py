"""Fields and validators that every room's forms share: the number rules of registry/rules/amounts.py, and a
text input that never echoes a full ID number.

WTForms' NumberRange calls math.isnan, which raises on `sNaN` and on a 400-digit integer:
these validators refuse such input with the rule's message instead.
"""
import wtforms
from markupsafe import Markup, escape
from wtforms import StringField, widgets
from wtforms.validators import StopValidation
from wtforms.widgets.core import clean_key

from registry.i18n import current_locale
from registry.rules.amounts import check_amount, check_whole_number
from registry.rules.errors import RuleViolation
from registry.rules.identifiers import looks_like_full_id_number
from registry.security import redact_id_numbers


def html_params(**kwargs) -> Markup:
    """WTForms' `html_params`, the same attributes in the same order and escaped the same way, written without a
    `Markup.format` for each (an input of the search form: 60 -> 20 µs)."""
    written = " ".join(escape(clean_key(key)) if value is True else f'{escape(clean_key(key))}="{escape(value)}"'
                       for key, value in sorted(kwargs.items()) if value is not False)
    return Markup(written)  # nosec B704: each name and value escaped above, as WTForms' Markup.format escapes them


class TextInput(widgets.TextInput):
    """WTForms' text input, its attributes written by the quicker `html_params`."""

    html_params = staticmethod(html_params)


class NumberInput(widgets.NumberInput):
    """WTForms' number input, its attributes written by the quicker `html_params`."""

    html_params = staticmethod(html_params)


class RedactingField(StringField):
    """A text input that echoes its value back, except a value that looks like a full ID number, and with any
    full ID number inside it masked."""

    widget = TextInput()

    def _value(self):
        text = super()._value()
        return "" if looks_like_full_id_number(text) else redact_id_numbers(text)


_OPTION = Markup('<option%s value="%s">%s</option>')  # Markup's % escapes each piece


class Select(widgets.Select):
    """WTForms' select widget, its plain options written directly: the same HTML, without a Markup.format
    per attribute (the search form's 176 options took 11 ms a page, now under 1 ms)."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = " selected" if choice.selected else ""
        return _OPTION % (selected, value, choice.label or choice.value)


class SelectField(wtforms.SelectField):
    """A select field with the quicker widget above."""

    widget = Select()


WRITTEN_SELECTS = 4096  # the code-list selects kept written (every language, field, value and attributes seen)


class CodeListSelect(Select):
    """The select of a code list: its HTML written once for each language, field, chosen value and attributes,
    then kept (the firm search's filters, 176 options, took 1.3 ms to write on every page). The keys are few:
    a value that is not in the list is written each time, not kept."""

    def __init__(self):
        super().__init__()
        self.written: dict[tuple, Markup] = {}

    def __call__(self, field, **kwargs):
        key = (current_locale(), field.code_list, field.name, field.data, tuple(sorted(kwargs.items())),
               bool(field.flags.required), bool(field.flags.disabled))
        try:
            html = self.written.get(key)
        except TypeError:  # an attribute whose value is not hashable (none is, today): written each time
            return super().__call__(field, **kwargs)
        if html is None:
            html = super().__call__(field, **kwargs)
            if field.data in field.values() and len(self.written) < WRITTEN_SELECTS:
                self.written[key] = html
        return html


class CodeListSelectField(SelectField):
    """A select field whose options are a code list (`choices`, a function of the language alone, or of the
    language and the chosen value: the industries under a chosen division), written once and kept
    (`CodeListSelect`)."""

    widget = CodeListSelect()

    def __init__(self, label=None, validators=None, choices=None, **kwargs):
        super().__init__(label, validators, choices=choices, **kwargs)
        self.code_list = choices

    def values(self) -> set:
        """The values of the options offered."""
        return {value for value, _ in self.choices}


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
