"""The practitioners' forms. Field validators call only pure rules; the services decide the rest."""
from datetime import date
from functools import cache

from markupsafe import Markup
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, FieldList, Form, FormField, HiddenField, IntegerField, PasswordField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, html_params

from registry.form_fields import RedactingField, SelectField
from registry.i18n import current_locale, label, lazy_gettext as _l
from registry.reference import CATEGORIES, ROLES
from registry.reference import PROVINCES
from registry.rules.divisions import current_cities, current_counties, english_local_name, validate_county_code
from registry.rules.errors import RuleViolation
from registry.rules.identifiers import validate_id_number, validate_uscc
from registry.rules.passwords import check_password_policy


def required():
    return DataRequired(message=_l("This field is required."))


def limit(max_length: int):
    return Length(max=max_length, message=_l("At most %(max)d characters."))


def rule(check):
    """A WTForms validator from a pure rule that raises RuleViolation; empty values are left to `required`."""

    def validator(form, field):
        if field.data:
            try:
                check(field.data)
            except RuleViolation as error:
                raise ValidationError(error.message(current_locale())) from None

    return validator


class LocalDateField(DateField):
    """A date input (YYYY-MM-DD) whose parse error is in the interface language."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = date.fromisoformat(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a date as YYYY-MM-DD.")) from None


def division_groups(city_allowed: bool, language: str = "zh") -> list[tuple[str, list[tuple[str, str]]]]:
    """County-level divisions grouped by province and city, for a picker that needs no JavaScript; a firm may
    also choose a whole city (its credit code may name the city's registering authority). In English: "Qingdao,
    Shandong" › "Shinan District"."""
    groups: dict[str, list[tuple[str, str]]] = {}
    cities = current_cities()
    for county in current_counties():
        city = county.city if county.code[:4] + "00" in cities else ""
        if language == "en":
            province = PROVINCES[county.code[:2]].en
            city = english_local_name(city, bare_city=True) if city else ""
            group_name, county_name = ", ".join(filter(None, (city, province))), english_local_name(county.name)
            whole_city = f"{city} (whole city)"
        else:
            group_name, county_name, whole_city = f"{county.province} {city}".strip(), county.name, f"{city}（全市）"
        group = groups.setdefault(group_name, [])
        city_code = county.code[:4] + "00"
        if city_allowed and city and not group and city_code != county.code:
            group.append((city_code, whole_city))
        group.append((county.code, county_name))
    return list(groups.items())


class DivisionSelect:
    """A <select> of divisions in <optgroup>s by province and city: province → city → county without script."""

    def __init__(self, city_allowed: bool):
        self.city_allowed = city_allowed

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        options = division_options(self.city_allowed, current_locale())
        chosen = Markup('<option value="{}">').format(field.data or "")
        if chosen in options:  # the options are cached (150 kB, 0.1 s to build); mark the chosen one
            options = options.replace(chosen, chosen[:-1] + Markup(" selected>"), 1)
        return Markup('<select name="{}" {}><option value="">{}</option>{}</select>').format(
            field.name, html_params(**kwargs), _l("— choose province, city, county —"), options)


@cache
def division_options(city_allowed: bool, language: str = "zh") -> Markup:
    """The <optgroup>s of the division picker, built once per language."""
    option = Markup('<option value="{}">{} {}</option>')
    return Markup("").join(
        Markup('<optgroup label="{}">{}</optgroup>').format(
            group, Markup("").join(option.format(code, name, code) for code, name in options))
        for group, options in division_groups(city_allowed, language))


def division_field(text, city_allowed: bool) -> StringField:
    """The six-digit division code, picked from today's divisions and checked by the same rule as the service."""
    return StringField(text, validators=[required(), rule(lambda code: validate_county_code(
        code, city_allowed=city_allowed))], widget=DivisionSelect(city_allowed))


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def category_choices():
    return [(code, label("category", code)) for code in CATEGORIES]


def new_password_field() -> PasswordField:
    """A new password, checked against the policy (12 characters, not a common one)."""
    return PasswordField(_l("Password (at least 12 characters)"),
                         validators=[required(), limit(200), rule(check_password_policy)],
                         render_kw={"autocomplete": "new-password"})


def repeat_password_field() -> PasswordField:
    """The new password once more, which must equal the `password` field."""
    return PasswordField(_l("Repeat the password"),
                         validators=[required(), EqualTo("password", message=_l("The passwords differ."))],
                         render_kw={"autocomplete": "new-password"})


class RegistrationForm(FlaskForm):
    uscc = StringField(_l("Unified social credit code"), validators=[required(), limit(30), rule(validate_uscc)])
    name = StringField(_l("Firm name"), validators=[required(), limit(200)])
    division_code = division_field(_l("Administrative division (province, city, county)"), city_allowed=True)
    legal_representative = StringField(_l("Legal representative"), validators=[required(), limit(100)])
    contact_email = StringField(_l("Contact e-mail (not public)"), validators=[required(), limit(200)],
                                render_kw={"type": "email", "autocomplete": "email"})
    password = new_password_field()
    confirm = repeat_password_field()


class CommitmentForm(FlaskForm):
    text_version = HiddenField()
    signer = StringField(_l("Signer's name"), validators=[required(), limit(100)])
    truthfulness = BooleanField(_l("I commit that the information entered is true, accurate and complete."))
    consent_to_publish = BooleanField(
        _l("I consent to the publication of the basic information and the project performance (separate consent)."))

    def version(self) -> int | None:
        """The letter's version as sent, or None for anything that is not a short run of ASCII digits (a 5,000-digit
        string passed isdigit() and then made int() fail, a 500; so did a superscript digit)."""
        data = self.text_version.data or ""
        return int(data) if data.isascii() and data.isdigit() and len(data) <= 9 else None


class DetailsForm(FlaskForm):
    name = StringField(_l("Firm name"), validators=[required(), limit(200)])
    legal_representative = StringField(_l("Legal representative"), validators=[required(), limit(100)])
    division_code = division_field(_l("Administrative division (province, city, county)"), city_allowed=True)
    address = StringField(_l("Address"), validators=[Optional(), limit(300)])
    established_on = LocalDateField(_l("Date of establishment"), validators=[Optional()])
    contact_phone = StringField(_l("Contact phone (never public)"), validators=[Optional(), limit(50)])
    contact_email = StringField(_l("Contact e-mail (not public)"), validators=[required(), limit(200)],
                                render_kw={"type": "email"})
    categories = CheckboxesField(_l("Practice categories"), choices=[],
                                 validators=[DataRequired(message=_l("Choose at least one practice category."))])
    changed_on = LocalDateField(_l("Date the change happened"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories.choices = category_choices()


class CeaseForm(FlaskForm):
    ceased_on = LocalDateField(_l("Date the firm ceased business"), validators=[required()])
    confirm = BooleanField(_l("The firm has ceased business: it will add no more projects."),
                           validators=[DataRequired(message=_l("Tick to confirm."))])


class StaffForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[required(), limit(100)])
    id_number = StringField(_l("Resident ID number (18 characters)"),
                            validators=[required(), limit(30), rule(validate_id_number)],
                            render_kw={"autocomplete": "off"})
    title = StringField(_l("Title or position"), validators=[Optional(), limit(100)])


class RoleRow(Form):
    person_id = IntegerField(widget=HiddenField.widget)
    role = SelectField(_l("Role on this project"), choices=[], validate_choice=False)


def role_choices():
    return [("", _l("not on this project"))] + [(code, label("role", code)) for code in ROLES]


class ProjectForm(FlaskForm):
    category = SelectField(_l("Practice category"), choices=[], validators=[required()])
    name = StringField(_l("Project name"), validators=[required(), limit(300)])
    parcel_name = StringField(_l("Parcel name"), validators=[Optional(), limit(300)])
    division_code = division_field(_l("Administrative division of the parcel (province, city, county)"),
                                   city_allowed=False)
    area_m2 = StringField(_l("Parcel area (m²)"), validators=[required(), limit(20)],
                          render_kw={"inputmode": "decimal"})
    owner = StringField(_l("Owner (client)"), validators=[Optional(), limit(200)])
    owner_uscc = StringField(_l("Owner's unified social credit code (if known)"),
                             validators=[Optional(), limit(30), rule(validate_uscc)])
    former_industry = StringField(_l("Former industry of the parcel (GB/T 4754-2017)"),
                                  validators=[Optional(), limit(200)],
                                  render_kw={"list": "industry-list", "autocomplete": "off"})
    started_on = LocalDateField(_l("Start date"), validators=[Optional()])
    contract_deadline = LocalDateField(_l("Contract completion deadline"), validators=[Optional()])
    completed_on = LocalDateField(_l("Actual completion date"), validators=[Optional()])
    people = FieldList(FormField(RoleRow), min_entries=0)
    # a completed or reviewed project's dates, location and roles change only by a request the regulator accepts
    correction_reason = TextAreaField(_l("Reason for a correction of dates, location or roles (sent to the regulator)"),
                                      validators=[Optional(), Length(max=1000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [("", _l("— choose —"))] + category_choices()
        for row in self.people:
            row.form.role.choices = role_choices()

    def industry_code(self) -> str | None:
        """The code typed or picked from the list: `C3360` or `C3360 金属表面处理及热处理加工`."""
        text = (self.former_industry.data or "").strip()
        return text.split()[0].upper() if text else None

    def roles(self) -> list[tuple[int, str]]:
        """(person id, role) pairs as posted; the service checks each person belongs to the firm."""
        return [(row.form.person_id.data, row.form.role.data) for row in self.people
                if row.form.person_id.data is not None and row.form.role.data]


class InvitationForm(FlaskForm):
    code = StringField(_l("Invitation code"), validators=[required(), limit(40)],
                       render_kw={"autocomplete": "off"})
    id_number = StringField(_l("Your resident ID number"),
                            validators=[required(), limit(30), rule(validate_id_number)],
                            render_kw={"autocomplete": "off"})
    username = RedactingField(_l("Choose a username"), validators=[required(), Length(min=3, max=100, message=_l("Between %(min)d and %(max)d characters."))],
                           render_kw={"autocomplete": "username"})
    email = StringField(_l("E-mail (optional, not public)"), validators=[Optional(), limit(200)],
                        render_kw={"type": "email"})
    password = new_password_field()
    confirm = repeat_password_field()


class EndEmploymentForm(FlaskForm):
    ended_on = LocalDateField(_l("Left on"), validators=[Optional()])


class ConfirmForm(FlaskForm):
    """A bare form for POST-only buttons (CSRF token only)."""


class StatementForm(FlaskForm):
    """The subject's statement on a record about it; its rules are `rules.statements.check_statement`, which the
    service applies (the view runs it on the same submit)."""
    text = TextAreaField(_l("Your statement (at most 500 characters)"), render_kw={"rows": 6, "maxlength": 500})


class CorrectionRequestForm(FlaskForm):
    """A request to correct an authority's record; its rules are `rules.statements.check_grounds`."""
    grounds = TextAreaField(_l("Grounds: what is wrong, what is right, and the documents that show it"),
                            render_kw={"rows": 6})
