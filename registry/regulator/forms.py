"""The regulators' forms. Labels are English msgids translated by this room's catalogue; code lists come
from the reference data, labelled in the current language when the form is built."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DateField, SelectChoice, DecimalField, IntegerField, PasswordField, RadioField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from registry.form_fields import SelectField, amount, whole_number
from registry.i18n import current_locale, label, lazy_gettext as _l
from registry.reference import CATEGORIES, PENALTY_KINDS, REPAIR_MATERIALS, SEVERITIES
from registry.rules.reports import reports_for_category
from registry.services.complaints import next_statuses
from registry.services.corrections import CORRECTABLE, CorrectedValues
from registry.services.disclosure import LEGAL_GROUNDS


class NoEchoTextInput(TextInput):
    """A text input that never writes the submitted value back into the page (full ID numbers)."""

    def __call__(self, field, **kwargs):
        kwargs["value"] = ""
        kwargs.setdefault("autocomplete", "off")
        return super().__call__(field, **kwargs)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, text) for value, text in pairs]


def required():
    return DataRequired(message=_l("This field is required."))


class ReviewForm(FlaskForm):
    # the service refuses a type that does not fit, with the rule's own message (registry/rules/reports.py)
    report_type = SelectField(_l("Report type"), validators=[required()], validate_choice=False)
    round = IntegerField(_l("Review round"), validators=[required(), whole_number(1, 99)])
    reviewed_on = DateField(_l("Review date"), validators=[required()])
    passed = RadioField(_l("Result"), choices=choices([("yes", _l("Passed")), ("no", _l("Not passed"))]),
                        validators=[required()])

    def __init__(self, category: str, *args, **kwargs):
        """Only the report types that fit the project's category are offered (registry/rules/reports.py)."""
        super().__init__(*args, **kwargs)
        fitting = reports_for_category(category)
        self.report_type.choices = choices([("", _l("— choose —"))] * (len(fitting) > 1)
                                           + [(code, label("report_type", code)) for code in fitting])


class PenaltyForm(FlaskForm):
    subject_kind = RadioField(_l("The penalised party is"), choices=choices([("unit", _l("a firm")), ("person", _l("a person"))]),
                              default="unit", validators=[required()])
    subject_uscc = StringField(_l("Firm's unified social credit code"), validators=[Optional(), Length(max=30)])
    subject_id_number = StringField(_l("Person's full ID number"), widget=NoEchoTextInput(),
                                    validators=[Optional(), Length(max=30)])
    # Soil Law art. 90 reaches a party whether or not it registered: an unknown one is created from the decision
    subject_name = StringField(_l("Party's name, if not registered (as the decision gives it)"),
                               validators=[Optional(), Length(max=200)])
    subject_legal_representative = StringField(_l("Firm's legal representative, if not registered"),
                                               validators=[Optional(), Length(max=100)])
    decision_number = StringField(_l("Decision document number"), validators=[required(), Length(max=100)])
    decided_on = DateField(_l("Decision date"), validators=[required()])
    kinds = MultiCheckboxField(_l("Penalty kinds"), validators=[required()])
    severity = SelectField(_l("Severity (sets the publicity period)"), default="ordinary", validators=[required()])
    violation_type = StringField(_l("Violation type"), validators=[Optional(), Length(max=200)])
    violation = TextAreaField(_l("Facts of the violation"), validators=[Optional(), Length(max=5000)])
    basis = TextAreaField(_l("Legal basis"), validators=[Optional(), Length(max=5000)])
    content = TextAreaField(_l("Content of the penalty"), validators=[Optional(), Length(max=5000)])
    fine_yuan = DecimalField(_l("Fine (CNY)"), places=2, validators=[Optional(), amount()])
    confiscated_yuan = DecimalField(_l("Confiscated amount (CNY)"), places=2, validators=[Optional(), amount()])
    licence_action = StringField(_l("Licence suspended or revoked"), validators=[Optional(), Length(max=200)])
    ban = RadioField(_l("Practice ban (Soil Law art. 90)"), default="none", validators=[required()],
                     choices=choices([("none", _l("No ban")), ("until", _l("Banned until a date")),
                                      ("lifetime", _l("Banned for life"))]))
    ban_until = DateField(_l("Ban ends on"), validators=[Optional()])
    crime_found = BooleanField(_l("The decision found that the conduct is a crime (a person's lifetime ban)"))
    ban_categories = MultiCheckboxField(_l("Business the firm is banned from (none ticked: all of the firm's)"))
    authority_uscc = StringField(_l("Deciding authority's unified social credit code"),
                                 validators=[Optional(), Length(max=30)])
    data_source = StringField(_l("Data source"), validators=[Optional(), Length(max=200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds.choices = choices((code, label("penalty_kind", code)) for code in PENALTY_KINDS)
        self.severity.choices = choices((code, label("severity", code)) for code in SEVERITIES)
        self.ban_categories.choices = choices((code, label("category", code)) for code in CATEGORIES)


class RepairApplicationForm(FlaskForm):
    applied_on = DateField(_l("Date of the application"), validators=[required()])
    grounds = TextAreaField(_l("Grounds given by the applicant"), validators=[required(), Length(max=2000)])
    materials = MultiCheckboxField(_l("Materials received"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.materials.choices = choices((code, label("repair_material", code)) for code in REPAIR_MATERIALS)


class RepairRefusalForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the refusal"), validators=[required(), Length(max=2000)])


class ConfirmForm(FlaskForm):
    """A bare POST form (CSRF only): credit repair, reveal, account suspension."""


class AccountRecoveryForm(FlaskForm):
    """The administrator's reset, suspension or reinstatement of a firm's or a person's account."""
    reason = StringField(_l("Reason (kept in the audit trail)"), validators=[required(), Length(max=500)])


class ComplaintStatusForm(FlaskForm):
    status = SelectField(_l("New status"), validators=[required()])
    finding = TextAreaField(_l("Written finding"), validators=[Optional(), Length(max=5000)])
    verified_on = DateField(_l("Date of the finding"), validators=[Optional()])

    def __init__(self, current_status: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = choices((code, label("complaint_status", code)) for code in next_statuses(current_status))


class NonDisclosureForm(FlaskForm):
    ground = SelectField(_l("Legal ground"), validators=[required()])
    explanation = TextAreaField(_l("Explanation"), validators=[required(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        index = 1 if current_locale() == "en" else 0
        self.ground.choices = choices([("", _l("— choose —"))] + [(k, v[index]) for k, v in LEGAL_GROUNDS.items()])


class SuspendRegistrationForm(FlaskForm):
    reason = TextAreaField(_l("Why the registration is suspended"), validators=[required(), Length(max=1000)])


class HandOverForm(FlaskForm):
    """The rightful firm's name and legal representative as its business licence shows them."""
    name = StringField(_l("Name on the business licence"), validators=[required(), Length(max=200)])
    legal_representative = StringField(_l("Legal representative on the business licence"),
                                       validators=[required(), Length(max=100)])
    reason = TextAreaField(_l("How the licence was checked"), validators=[required(), Length(max=1000)])


class CorrectionDecisionForm(FlaskForm):
    decision = SelectField(_l("Your decision"), validators=[required()])
    note = TextAreaField(_l("Note (required when refusing)"), validators=[Length(max=1000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = choices([("accept", _l("Accept: apply the correction")), ("refuse", _l("Refuse"))])


class LiftNonDisclosureForm(FlaskForm):
    reason = TextAreaField(_l("Why the record is published again"), validators=[required(), Length(max=2000)])


class PersonLookupForm(FlaskForm):
    id_number = StringField(_l("Full ID number"), widget=NoEchoTextInput(), validators=[required(), Length(max=30)])


class RegulatorAccountForm(FlaskForm):
    username = StringField(_l("Username"), validators=[required(), Length(max=100)])
    display_name = StringField(_l("Name of the official"), validators=[required(), Length(max=200)])
    authority_name = StringField(_l("Authority"), validators=[required(), Length(max=200)])
    division_code = StringField(_l("Jurisdiction (division code)"), validators=[required(), Length(max=6)])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=200)])
    password = PasswordField(_l("Initial password (at least 12 characters)"), validators=[required(), Length(max=200)])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[required(), EqualTo("password", message=_l("The passwords differ."))])


class ImportForm(FlaskForm):
    file = FileField(_l("Exchange-format file (JSON Lines)"), validators=[FileRequired(message=_l("Choose a file."))])


class RecordCorrectionDecisionForm(FlaskForm):
    """Accept a request to correct a review outcome, penalty or finding by entering the corrected values (only
    the fields of that record's kind are kept), or refuse it with the reason the requester reads. The values go
    through the same rules as when the record was made (`services.corrections.accept_record_correction`)."""
    decision = SelectField(_l("Your decision"), validators=[required()])
    note = TextAreaField(_l("Reason (required when refusing; the requester reads it)"),
                         validators=[Length(max=1000)])
    reviewed_on = DateField(_l("Review date"), validators=[Optional()])
    passed = RadioField(_l("Result"), choices=choices([("yes", _l("Passed")), ("no", _l("Not passed"))]),
                        validators=[Optional()])
    decided_on = DateField(_l("Decision date"), validators=[Optional()])
    violation = TextAreaField(_l("Facts of the violation"), validators=[Optional(), Length(max=5000)])
    basis = TextAreaField(_l("Legal basis"), validators=[Optional(), Length(max=5000)])
    content = TextAreaField(_l("Content of the penalty"), validators=[Optional(), Length(max=5000)])
    fine_yuan = DecimalField(_l("Fine (CNY)"), places=2, validators=[Optional(), amount()])
    finding = TextAreaField(_l("Written finding"), validators=[Optional(), Length(max=5000)])
    verified_on = DateField(_l("Date of the finding"), validators=[Optional()])

    VALUES = ("reviewed_on", "passed", "decided_on", "violation", "basis", "content", "fine_yuan", "finding",
              "verified_on")

    def __init__(self, record_type: str, record, *args, **kwargs):
        """The fields of `record_type`'s correctable values, filled with the record as it stands."""
        super().__init__(*args, **kwargs)
        self.decision.choices = choices([("accept", _l("Accept: correct the record with the values below")),
                                         ("refuse", _l("Refuse"))])
        self.kept = CORRECTABLE[record_type]
        for name in self.VALUES:
            if name not in self.kept:
                delattr(self, name)
            elif not self.is_submitted():
                value = getattr(record, name)
                getattr(self, name).data = ("yes" if value else "no") if name == "passed" else value

    def values(self) -> CorrectedValues:
        """The corrected values as the service takes them."""
        return CorrectedValues(**{name: (getattr(self, name).data == "yes" if name == "passed"
                                         else getattr(self, name).data) for name in self.kept})
