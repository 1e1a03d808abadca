"""The public profiles: a firm's page (`/units/<uscc>`) and a person's (`/persons/<public_id>`), and their
answers in the API. Public records only, masked; a firm's projects are read a page at a time."""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import (Date, Integer, Select, String, Text, and_, bindparam, case, cast, exists, extract, func, or_,
                        select)

from registry.clock import today
from registry.extensions import db
from registry.figures import COLUMNS, ZERO, first_round, kept_on_time_holds, on_time_counts
from registry.models import Penalty, Person, Project, ProjectRole, Review, Unit, UnitFigures, UnitReviewYear
from registry.models.project import ongoing_first
from registry.queries.paging import Page, offset
from registry.queries.projects import (
    FindingRow, ProjectRow, ReviewRow, finding_rows, findings_select, project_row_columns,
)
from registry.queries.rates import person_first_pass
from registry.queries.sql import joined_text, read
from registry.queries.staff import EmploymentRow, employment_history, firm_staff, role_order
from registry.queries.summaries import (Ban, FirmRef, UnitSummary, category_list, current_firms, joined_categories,
                                       strongest_ban)
from registry.queries.voice import SubjectStatement, voice_of_firm, with_voice
from registry.rules.rates import Rate
from registry.visibility import (
    ban_public, penalty_public, person_basic_is_public, person_listed, project_public, publicity_rules, review_public,
    unit_basic_is_public, unit_listed,
)


PROFILE_PER_PAGE = 50  # projects, and review outcomes, a profile lists a page


class Period(NamedTuple):
    """The first and last day a rate counts."""

    start: date
    end: date


def _record_field(record: str, name: str, basic: bool = False) -> property:
    """A profile's view of `record.name`; with `basic`, None unless the profile's basic information is public."""
    return property(lambda self: None if basic and not self.basic_public else getattr(getattr(self, record), name))


@dataclass
class PenaltyRow:
    """A penalty as the public sees it; `ban_only` when only its ban is still shown (DESIGN §3)."""

    decision_number: str
    authority: str | None
    decided_on: date | None
    publicity_ends_on: date | None
    kinds: list[str]
    severity: str | None
    fine_yuan: Decimal | None
    violation: str | None
    basis: str | None
    ban_until: date | None
    ban_lifetime: bool
    ban_active: bool
    ban_only: bool
    penalty: Penalty | None = None  # the whole decision when fully public: every double-publicity field
    record_id: int | None = None  # the penalty's id, for the subject's voice
    statement: SubjectStatement | None = None  # the subject's statement on it (`voice.with_voice`)
    corrected_at: datetime | None = None  # when it was last corrected on the subject's request

    @property
    def ban(self) -> Ban | None:
        """The practice ban the decision imposed (active today or not), or None."""
        return Ban(self.ban_active, self.ban_until, self.ban_lifetime) if self.ban_until or self.ban_lifetime else None


@dataclass
class YearBar:
    """A year's public review outcomes: passed and not passed."""

    year: int
    passed: int
    failed: int


@dataclass
class UnitProfile:
    unit: Unit
    basic_public: bool
    categories: list[str]
    first_pass: Rate
    first_pass_period: Period | None
    on_time: Rate
    on_time_period: Period | None
    ban: Ban
    projects: Page  # of ProjectRow
    reviews: Page  # of ReviewRow, newest first
    reviews_by_year: list[YearBar]
    penalties: list[PenaltyRow]
    findings: list[FindingRow]
    staff: Page  # of staff.StaffMember: responsible persons, current and former, with their roles

    # the firm as the API answers it (names as in UnitSummary), its basic information only when public
    uscc = _record_field("unit", "uscc")
    name = _record_field("unit", "name")
    registered = _record_field("unit", "registered")
    ceased_on = _record_field("unit", "ceased_on")
    division_code = _record_field("unit", "division_code", basic=True)
    legal_representative = _record_field("unit", "legal_representative", basic=True)
    address = _record_field("unit", "address", basic=True)
    established_on = _record_field("unit", "established_on", basic=True)
    province = UnitSummary.province

    @property
    def registration_confirmed(self) -> bool:
        """False while the firm's self-registration awaits its regulator's check."""
        return self.unit.registration_confirmed_at is not None

    @property
    def project_count(self) -> int:
        """How many public projects the firm has."""
        return self.projects.total

    @property
    def has_penalty(self) -> bool:
        """True when the firm has a public penalty (not only a ban whose publicity has ended)."""
        return any(not row.ban_only for row in self.penalties)


def _penalties_of(column, rules):
    """A subject's penalties shown in public (`subject_id`, on `day`): in full while public, or only for an
    active ban."""
    return (select(Penalty, penalty_public(DAY, rules).label("public"), ban_public(DAY).label("banned"))
            .where(column == SUBJECT_ID, or_(penalty_public(DAY, rules), ban_public(DAY)))
            .order_by(Penalty.decided_on.desc(), Penalty.id.desc()))


def _penalty_rows(result) -> list[PenaltyRow]:
    """Public penalties in full, and penalties shown only for their active ban (decision number, ban, end)."""
    rows = []
    for penalty, public, banned in result:
        public, banned = bool(public), bool(banned)
        if public:
            rows.append(PenaltyRow(penalty.decision_number, penalty.authority, penalty.decided_on,
                                   penalty.publicity_ends_on, list(penalty.kinds or []), penalty.severity,
                                   penalty.fine_yuan, penalty.violation, penalty.basis, penalty.ban_until,
                                   penalty.ban_lifetime, banned, False, penalty, penalty.id))
        else:
            rows.append(PenaltyRow(penalty.decision_number, None, None, None, [], None, None, None, None,
                                   penalty.ban_until, penalty.ban_lifetime, True, True, record_id=penalty.id))
    return rows


def _active_ban(rows: list[PenaltyRow]) -> Ban:
    """The ban a profile's banner shows, from the penalties it lists (`strongest_ban`, oldest decision first)."""
    return strongest_ban((row.ban_until, row.ban_lifetime, row.decision_number)
                         for row in reversed(rows) if row.ban_active)


def _period(low, high) -> Period | None:
    return Period(low, high) if low is not None else None


# The statements of a firm's profile, built once per publicity rule table with the firm, the day and the
# page as bound parameters: building SQLAlchemy expressions (the visibility clauses nest ~70 comparisons) cost
# more per request than running the statements.
UNIT_USCC, SUBJECT_ID, DAY = bindparam("uscc", type_=String), bindparam("subject_id", type_=Integer), \
    bindparam("day", type_=Date)
LIMIT, OFFSET = bindparam("limit", type_=Integer), bindparam("offset", type_=Integer)


@dataclass(frozen=True)
class UnitStatements:
    unit: Select
    on_time: Select
    projects: Select
    reviews_by_year: Select
    reviews: Select
    penalties: Select
    findings: Select


_unit_statements: dict[str, UnitStatements] = {}


def unit_statements() -> UnitStatements:
    """The profile's statements for the publicity rules in force (built on first use)."""
    rules = publicity_rules()
    key = repr(rules)
    if key not in _unit_statements:
        _unit_statements[key] = _build_unit_statements(rules)
    return _unit_statements[key]


def _build_unit_statements(rules) -> UnitStatements:
    of_firm = Project.unit_id == SUBJECT_ID
    year = extract("year", Review.reviewed_on)
    public_reviews = (select().join(Project, Project.id == Review.project_id).join(Unit, Unit.id == Project.unit_id)
                      .where(of_firm, review_public()))
    public_projects = select().join(Unit, Unit.id == Project.unit_id).where(of_firm, project_public())
    # A page is chosen by id first, and only its 50 rows are read whole: sorting 2,000 whole rows (and testing
    # each project for a finding) before the LIMIT took most of a large firm's statements' time.
    project_order = (ongoing_first().desc(), Project.id.desc())  # along ix_project_firm_ongoing_first
    project_page = public_projects.add_columns(Project.id).order_by(*project_order).limit(LIMIT).offset(OFFSET) \
        .subquery()
    review_order = (Review.reviewed_on.desc(), Review.id.desc())
    # the firm's outcomes walked newest first along ix_review_firm_newest, each tested, until the page is full
    review_page = (select(Review.id).join(Project, Project.id == Review.project_id)
                   .join(Unit, Unit.id == Review.unit_id).where(Review.unit_id == SUBJECT_ID, review_public())
                   .order_by(*review_order).limit(LIMIT).offset(OFFSET).subquery())
    return UnitStatements(
        # the firm, with its figures as kept (registry/figures.py), its categories and its outcomes by year each
        # joined in one text, and whether it has any penalty and ever spoke to a record (most firms have neither,
        # and their penalties and statements are then not read): its counts, rates and their periods are not
        # counted again here, and each statement saved is a round trip on PostgreSQL
        unit=select(Unit, UnitFigures, joined_categories(Unit.id), joined_review_years(Unit.id),
                    exists().where(Penalty.unit_id == Unit.id), voice_of_firm(Unit.id))
        .outerjoin(UnitFigures, UnitFigures.unit_id == Unit.id).where(Unit.uscc == UNIT_USCC, unit_listed(DAY, rules)),
        # the rate with the first and last day it counts, in the statement that counts it
        on_time=on_time_counts(DAY).add_columns(func.min(Project.completed_on), func.max(Project.completed_on))
        .where(of_firm),
        projects=select(*project_row_columns()).join(project_page, project_page.c.id == Project.id)
        .order_by(*project_order),
        # each year's outcomes, and its first rounds (passed, in all, first and last day) for the first-pass rate:
        # one walk over a large firm's reviews instead of two
        reviews_by_year=public_reviews.add_columns(
            year, func.sum(case((Review.passed, 1), else_=0)), func.count(),
            func.sum(case((and_(first_round(), Review.passed), 1), else_=0)), func.sum(case((first_round(), 1), else_=0)),
            func.min(case((first_round(), Review.reviewed_on))), func.max(case((first_round(), Review.reviewed_on))))
        .group_by(year).order_by(year),
        # plain columns, not Review objects: building ORM objects for a large firm's outcomes was most of its
        # profile's time (bench/RESULTS.md)
        reviews=select(Review.report_type, Review.round, Review.reviewed_on, Review.passed, Review.authority,
                       Project.ref, Project.name, project_public().label("project_public"), Review.id)
        .join(review_page, review_page.c.id == Review.id)
        .join(Project, Project.id == Review.project_id).join(Unit, Unit.id == Project.unit_id)
        .order_by(*review_order),
        penalties=_penalties_of(Penalty.unit_id, rules),
        findings=findings_select(of_firm),
    )


def unit_profile(uscc: str, projects_page: int = 1, reviews_page: int = 1, staff_page: int = 1) -> UnitProfile | None:
    """A firm's public profile, or None when it is not listed. Its projects and review outcomes are read a
    page of `PROFILE_PER_PAGE` at a time, its key staff a page at a time, and its counts, rates and outcomes by
    year as kept (registry/figures.py), so a firm with 2,000 projects costs the same statements, and about the
    same time, as a firm with two."""
    day, sql = today(), unit_statements()
    found = db.session.execute(sql.unit, {"uscc": uscc, "day": day}).first()
    if found is None:
        return None
    unit, kept, categories, years, penalized, spoke = found
    kept = kept or UnitFigures(**{column: ZERO[column] for column in COLUMNS})  # no write has counted it yet
    firm = {"subject_id": unit.id, "day": day}
    basic = unit_basic_is_public(unit)
    categories = category_list(categories) if basic else []
    if kept_on_time_holds(kept.latest_finding_on, day):
        on_time, on_time_period = Rate(kept.on_time, kept.on_time_total), _period(kept.on_time_from, kept.on_time_to)
    else:  # shown on a day before the firm's latest finding: counted for that day (registry/figures.py)
        _, ot_part, ot_total, ot_low, ot_high = _only_row(sql.on_time, firm, 5)
        on_time, on_time_period = Rate(int(ot_part or 0), int(ot_total or 0)), _period(ot_low, ot_high)
    by_year = year_bars(years)
    penalties = _penalty_rows(db.session.execute(sql.penalties, firm)) if penalized else []  # Penalty objects
    # what the kept figures say the firm has none of is not read (most firms have no finding: a statement fewer)
    reviews = [ReviewRow(ref if shown else None, name if shown else None, report_type, round_number, reviewed_on,
                         passed, authority, review_id)
               for report_type, round_number, reviewed_on, passed, authority, ref, name, shown, review_id
               in read(sql.reviews, _page(firm, reviews_page))] if by_year else []
    findings = finding_rows(db.session.execute(sql.findings, firm)) if kept.findings else []  # Complaint objects
    if spoke:
        with_voice(("review", reviews), ("penalty", penalties), ("finding", findings))
    return UnitProfile(
        unit=unit, basic_public=basic, categories=categories,
        first_pass=Rate(kept.first_pass_passed, kept.first_pass_total),
        first_pass_period=_period(kept.first_pass_from, kept.first_pass_to),
        on_time=on_time, on_time_period=on_time_period,
        ban=_active_ban(penalties),
        projects=Page([ProjectRow.from_columns(row)
                       for row in read(sql.projects, _page(firm, projects_page))] if kept.projects else [],
                      kept.projects, projects_page, PROFILE_PER_PAGE),
        reviews=Page(reviews,
                     sum(bar.passed + bar.failed for bar in by_year), reviews_page, PROFILE_PER_PAGE),
        reviews_by_year=by_year, penalties=penalties, findings=findings,
        staff=firm_staff(unit.id, staff_page))


def review_years(firm: dict) -> tuple[list[YearBar], Rate, Period | None]:
    """A firm's public review outcomes by year, and its first-pass rate with the first and last day it counts,
    counted from its records in one statement (`firm`: the profile statements' parameters), as its credit report
    states them; its profile reads the same as kept."""
    years = read(unit_statements().reviews_by_year, firm).all()
    bars = [YearBar(int(year), int(passed), int(count) - int(passed)) for year, passed, count, *_ in years]
    days = [day for row in years for day in row[5:] if day is not None]
    return (bars, Rate(sum(int(row[3]) for row in years), sum(int(row[4]) for row in years)),
            _period(min(days, default=None), max(days, default=None)))


def joined_review_years(unit_id_column):
    """A SQL expression: the firm's public review outcomes by year as kept (registry/figures.py), joined in one
    text `year:passed:in all,...`, read with the firm itself (a statement fewer; `year_bars` splits it)."""
    part = (cast(UnitReviewYear.year, Text) + ":" + cast(UnitReviewYear.passed, Text) + ":"
            + cast(UnitReviewYear.total, Text))
    return (select(joined_text(part)).where(UnitReviewYear.unit_id == unit_id_column)
            .scalar_subquery())


def year_bars(joined: str | None) -> list[YearBar]:
    """A firm's outcomes by year, oldest first, from the text `joined_review_years` reads."""
    bars = []
    for part in joined.split(",") if joined else ():
        year, passed, total = map(int, part.split(":"))
        bars.append(YearBar(year, passed, total - passed))
    return sorted(bars, key=lambda bar: bar.year)


def _page(params: dict, page: int) -> dict:
    return {**params, "limit": PROFILE_PER_PAGE, "offset": offset(page, PROFILE_PER_PAGE)}


def _only_row(statement, params: dict, width: int) -> tuple:
    """The row of one firm's aggregate, or Nones when the firm has nothing counted."""
    row = read(statement, params).first()
    return tuple(row) if row is not None else (None,) * width


@dataclass
class RoleRow:
    project: ProjectRow
    role: str
    unit_uscc: str
    unit_name: str

    @property
    def unit(self) -> FirmRef:
        """The firm the role was held for."""
        return FirmRef(self.unit_uscc, self.unit_name)


@dataclass
class RoleCount:
    """How many public projects a person held a role on."""

    role: str
    count: int


@dataclass
class PersonProfile:
    person: Person
    basic_public: bool
    firm: FirmRef | None  # the current firm
    firm_listed: bool
    first_pass: Rate
    roles: Page  # of RoleRow: projects by role (the code list's order), latest completion first
    role_counts: list[RoleCount]
    employments: list[EmploymentRow]  # employers, latest first, from and to
    penalties: list[PenaltyRow]
    ban: Ban

    # the person as the API answers them (names as in PersonSummary)
    public_id = _record_field("person", "public_id")
    name = _record_field("person", "name")
    id_number_masked = _record_field("person", "id_number_masked")
    registered = _record_field("person", "registered")
    title = _record_field("person", "title", basic=True)


def person_profile(public_id: str, roles_page: int = 1) -> PersonProfile | None:
    """A person's public profile by public id, or None when not listed: title, employers from and to, projects by
    role (a page of `PROFILE_PER_PAGE`). Never a birth date, age or gender."""
    day = today()
    person = db.session.scalar(select(Person).where(Person.public_id == public_id, person_listed(day)))
    if person is None:
        return None
    basic = person_basic_is_public(person)
    firm = current_firms([person.id]).get(person.id) if basic else None
    penalties = _penalty_rows(db.session.execute(_penalties_of(Penalty.person_id, publicity_rules()),
                                                 {"subject_id": person.id, "day": day}))
    with_voice(("penalty", penalties))
    roles, counts, employments = [], [], []
    if basic:
        held = (select().join(Project, Project.id == ProjectRole.project_id).join(Unit, Unit.id == Project.unit_id)
                .where(ProjectRole.person_id == person.id, project_public()))
        counts = [RoleCount(role, int(count)) for role, count in db.session.execute(
            held.add_columns(ProjectRole.role, func.count()).group_by(ProjectRole.role)
            .order_by(func.min(role_order())))]
        rows = db.session.execute(
            held.add_columns(ProjectRole.role, Unit.uscc, Unit.name, *project_row_columns())
            .order_by(role_order(), Project.completed_on.desc().nulls_first(), Project.id.desc())
            .limit(PROFILE_PER_PAGE).offset(offset(roles_page, PROFILE_PER_PAGE)))
        roles = [RoleRow(ProjectRow.from_columns(project), role, uscc, name) for role, uscc, name, *project in rows]
        employments = employment_history(person.id)
    return PersonProfile(
        person=person, basic_public=basic, firm=firm, firm_listed=firm is not None,
        first_pass=person_first_pass(db.session, [person.id])[person.id] if basic else Rate(0, 0),
        roles=Page(roles, sum(c.count for c in counts), roles_page, PROFILE_PER_PAGE), role_counts=counts,
        employments=employments, penalties=penalties, ban=_active_ban(penalties))
