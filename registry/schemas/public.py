"""Marshmallow schemas of the public JSON API v1 (DESIGN §6): the query parameters it accepts (anything else
is a 400 naming the parameter) and the masked answers it gives, dumped straight from the view objects of the
public pages' queries (registry/queries/search.py, profiles.py, projects.py; a field named otherwise there says
where it reads from). The OpenAPI document is built from them."""
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from registry.queries.lists import SUBJECT_KINDS
from registry.queries.profiles import PROFILE_PER_PAGE
from registry.queries.search import MATCH_FIELDS, UNIT_SORTS
from registry.queries.staff import LATEST_PROJECTS_SHOWN, STAFF_PER_PAGE
from registry.reference import CATEGORIES, PROVINCES, REPORT_TYPES, ROLES, SEVERITIES, industries
from registry.rules.amounts import check_amount
from registry.rules.identifiers import validate_uscc
from registry.rules.errors import RuleViolation

MAX_PER_PAGE = 100
MAX_PAGE = 10000


def _industry(value: str) -> None:
    if value.upper() not in industries():
        raise ValidationError("not a GB/T 4754-2017 industry code (a section letter, or a letter and 2-4 digits)")


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("contains a NUL character")


def _uscc(value: str) -> None:
    try:
        validate_uscc(value)
    except RuleViolation as error:
        raise ValidationError(error.message_en) from None


def _amount(value) -> None:
    try:
        check_amount(value, "")
    except RuleViolation as error:
        raise ValidationError(error.message_en) from None


def _boolean():
    return fields.Boolean(truthy={"true", "1"}, falsy={"false", "0"},
                          metadata={"description": "`true` or `false`"})


class QueryArgs(Schema):
    """Query parameters: unknown ones are refused."""

    class Meta:
        unknown = RAISE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE),
                          metadata={"description": "page number, from 1"})
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1),
                              metadata={"description": f"items per page, 1 to {MAX_PER_PAGE} (larger values are "
                                                       f"capped at {MAX_PER_PAGE})"})


def _area(what: str):
    return fields.Decimal(validate=_amount, allow_nan=False,
                          metadata={"description": f"{what} parcel area in m² (0 or more, at most two decimals)"})


class ParcelArgs(QueryArgs):
    industry = fields.String(validate=_industry, metadata={"description": "GB/T 4754-2017 code prefix, e.g. `C26`"})
    min_area = _area("smallest")
    max_area = _area("largest")

    @validates_schema
    def area_range(self, data, **kwargs):
        if data.get("min_area") is not None and data.get("max_area") is not None \
                and data["max_area"] < data["min_area"]:
            raise ValidationError("max_area is below min_area", "max_area")


class UnitsArgs(ParcelArgs):
    q = fields.String(validate=[validate.Length(min=1, max=100), _no_nul],
                      metadata={"description": "name, credit code, public address, or a public project's name, "
                                               "parcel or owner"})
    category = fields.String(validate=validate.OneOf(list(CATEGORIES)))
    province = fields.String(validate=validate.OneOf(list(PROVINCES)),
                             metadata={"description": "two-digit province code (GB/T 2260)"})
    has_penalty = _boolean()
    banned = _boolean()
    sort = fields.String(load_default="relevance", validate=validate.OneOf(UNIT_SORTS), metadata={
        "description": "`relevance` (the default): with `q`, the search's ranking; with `industry`, `min_area` or "
                       "`max_area` and no `q`, the firms with the most matching public projects first; otherwise "
                       "the most public projects first. `first_pass` and `on_time`: the highest rate first; "
                       "`projects`: the most public projects first; `name`"})


class PersonsArgs(QueryArgs):
    q = fields.String(validate=[validate.Length(min=1, max=100), _no_nul],
                      metadata={"description": "a name (a full ID number finds nothing)"})
    unit = fields.String(validate=_uscc, metadata={"description": "the credit code of the person's current firm"})


class ProjectsArgs(ParcelArgs):
    q = fields.String(validate=[validate.Length(min=1, max=100), _no_nul],
                      metadata={"description": "the project's name, parcel or owner, or its reference"})
    province = fields.String(validate=validate.OneOf(list(PROVINCES)),
                             metadata={"description": "two-digit province code of the parcel"})
    category = fields.String(validate=validate.OneOf(list(CATEGORIES)))


def _authority_province():
    return fields.String(validate=validate.OneOf(list(PROVINCES)),
                         metadata={"description": "two-digit province code (GB/T 2260) of the deciding authority"})


class PenaltiesArgs(QueryArgs):
    province = _authority_province()
    authority = fields.String(validate=[validate.Length(min=1, max=100), _no_nul],
                              metadata={"description": "a part of the deciding authority's name, matched literally"})
    since = fields.Date(metadata={"description": "decided on or after this date (YYYY-MM-DD)"})
    until = fields.Date(metadata={"description": "decided on or before this date (YYYY-MM-DD)"})
    severity = fields.String(validate=validate.OneOf(list(SEVERITIES)), metadata={
        "description": "the decision's severity: as the authority stated it, raised to `serious` where the decision "
                       "includes a practice ban (Soil Law art. 90 bans only where a case is serious)"})
    banned = _boolean()

    @validates_schema
    def date_range(self, data, **kwargs):
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise ValidationError("until is before since", "until")


class BansArgs(QueryArgs):
    province = _authority_province()
    kind = fields.String(validate=validate.OneOf(list(SUBJECT_KINDS)),
                         metadata={"description": "`unit` (firms) or `person` (individuals)"})


def _page_number(what: str, per_page: int = PROFILE_PER_PAGE):
    return fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE),
                          metadata={"description": f"page of the {what}, from 1 ({per_page} a page)"})


class UnitProfileArgs(Schema):
    """Query parameters of one firm: a page of its projects and a page of its review outcomes."""

    class Meta:
        unknown = RAISE

    projects_page = _page_number("firm's public projects")
    reviews_page = _page_number("firm's public review outcomes")
    staff_page = _page_number("firm's responsible persons", STAFF_PER_PAGE)


class PersonProfileArgs(Schema):
    """Query parameters of one person: a page of their projects by role."""

    class Meta:
        unknown = RAISE

    roles_page = _page_number("person's roles on public projects")


# -- answers ---------------------------------------------------------------------------------------

class FirstPassSchema(Schema):
    passed = fields.Integer(required=True, attribute="part")
    total = fields.Integer(required=True)
    rate = fields.Float(required=True, allow_none=True, metadata={"description": "null when total is 0"})


class OnTimeSchema(Schema):
    on_time = fields.Integer(required=True, attribute="part")
    total = fields.Integer(required=True)
    rate = fields.Float(required=True, allow_none=True, metadata={"description": "null when total is 0"})


class BanSchema(Schema):
    active = fields.Boolean(required=True, metadata={"description": "a practice ban is active today"})
    until = fields.Date(required=True, allow_none=True)
    lifetime = fields.Boolean(required=True)


class PeriodSchema(Schema):
    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to")


class FirmRefSchema(Schema):
    uscc = fields.String(required=True)
    name = fields.String(required=True)


class UnitItemSchema(Schema):
    uscc = fields.String(required=True)
    name = fields.String(required=True)
    basic_information_public = fields.Boolean(required=True, attribute="basic_public")
    registration_confirmed = fields.Boolean(required=True, metadata={
        "description": "false while the firm's self-registration awaits its regulator's check against the business "
                       "licence (单位自主填报，尚未核验)"})
    division_code = fields.String(required=True, allow_none=True)
    province = fields.String(required=True, allow_none=True)
    categories = fields.List(fields.String(validate=validate.OneOf(list(CATEGORIES))), required=True)
    first_pass = fields.Nested(FirstPassSchema, required=True)
    on_time = fields.Nested(OnTimeSchema, required=True)
    project_count = fields.Integer(required=True)
    has_penalty = fields.Boolean(required=True)
    ban = fields.Nested(BanSchema, required=True)


class MatchSchema(Schema):
    field = fields.String(required=True, validate=validate.OneOf(MATCH_FIELDS), metadata={
        "description": "the public field the text query occurs in: the firm's name, a former name, its credit code, "
                       "its address (when its basic information is public), or a public project's reference, name, "
                       "parcel or owner"})
    text = fields.String(required=True, metadata={"description": "that field's text"})
    marked = fields.List(fields.List(fields.Integer()), required=True, metadata={
        "description": "where the query occurs in `text`: [start, end) character offsets"})
    project_ref = fields.String(required=True, allow_none=True, metadata={
        "description": "the public project the field belongs to"})


class UnitHitSchema(UnitItemSchema):
    verified_false_performance_count = fields.Integer(required=True, attribute="finding_count", metadata={
        "description": "substantiated findings of false performance on the firm's public projects"})
    matched = fields.List(fields.Nested(MatchSchema), required=True, metadata={
        "description": "with a text query (`q`), where it occurs: the name first when it holds the query, then as "
                       "few other fields as hold every part of it; hits found in their names rank before those "
                       "found only in their projects' text. Empty without `q`"})


class ProjectSchema(Schema):
    ref = fields.String(required=True)
    name = fields.String(required=True)
    category = fields.String(required=True)
    parcel_name = fields.String(required=True, allow_none=True)
    division_code = fields.String(required=True)
    area_m2 = fields.Float(required=True)
    owner = fields.String(required=True, allow_none=True)
    former_industry = fields.String(required=True, allow_none=True)
    started_on = fields.Date(required=True, allow_none=True)
    contract_deadline = fields.Date(required=True, allow_none=True)
    completed_on = fields.Date(required=True, allow_none=True)
    days_late = fields.Integer(required=True, allow_none=True,
                               metadata={"description": "days after the contract deadline (negative: early)"})
    verified_false_performance = fields.Boolean(
        required=True, attribute="flagged",
        metadata={"description": "a complaint of false performance about it was substantiated"})


class ProjectItemSchema(ProjectSchema):
    unit = fields.Nested(FirmRefSchema, required=True)


class StatementSchema(Schema):
    text = fields.String(required=True, metadata={"description": "at most 500 characters, as the subject wrote it"})
    written_at = fields.DateTime(required=True, metadata={"description": "when this version was written"})


def _statement() -> fields.Field:
    """A record's statement by its subject (reviews, penalties, findings carry one)."""
    return fields.Nested(StatementSchema, required=True, allow_none=True, dump_default=None, metadata={
        "description": "the subject's own statement on this record (当事人说明), not checked by the authority; "
                       "null when there is none"})


def _corrected_at() -> fields.Field:
    """When a record was last corrected on its subject's request."""
    return fields.DateTime(required=True, allow_none=True, dump_default=None, metadata={
        "description": "when the competent authority last corrected this record at its subject's request; null "
                       "when never"})


class ReviewSchema(Schema):
    project_ref = fields.String(required=True, allow_none=True,
                                metadata={"description": "null when the project itself is not public"})
    report_type = fields.String(required=True, validate=validate.OneOf(list(REPORT_TYPES)))
    round = fields.Integer(required=True)
    reviewed_on = fields.Date(required=True)
    passed = fields.Boolean(required=True)
    authority = fields.String(required=True, allow_none=True)
    statement = _statement()
    corrected_at = _corrected_at()


def _as_decided(field_class, name: str, description: str | None = None) -> fields.Field:
    """A field of the whole penalty decision (`PenaltyRow.penalty`), null when only the decision's ban is shown."""
    return field_class(required=True, allow_none=True, attribute=f"penalty.{name}", dump_default=None,
                       metadata={"description": description} if description else {})


class PenaltySchema(Schema):
    decision_number = fields.String(required=True)
    ban_only = fields.Boolean(required=True, metadata={
        "description": "true when the penalty's publicity has ended but its ban is still active: only the "
                       "decision number and the ban are shown"})
    authority = fields.String(required=True, allow_none=True)
    decided_on = fields.Date(required=True, allow_none=True)
    publicity_ends_on = fields.Date(required=True, allow_none=True)
    kinds = fields.List(fields.String(), required=True)
    severity = fields.String(required=True, allow_none=True)
    fine_yuan = fields.Float(required=True, allow_none=True)
    violation = fields.String(required=True, allow_none=True)
    basis = fields.String(required=True, allow_none=True)
    ban = fields.Nested(BanSchema, required=True, allow_none=True)
    # the rest of the national double-publicity template, as decided: read from the whole decision (null when only
    # its ban is shown)
    party_name = _as_decided(fields.String, "party_name", "the party's name as decided")
    legal_representative = _as_decided(fields.String, "legal_representative", "the firm's legal representative as decided")
    id_type = _as_decided(fields.String, "id_type",
                          "a person's ID type: `resident_id_card` (the number is never public)")
    violation_type = _as_decided(fields.String, "violation_type")
    content = _as_decided(fields.String, "content", "the content of the penalty")
    confiscated_yuan = _as_decided(fields.Float, "confiscated_yuan")
    licence_action = _as_decided(fields.String, "licence_action", "licence suspended or revoked")
    authority_uscc = _as_decided(fields.String, "authority_uscc", "the deciding authority's unified social credit code")
    data_source = _as_decided(fields.String, "data_source")
    statement = _statement()
    corrected_at = _corrected_at()


class FindingSchema(Schema):
    ref = fields.String(required=True)
    project_ref = fields.String(required=True, allow_none=True)
    received_on = fields.Date(required=True)
    verified_on = fields.Date(required=True, allow_none=True)
    finding = fields.String(required=True, allow_none=True)
    authority = fields.String(required=True, allow_none=True)
    statement = _statement()
    corrected_at = _corrected_at()


class YearCountSchema(Schema):
    year = fields.Integer(required=True)
    passed = fields.Integer(required=True)
    not_passed = fields.Integer(required=True, attribute="failed")


class ProjectRefSchema(Schema):
    ref = fields.String(required=True)
    name = fields.String(required=True)
    completed_on = fields.Date(required=True, allow_none=True)
    verified_false_performance = fields.Boolean(required=True, attribute="flagged")


class StaffRoleSchema(Schema):
    role = fields.String(required=True, validate=validate.OneOf(list(ROLES)))
    project_count = fields.Integer(required=True, metadata={
        "description": "the firm's public projects on which the person held this role"})
    latest_projects = fields.List(fields.Nested(ProjectRefSchema), required=True, attribute="latest", metadata={
        "description": f"the latest {LATEST_PROJECTS_SHOWN} of them, latest completion first (those in progress "
                       "before them); the person's answer lists them all"})


class StaffSchema(Schema):
    public_id = fields.String(required=True)
    name = fields.String(required=True)
    id_number_masked = fields.String(required=True, metadata={"description": "first six and last four characters"})
    title = fields.String(required=True, allow_none=True)
    current = fields.Boolean(required=True, metadata={"description": "employed by the firm today"})
    since = fields.Date(required=True, allow_none=True, data_key="from",
                        metadata={"description": "the first day with the firm (null: never employed by it)"})
    until = fields.Date(required=True, allow_none=True, data_key="to",
                        metadata={"description": "the last day with the firm (null while current)"})
    project_count = fields.Integer(required=True, metadata={
        "description": "the firm's public projects on which the person held a role"})
    roles = fields.List(fields.Nested(StaffRoleSchema), required=True)


class UnitDetailSchema(UnitItemSchema):
    registered = fields.Boolean(required=True, metadata={
        "description": "false for a party a penalty decision brought into the registry (Soil Law art. 90 reaches it "
                       "whether or not it registered): public only through that penalty, until it registers"})
    legal_representative = fields.String(required=True, allow_none=True)
    address = fields.String(required=True, allow_none=True)
    established_on = fields.Date(required=True, allow_none=True)
    ceased_on = fields.Date(required=True, allow_none=True, metadata={
        "description": "the day the firm declared it ceased business (注销); its records stay"})
    first_pass_period = fields.Nested(PeriodSchema, required=True, allow_none=True)
    on_time_period = fields.Nested(PeriodSchema, required=True, allow_none=True)
    projects = fields.List(fields.Nested(ProjectSchema), required=True, attribute="projects.items", metadata={
        "description": f"a page of the firm's public projects ({PROFILE_PER_PAGE} a page, `projects_page`), latest "
                       "completion first, those in progress before them"})
    projects_total = fields.Integer(required=True, attribute="projects.total",
                                    metadata={"description": "the firm's public projects in all"})
    projects_page = fields.Integer(required=True, attribute="projects.page")
    reviews = fields.List(fields.Nested(ReviewSchema), required=True, attribute="reviews.items", metadata={
        "description": f"a page of the firm's public review outcomes ({PROFILE_PER_PAGE} a page, `reviews_page`), "
                       "newest first"})
    reviews_total = fields.Integer(required=True, attribute="reviews.total",
                                   metadata={"description": "the firm's public review outcomes in all (every round)"})
    reviews_page = fields.Integer(required=True, attribute="reviews.page")
    per_page = fields.Integer(required=True, attribute="projects.per_page",
                              metadata={"description": "projects, and review outcomes, a page"})
    reviews_by_year = fields.List(fields.Nested(YearCountSchema), required=True, metadata={
        "description": "the public review outcomes (every round) passed and not passed, per year of review"})
    penalties = fields.List(fields.Nested(PenaltySchema), required=True)
    verified_false_performance = fields.List(fields.Nested(FindingSchema), required=True, attribute="findings")
    staff = fields.List(fields.Nested(StaffSchema), required=True, attribute="staff.items", metadata={
        "description": f"a page of the firm's responsible persons whose basic information is public, current and "
                       f"former ({STAFF_PER_PAGE} a page, `staff_page`): current staff first, then by the number of "
                       "the firm's public projects"})
    staff_total = fields.Integer(required=True, attribute="staff.total")
    staff_page = fields.Integer(required=True, attribute="staff.page")


class PersonItemSchema(Schema):
    public_id = fields.String(required=True)
    name = fields.String(required=True)
    id_number_masked = fields.String(required=True, metadata={"description": "first six and last four characters"})
    unit = fields.Nested(FirmRefSchema, required=True, allow_none=True, attribute="firm")
    ban = fields.Nested(BanSchema, required=True)


class RoleSchema(Schema):
    project_ref = fields.String(required=True, attribute="project.ref")
    project_name = fields.String(required=True, attribute="project.name")
    unit = fields.Nested(FirmRefSchema, required=True)
    role = fields.String(required=True, validate=validate.OneOf(list(ROLES)))
    completed_on = fields.Date(required=True, allow_none=True, attribute="project.completed_on")
    verified_false_performance = fields.Boolean(required=True, attribute="project.flagged")


class EmploymentSchema(Schema):
    unit = fields.Nested(FirmRefSchema, required=True, allow_none=True, attribute="firm",
                         metadata={"description": "null when that firm is not public"})
    title = fields.String(required=True, allow_none=True)
    started_on = fields.Date(required=True, data_key="from")
    ended_on = fields.Date(required=True, allow_none=True, data_key="to", metadata={"description": "null: current"})


class RoleCountSchema(Schema):
    role = fields.String(required=True, validate=validate.OneOf(list(ROLES)))
    project_count = fields.Integer(required=True, attribute="count")


class PersonDetailSchema(PersonItemSchema):
    registered = fields.Boolean(required=True, metadata={
        "description": "false for a party a penalty decision brought into the registry (Soil Law art. 90 reaches it "
                       "whether or not it registered): public only through that penalty, until it registers"})
    title = fields.String(required=True, allow_none=True)
    first_pass = fields.Nested(FirstPassSchema, required=True)
    employments = fields.List(fields.Nested(EmploymentSchema), required=True, metadata={
        "description": "the person's employers, latest first, from and to"})
    roles = fields.List(fields.Nested(RoleSchema), required=True, attribute="roles.items", metadata={
        "description": f"a page of the person's roles on public projects ({PROFILE_PER_PAGE} a page, `roles_page`), "
                       "by role, then latest completion first"})
    roles_total = fields.Integer(required=True, attribute="roles.total")
    roles_page = fields.Integer(required=True, attribute="roles.page")
    roles_by_role = fields.List(fields.Nested(RoleCountSchema), required=True, attribute="role_counts")
    penalties = fields.List(fields.Nested(PenaltySchema), required=True)


class PersonRefSchema(Schema):
    public_id = fields.String(required=True)
    name = fields.String(required=True)
    id_number_masked = fields.String(required=True, metadata={"description": "first six and last four characters"})


class SubjectFieldsSchema(Schema):
    """Whom a decision is about: a firm (`unit`) or a person (`person`), the other null."""

    subject_kind = fields.String(required=True, attribute="subject.kind", validate=validate.OneOf(list(SUBJECT_KINDS)))
    unit = fields.Nested(FirmRefSchema, required=True, allow_none=True, attribute="subject.unit")
    person = fields.Nested(PersonRefSchema, required=True, allow_none=True, attribute="subject.person")


class PenaltyItemSchema(SubjectFieldsSchema, PenaltySchema):
    """A penalty public today (`ListedPenalty`); its `severity` is the decision's (see the `severity` parameter)."""


class BanItemSchema(SubjectFieldsSchema):
    """A practice ban active today (`ListedBan`): the ban, its end and the decision number, nothing else of the
    penalty (whose own publicity may have ended)."""

    decision_number = fields.String(required=True)
    until = fields.Date(required=True, allow_none=True)
    lifetime = fields.Boolean(required=True)
    categories = fields.List(fields.String(validate=validate.OneOf(list(CATEGORIES))), required=True, allow_none=True,
                             metadata={"description": "a firm's banned business; null: all of the firm's business "
                                                      "(and for a person)"})


def page_schema(name: str, item: type[Schema]) -> type[Schema]:
    """The list envelope: `{"items": [...], "total": N, "total_relation": "eq"|"gte", "page": P, "per_page": K}`."""
    return type(name, (Schema,), {
        "items": fields.List(fields.Nested(item), required=True),
        "total": fields.Integer(required=True, metadata={
            "description": "how many items the list holds: exact when `total_relation` is `eq`, otherwise a lower "
                           "bound"}),
        "total_relation": fields.String(required=True, validate=validate.OneOf(["eq", "gte"]), metadata={
            "description": "`eq`: `total` is exact; `gte`: counting stopped early (a text query after the matches "
                           "this page needs and one more, the project list after the projects it counts), so "
                           "`total` is a lower bound and there is a next page"}),
        "page": fields.Integer(required=True),
        "per_page": fields.Integer(required=True),
    })


UnitPageSchema = page_schema("UnitPageSchema", UnitHitSchema)
PersonPageSchema = page_schema("PersonPageSchema", PersonItemSchema)
ProjectPageSchema = page_schema("ProjectPageSchema", ProjectItemSchema)
PenaltyPageSchema = page_schema("PenaltyPageSchema", PenaltyItemSchema)
BanPageSchema = page_schema("BanPageSchema", BanItemSchema)


class ErrorBodySchema(Schema):
    status = fields.Integer(required=True)
    message = fields.String(required=True)
    parameter = fields.String(metadata={"description": "the query parameter at fault (400)"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)
