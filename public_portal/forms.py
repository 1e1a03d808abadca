"""The public's forms: the search filters (GET, no CSRF token needed), the similar-parcel search and the
complaint form (POST, CSRF, a honeypot field and a signed minimum fill time against bots)."""
import secrets
import time
from decimal import Decimal
from functools import lru_cache

from flask import current_app
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from wtforms import DateField, DecimalField, Field, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, StopValidation, ValidationError

from registry.form_fields import CodeListSelectField, NumberInput, RedactingField, SelectField, amount
from registry.i18n import current_locale, industry_name, label, lazy_gettext as _l
from registry.queries.compare import MAX_COMPARED, ParcelCriteria
from registry.queries.lists import BanFilters, FindingFilters, PenaltyFilters
from registry.queries.search import UNIT_SORTS, UnitFilters
from registry.reference import CATEGORIES, PROVINCES, SEVERITIES, industries
from registry.rules.errors import RuleViolation
from registry.rules.identifiers import looks_like_full_id_number, validate_id_number, validate_uscc

FORM_MAX_AGE_SECONDS = 6 * 3600


def number_range(minimum, maximum, message):
    """A range check that stays silent when the value did not parse (the parse error is already shown), and
    refuses NaN and infinities (WTForms' NumberRange raises on `sNaN` and on a 400-digit integer)."""
    def validator(form, field):
        value = field.data
        if value is None:
            return
        if isinstance(value, Decimal) and not value.is_finite() \
                or minimum is not None and value < minimum or maximum is not None and value > maximum:
            raise StopValidation(message)

    return validator


def _area():
    return DecimalField(validators=[Optional(), number_range(0, None, _l("Enter an area of 0 m² or more.")), amount()],
                        places=None, widget=NumberInput(step="any"))


def category_choices():
    """Practice categories, with an empty choice for any."""
    return [("", _l("Any category"))] + [(code, label("category", code)) for code in CATEGORIES]


def province_choices():
    """Provinces, with an empty choice for any."""
    return [("", _l("Any province"))] + [(code, label("province", code)) for code in PROVINCES]


def industry_choices(chosen: str | None = None):
    """Sections and divisions of GB/T 4754-2017 and, once a division (or a finer code) is chosen, the groups and
    classes within it, indented under it: a search by industry matches by prefix, so a visitor narrows C25 to
    C2521 by choosing again (no script needed, and not 1,900 options on every page)."""
    return _industry_choices(current_locale(), chosen[:3].upper() if chosen and len(chosen) >= 3 else None)


@lru_cache(maxsize=256)
def _industry_choices(locale: str, division: str | None) -> list:
    """`industry_choices` in one language, built once (118 options or more, each named: 0.3 ms a page)."""
    choices = [("", _l("Any former industry"))]
    for entry in industries().values():
        if entry.level <= 2 or division and entry.code.startswith(division):
            indent = "\u00a0" * 3 * max(0, entry.level - 2)  # no-break spaces: an option keeps them, in either language
            choices.append((entry.code, f"{indent}{entry.code} {industry_name(entry.code)}"))
    return choices


def yes_no_choices():
    """Either, yes or no."""
    return [("", _l("Either")), ("true", _l("Yes")), ("false", _l("No"))]


SORT_LABELS = {"relevance": _l("Relevance"), "first_pass": _l("First-pass rate"), "on_time": _l("On-time rate"),
               "projects": _l("Number of projects"), "name": _l("Name")}


def sort_choices():
    """The orders of the firm search, as the query layer lists them."""
    return [(key, SORT_LABELS[key]) for key in UNIT_SORTS]


class GetForm(FlaskForm):
    """A form read from the query string (searches change nothing, so they carry no CSRF token)."""

    class Meta:
        csrf = False

    def has_input(self) -> bool:
        """True when the query string fills any field of the form."""
        return any(field.raw_data and field.raw_data[0] not in ("", None) for field in self)


def not_an_id_number(form, field):
    """Refuse a full ID number as a search (the public may not confirm a guessed number)."""
    if field.data and looks_like_full_id_number(field.data):
        raise ValidationError(_l("Searching by a full ID number is not possible. Search by name instead."))


class TrackForm(GetForm):
    """A complainant's receipt number and check code, to follow the complaint (`/complaints/track`)."""
    receipt = StringField(_l("Receipt number"), validators=[
        DataRequired(_l("Enter the receipt number.")), Length(max=64, message=_l("At most %(max)d characters."))])
    check = StringField(_l("Check code"), validators=[
        DataRequired(_l("Enter the check code.")), Length(max=20, message=_l("At most %(max)d characters."))])


class SearchForm(GetForm):
    q = RedactingField(_l("Firm, person, credit code, project, parcel or owner"),
                    validators=[Optional(), Length(max=100, message=_l("At most %(max)d characters.")),
                                not_an_id_number])
    category = CodeListSelectField(_l("Practice category"), choices=category_choices, validate_choice=True, default="")
    province = CodeListSelectField(_l("Province"), choices=province_choices, default="")
    industry = CodeListSelectField(_l("Former industry of a parcel"), choices=industry_choices, default="")
    min_area = _area()
    max_area = _area()
    has_penalty = CodeListSelectField(_l("Has public penalties"), choices=yes_no_choices, default="")
    banned = CodeListSelectField(_l("Currently banned from practice"), choices=yes_no_choices, default="")
    min_first_pass = IntegerField(_l("First-pass rate at least (%)"), widget=NumberInput(), validators=[
        Optional(), number_range(0, 100, _l("Enter a percentage from 0 to 100."))])
    sort = CodeListSelectField(_l("Sort by"), choices=sort_choices, default="relevance")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.min_area.label.text = _l("Parcel area from (m²)")
        self.max_area.label.text = _l("Parcel area to (m²)")
        self.industry.choices = industry_choices(self.industry.data)
        for select in (self.category, self.province, self.industry, self.has_penalty, self.banned, self.sort):
            select.pre_validate = _choice_validator(select)

    def validate_max_area(self, field):
        """The upper bound of the area range may not be below the lower bound (a lower bound already refused,
        NaN say, is not compared: comparing with NaN raises)."""
        if field.data is not None and self.min_area.data is not None and not self.min_area.errors \
                and field.data < self.min_area.data:
            raise ValidationError(_l("The upper bound is below the lower bound."))

    def filters_set(self) -> int:
        """How many filters (a sort other than relevance counts as one) the visitor set, valid or not: the folded
        filter panel says so, and opens when there is any."""
        return sum(1 for name in ("category", "province", "industry", "min_area", "max_area", "has_penalty", "banned",
                                  "min_first_pass", "sort")
                   if (raw := (self[name].raw_data or [""])[0]) and raw != self[name].default)

    def filters(self) -> UnitFilters:
        """The validated form as search filters (empty choices mean no filter)."""
        yes_no = {"true": True, "false": False}
        return UnitFilters(
            q=self.q.data or None, category=self.category.data or None, province=self.province.data or None,
            industry=self.industry.data or None, min_area=self.min_area.data, max_area=self.max_area.data,
            has_penalty=yes_no.get(self.has_penalty.data), banned=yes_no.get(self.banned.data),
            min_first_pass=self.min_first_pass.data, sort=self.sort.data or "relevance")


def _choice_validator(select):
    def pre_validate(form):
        if select.data not in select.values():
            raise ValidationError(_l("Choose one of the listed options."))
    return pre_validate


class SimilarForm(GetForm):
    industry = CodeListSelectField(_l("Former industry of your parcel"), choices=industry_choices, default="")
    category = CodeListSelectField(_l("Service you need"), choices=category_choices, default="")
    min_area = _area()
    max_area = _area()
    province = CodeListSelectField(_l("Province of your parcel"), choices=province_choices, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.min_area.label.text = _l("Area from (m²)")
        self.max_area.label.text = _l("Area to (m²)")
        self.industry.choices = industry_choices(self.industry.data)
        for select in (self.industry, self.category, self.province):
            select.pre_validate = _choice_validator(select)

    validate_max_area = SearchForm.validate_max_area

    def criteria_set(self) -> int:
        """How many criteria the visitor set, valid or not (the folded panel says so)."""
        return sum(1 for name in ("industry", "category", "min_area", "max_area", "province")
                   if (self[name].raw_data or [""])[0])


def chosen_for_comparison(values: list[str]) -> list[str]:
    """The firms a visitor has chosen to compare, carried from page to page (`compare=`): valid credit codes in
    canonical form, each once, at most MAX_COMPARED (anything else is dropped: the comparison page itself says
    what is wrong with a code)."""
    chosen = []
    for value in values[:2 * MAX_COMPARED]:
        try:
            code = validate_uscc(value)
        except RuleViolation:
            continue
        if is_id_number(code):  # never echo a full ID number, even one that passes as a credit code
            continue
        if code not in chosen:
            chosen.append(code)
    return chosen[:MAX_COMPARED]


def is_id_number(text: str) -> bool:
    """True when the text is a valid full ID number."""
    try:
        validate_id_number(text)
    except RuleViolation:
        return False
    return True


class CreditCodesField(Field):
    """A repeated query parameter of credit codes (`uscc=…&uscc=…`): canonical, in the order given, each once.
    A code that is not valid is named in the error, as is a choice of more than MAX_COMPARED firms."""

    def process_formdata(self, valuelist):
        self.raw_data = list(valuelist)
        self.data = list(valuelist)

    def pre_validate(self, form):
        codes = []
        for number, value in enumerate(self.raw_data or [], 1):
            try:
                code = validate_uscc(value)
            except RuleViolation as error:  # named by its place, never echoed: it may be someone's ID number
                raise StopValidation(_l("Credit code no. %(n)d is not a unified social credit code: %(reason)s",
                                        n=number, reason=error.message(current_locale()))) from None
            if code not in codes:
                codes.append(code)
        if len(codes) > MAX_COMPARED:
            raise StopValidation(_l("At most %(max)d firms can be compared at a time; %(n)d were chosen. Remove a "
                                    "firm to go on.", max=MAX_COMPARED, n=len(codes)))
        self.data = codes


class CompareForm(SimilarForm):
    """The comparison's query string: the firms (`uscc`, repeated) and, when the visitor came from a
    similar-parcel search, its criteria."""

    uscc = CreditCodesField(_l("Credit codes of the firms to compare"), default=list)

    def criteria(self) -> ParcelCriteria | None:
        """The similar-parcel criteria carried from the search, or None when there are none."""
        criteria = ParcelCriteria(self.industry.data or None, self.min_area.data, self.max_area.data,
                                  self.province.data or None, self.category.data or None)
        return criteria if criteria.given else None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="complaint-form-started")


def form_started_token(shown_at: float | None = None, nonce: str | None = None, retry: bool = False) -> str:
    """The form's signed, single-use token: when it was first shown (a bot that posts at once is refused), a
    random nonce naming this one form (posting it again files nothing new), and whether this is the form given
    back after a too-quick submit (whose second submit is not timed again)."""
    return _serializer().dumps({"shown_at": time.time() if shown_at is None else shown_at,
                                "nonce": nonce or secrets.token_urlsafe(16), "retry": retry})


class ComplaintForm(FlaskForm):
    description = TextAreaField(_l("What is false about this performance record?"), validators=[
        DataRequired(message=_l("This field is required.")),
        Length(min=20, max=5000, message=_l("Between %(min)d and %(max)d characters."))])
    name = StringField(_l("Your name (optional)"), validators=[
        Optional(), Length(max=100, message=_l("At most %(max)d characters."))])
    contact = StringField(_l("Phone or e-mail for questions (optional)"), validators=[
        Optional(), Length(max=200, message=_l("At most %(max)d characters."))])
    website = StringField(_l("Leave this field empty"))  # a honeypot: people never see it, bots fill it
    started = HiddenField()
    token: dict | None = None  # the started token's payload, once its signature is checked
    too_quick = False

    def validate_website(self, field):
        """The honeypot: people never see this field, so anything in it comes from a bot."""
        if field.data:
            raise ValidationError(_l("This submission looks automated and was not accepted."))

    def validate_started(self, field):
        """The signed start time: refuse a form sent back sooner than a person could fill it."""
        try:
            token = _serializer().loads(field.data or "", max_age=FORM_MAX_AGE_SECONDS)
        except SignatureExpired:
            raise ValidationError(_l("The form has expired. Please fill it in again.")) from None
        except BadSignature:
            raise ValidationError(_l("This submission looks automated and was not accepted.")) from None
        if not isinstance(token, dict) or not isinstance(token.get("nonce"), str):
            raise ValidationError(_l("This submission looks automated and was not accepted."))
        self.token = token
        quick = time.time() - float(token["shown_at"]) < current_app.config.get("COMPLAINT_MIN_FILL_SECONDS", 3)
        if quick and not token.get("retry"):
            # a person who pasted the text gets the form back, text kept; the second submit is not timed
            self.too_quick = True
            raise ValidationError(_l("The form was sent very quickly. Please check your report and send it again."))

    @property
    def form_token(self) -> str | None:
        """The nonce naming this one form: a second POST of it files nothing new."""
        return self.token["nonce"] if self.token else None

    def token_to_show_again(self) -> str:
        """The token of the form given back after an error: still the same form, so still single-use."""
        if self.token is None:
            return form_started_token()
        return form_started_token(self.token["shown_at"], self.token["nonce"],
                                  retry=bool(self.token.get("retry")) or self.too_quick)


class CreditReportForm(FlaskForm):
    """Issue a credit report (POST, CSRF): only the optional purpose line is typed; the service checks it."""

    purpose = StringField(_l("Purpose (optional), e.g. the tender or project the report is for"), validators=[
        Optional(), Length(max=100, message=_l("At most %(max)d characters."))])


class VerifyForm(GetForm):
    """Type a report number to verify it (GET: checking a report changes nothing)."""

    number = StringField(_l("Report number"), validators=[
        DataRequired(message=_l("This field is required.")), Length(max=80, message=_l("At most %(max)d characters."))])


# -- the public lists: bans, penalties, findings (GET filters) ----------------------------------------------

def severity_choices():
    """The severities of a decision, with an empty choice for any."""
    return [("", _l("Any severity"))] + [(code, label("severity", code)) for code in SEVERITIES]


def subject_kind_choices():
    """Firms or individuals, with an empty choice for both."""
    return [("", _l("Firms and individuals")), ("unit", _l("Firms")), ("person", _l("Individuals"))]


class ListForm(GetForm):
    """A list's filters: its select fields accept only their listed options."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for select in self:
            if isinstance(select, SelectField):
                select.pre_validate = _choice_validator(select)


class BanListForm(ListForm):
    province = CodeListSelectField(_l("Province of the deciding authority"), choices=province_choices, default="")
    kind = CodeListSelectField(_l("Banned party"), choices=subject_kind_choices, default="")

    def filters(self) -> BanFilters:
        """The validated form as list filters (empty choices mean no filter)."""
        return BanFilters(province=self.province.data or None, kind=self.kind.data or None)


class PenaltyListForm(ListForm):
    province = CodeListSelectField(_l("Province of the deciding authority"), choices=province_choices, default="")
    authority = RedactingField(_l("Deciding authority (part of its name)"), validators=[
        Optional(), Length(max=100, message=_l("At most %(max)d characters."))])
    since = DateField(_l("Decided on or after"), validators=[Optional()])
    until = DateField(_l("Decided on or before"), validators=[Optional()])
    severity = CodeListSelectField(_l("Severity"), choices=severity_choices, default="")
    banned = CodeListSelectField(_l("With a practice ban in force"), choices=yes_no_choices, default="")

    def validate_until(self, field):
        """The end of the date range may not come before its start."""
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date is before the start date."))

    def filters(self) -> PenaltyFilters:
        """The validated form as list filters (empty choices mean no filter)."""
        return PenaltyFilters(province=self.province.data or None, authority=(self.authority.data or "").strip() or None,
                              since=self.since.data, until=self.until.data, severity=self.severity.data or None,
                              banned={"true": True, "false": False}.get(self.banned.data))


class FindingListForm(ListForm):
    province = CodeListSelectField(_l("Province of the verifying authority"), choices=province_choices, default="")

    def filters(self) -> FindingFilters:
        """The validated form as list filters."""
        return FindingFilters(province=self.province.data or None)
