"""The public profiles: a firm's page (`/units/<uscc>`) and a person's (`/persons/<public_id>`), and their
answers in the API. Public records only, masked; a firm's projects are read a page at a time."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import case, extract, func, or_, select

from registry.clock import today
from registry.extensions import db
from registry.models import Penalty, Person, Project, ProjectRole, Review, Unit, UnitCategory
from registry.queries.paging import Page, offset
from registry.queries.projects import (
    FindingRow, ProjectRow, ReviewRow, findings_where, project_row_columns,
)
from registry.queries.rates import first_pass_counts, on_time_counts, person_first_pass
from registry.queries.summaries import NO_BAN, Ban, FirmRef, UnitSummary, active_bans, current_firms
from registry.rules.rates import Rate
from registry.visibility import (
    ban_public, on_time_counted, penalty_public, person_basic_is_public, person_listed, project_public, review_public,
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


def _penalty_rows(column, subject_id: int, day: date) -> list[PenaltyRow]:
    """Public penalties in full, and penalties shown only for their active ban (decision number, ban, end)."""
    rows = []
    for penalty, public, banned in db.session.execute(
            select(Penalty, penalty_public(day).label("public"), ban_public(day).label("banned"))
            .where(column == subject_id, or_(penalty_public(day), ban_public(day)))
            .order_by(Penalty.decided_on.desc(), Penalty.id.desc())):
        public, banned = bool(public), bool(banned)
        if public:
            rows.append(PenaltyRow(penalty.decision_number, penalty.authority, penalty.decided_on,
                                   penalty.publicity_ends_on, list(penalty.kinds or []), penalty.severity,
                                   penalty.fine_yuan, penalty.violation, penalty.basis, penalty.ban_until,
                                   penalty.ban_lifetime, banned, False, penalty))
        else:
            rows.append(PenaltyRow(penalty.decision_number, None, None, None, [], None, None, None, None,
                                   penalty.ban_until, penalty.ban_lifetime, True, True))
    return rows


def _period(low, high) -> Period | None:
    return Period(low, high) if low is not None else None


def unit_profile(uscc: str, projects_page: int = 1, reviews_page: int = 1) -> UnitProfile | None:
    """A firm's public profile, or None when it is not listed. Its projects and review outcomes are read a
    page of `PROFILE_PER_PAGE` at a time and counted in SQL, so a firm with 2,000 projects costs the same
    statements, and about the same time, as a firm with two."""
    day = today()
    unit = db.session.scalar(select(Unit).where(Unit.uscc == uscc, unit_listed(day)))
    if unit is None:
        return None
    basic = unit_basic_is_public(unit)
    categories = list(db.session.scalars(
        select(UnitCategory.category).where(UnitCategory.unit_id == unit.id).order_by(UnitCategory.category)))
    # each rate with the first and last day it counts, in the statement that counts it
    _, fp_passed, fp_total, fp_low, fp_high = _only_row(
        first_pass_counts().add_columns(func.min(Review.reviewed_on), func.max(Review.reviewed_on))
        .where(Project.unit_id == unit.id), 5)
    _, ot_part, ot_total, ot_low, ot_high = _only_row(
        on_time_counts(day).add_columns(func.min(Project.completed_on), func.max(Project.completed_on))
        .where(Project.unit_id == unit.id), 5)
    by_year = _reviews_by_year(unit.id)
    return UnitProfile(
        unit=unit, basic_public=basic, categories=categories if basic else [],
        first_pass=Rate(int(fp_passed or 0), int(fp_total or 0)), first_pass_period=_period(fp_low, fp_high),
        on_time=Rate(int(ot_part or 0), int(ot_total or 0)), on_time_period=_period(ot_low, ot_high),
        ban=active_bans(Penalty.unit_id, [unit.id], day).get(unit.id, NO_BAN),
        projects=_unit_projects(unit.id, projects_page),
        reviews=_unit_reviews(unit.id, reviews_page, sum(bar.passed + bar.failed for bar in by_year)),
        reviews_by_year=by_year,
        penalties=_penalty_rows(Penalty.unit_id, unit.id, day), findings=_unit_findings(unit.id))


def _only_row(statement, width: int) -> tuple:
    """The row of one firm's aggregate, or Nones when the firm has nothing counted."""
    row = db.session.execute(statement).first()
    return tuple(row) if row is not None else (None,) * width


def _unit_projects(unit_id: int, page: int) -> Page:
    public = (Project.unit_id == unit_id, project_public())
    total = db.session.scalar(select(func.count(Project.id)).join(Unit, Unit.id == Project.unit_id).where(*public))
    rows = db.session.execute(
        select(*project_row_columns()).join(Unit, Unit.id == Project.unit_id).where(*public)
        .order_by(Project.completed_on.desc().nulls_first(), Project.id.desc())
        .limit(PROFILE_PER_PAGE).offset(offset(page, PROFILE_PER_PAGE)))
    return Page([ProjectRow.from_columns(row) for row in rows], total, page, PROFILE_PER_PAGE)


def _unit_reviews(unit_id: int, page: int, total: int) -> Page:
    # Plain columns, not Review objects, and only the page shown: a firm with 2,000 projects has ~2,700
    # outcomes, and building ORM objects for all of them was most of its profile's time (bench/RESULTS.md).
    rows = db.session.execute(
        select(Review.report_type, Review.round, Review.reviewed_on, Review.passed, Review.authority,
               Project.ref, Project.name, project_public().label("project_public"))
        .join(Project, Project.id == Review.project_id).join(Unit, Unit.id == Project.unit_id)
        .where(Project.unit_id == unit_id, review_public())
        .order_by(Review.reviewed_on.desc(), Review.id.desc())
        .limit(PROFILE_PER_PAGE).offset(offset(page, PROFILE_PER_PAGE)))
    return Page([ReviewRow(ref if shown else None, name if shown else None, report_type, round_number, reviewed_on,
                           passed, authority)
                 for report_type, round_number, reviewed_on, passed, authority, ref, name, shown in rows],
                total, page, PROFILE_PER_PAGE)


def _reviews_by_year(unit_id: int) -> list[YearBar]:
    """Public review outcomes (every round) passed and not passed, per year of review, oldest year first."""
    year = extract("year", Review.reviewed_on)
    rows = db.session.execute(
        select(year, func.sum(case((Review.passed, 1), else_=0)), func.count())
        .join(Project, Project.id == Review.project_id).join(Unit, Unit.id == Project.unit_id)
        .where(Project.unit_id == unit_id, review_public())
        .group_by(year).order_by(year))
    return [YearBar(int(year), int(passed), int(count) - int(passed)) for year, passed, count in rows]


def _unit_findings(unit_id: int) -> list[FindingRow]:
    return findings_where(Project.unit_id == unit_id)


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
class PersonProfile:
    person: Person
    basic_public: bool
    firm: FirmRef | None  # the current firm
    firm_listed: bool
    first_pass: Rate
    roles: list[RoleRow]
    penalties: list[PenaltyRow]
    ban: Ban

    # the person as the API answers them (names as in PersonSummary)
    public_id = _record_field("person", "public_id")
    name = _record_field("person", "name")
    id_number_masked = _record_field("person", "id_number_masked")
    registered = _record_field("person", "registered")


def person_profile(public_id: str) -> PersonProfile | None:
    """A person's public profile by public id, or None when not listed. Never a birth date, age or gender."""
    day = today()
    person = db.session.scalar(select(Person).where(Person.public_id == public_id, person_listed(day)))
    if person is None:
        return None
    basic = person_basic_is_public(person)
    firm = current_firms([person.id]).get(person.id) if basic else None
    roles = []
    if basic:
        rows = db.session.execute(
            select(ProjectRole.role, Unit.uscc, Unit.name, *project_row_columns())
            .join(Project, Project.id == ProjectRole.project_id).join(Unit, Unit.id == Project.unit_id)
            .where(ProjectRole.person_id == person.id, project_public())
            .order_by(Project.completed_on.desc().nulls_first(), Project.id.desc()))
        roles = [RoleRow(ProjectRow.from_columns(project), role, uscc, name) for role, uscc, name, *project in rows]
    return PersonProfile(
        person=person, basic_public=basic, firm=firm, firm_listed=firm is not None,
        first_pass=person_first_pass(db.session, [person.id])[person.id] if basic else Rate(0, 0),
        roles=roles, penalties=_penalty_rows(Penalty.person_id, person.id, day),
        ban=active_bans(Penalty.person_id, [person.id], day).get(person.id, NO_BAN))
