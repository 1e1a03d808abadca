"""Key staff, as the public sees them: a firm's responsible persons, current and former, with their roles on
which of its projects (the firm's profile); a person's employers, from and to (the person's page); whether each
person listed on a project is still with its firm (the project page).

Only persons whose basic information is public are named, only public projects are counted, and a firm that is
not listed is never named, not even through its former staff (`registry.visibility`). Never a birth date, age
or gender beside a masked number. Each list is read in a fixed number of statements, whatever its length."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Date, Integer, and_, bindparam, case, exists, func, select, union

from registry.clock import today
from registry.extensions import db
from registry.models import Employment, Person, Project, ProjectRole, Unit, UnitRoleHolder
from registry.queries.paging import Page, offset
from registry.queries.projects import project_row_columns
from registry.queries.sql import read
from registry.queries.summaries import FirmRef
from registry.reference import ROLES
from registry.visibility import person_basic_public, project_public, publicity_rules, unit_listed

STAFF_PER_PAGE = 20  # persons a firm's profile lists a page
LATEST_PROJECTS_SHOWN = 3  # projects named per role on a firm's profile; the person's page lists them all

FIRM, PERSON, DAY = bindparam("firm", type_=Integer), bindparam("person", type_=Integer), bindparam("day", type_=Date)
LIMIT, OFFSET = bindparam("limit", type_=Integer), bindparam("offset", type_=Integer)
IDS = bindparam("ids", expanding=True)


def role_order():
    """A SQL expression ordering roles as the code list does (the directly responsible manager first)."""
    return case({code: index for index, code in enumerate(ROLES)}, value=ProjectRole.role, else_=len(ROLES))


@dataclass
class ProjectRef:
    """A public project named in a staff list."""

    ref: str
    name: str
    completed_on: date | None
    flagged: bool


@dataclass
class RoleSummary:
    """The role a person held on a firm's public projects: how many, and the latest few."""

    role: str
    project_count: int
    latest: list[ProjectRef] = field(default_factory=list)


@dataclass
class StaffMember:
    """A responsible person of a firm as its profile lists them."""

    public_id: str
    name: str
    id_number_masked: str
    title: str | None
    current: bool  # employed by the firm today
    since: date | None  # the first day with the firm
    until: date | None  # the last day with the firm (None while current)
    project_count: int  # the firm's public projects the person held a role on
    roles: list[RoleSummary] = field(default_factory=list)


@dataclass
class EmploymentRow:
    """One employment of a person: the firm (None when that firm is not listed), title, from and to."""

    firm: FirmRef | None
    title: str | None
    started_on: date
    ended_on: date | None


@dataclass(frozen=True)
class StaffStatements:
    staff: object
    staff_count: object
    roles: object
    employments: object


_statements: dict[str, StaffStatements] = {}


def staff_statements() -> StaffStatements:
    """The key-staff statements for the publicity rules in force (built on first use, then bound per request:
    building the visibility clauses costs more than running the statements)."""
    key = repr(publicity_rules())
    if key not in _statements:
        _statements[key] = _build(publicity_rules())
    return _statements[key]


def _build(rules) -> StaffStatements:
    at_firm = and_(Employment.person_id == Person.id, Employment.unit_id == FIRM)
    # the persons with a role on the firm's public projects, and on how many, as kept (registry/figures.py): a
    # row a person, where every role on every public project of the firm was read (4,000 for a firm of 2,000
    # projects: 5 to 6 ms of its profile on PostgreSQL, national scale)
    on_public_project = select(UnitRoleHolder.person_id).where(UnitRoleHolder.unit_id == FIRM)
    related = union(select(Employment.person_id).where(Employment.unit_id == FIRM), on_public_project).subquery()
    current = exists().where(at_firm, Employment.ended_on.is_(None))
    since = select(func.min(Employment.started_on)).where(at_firm).scalar_subquery()
    until = select(func.max(Employment.ended_on)).where(at_firm).scalar_subquery()
    projects = func.coalesce(select(UnitRoleHolder.projects)
                             .where(UnitRoleHolder.unit_id == FIRM, UnitRoleHolder.person_id == Person.id)
                             .scalar_subquery(), 0)
    members = select(Person.id).where(_among(Person.id, related.c.person_id), person_basic_public())
    staff = (select(Person.id, Person.public_id, Person.name, Person.id_number_masked, Person.title,
                    current.label("current"), since.label("since"), until.label("until"), projects.label("projects"),
                    func.count().over().label("total"))
             .where(Person.id.in_(members))
             .order_by(current.desc(), projects.desc(), Person.name, Person.id).limit(LIMIT).offset(OFFSET))
    # each person's roles on the firm's public projects: how many per role, and the latest few of each
    latest = (project_row_columns()[-1], Project.ref, Project.name, Project.completed_on)
    ranked = (select(ProjectRole.person_id, ProjectRole.role, *latest,
                     func.row_number().over(partition_by=(ProjectRole.person_id, ProjectRole.role),
                                            order_by=(Project.completed_on.desc().nulls_first(), Project.id.desc()))
                     .label("n"),
                     func.count().over(partition_by=(ProjectRole.person_id, ProjectRole.role)).label("of_role"),
                     role_order().label("role_order"))
              .join(Project, Project.id == ProjectRole.project_id).join(Unit, Unit.id == Project.unit_id)
              .where(ProjectRole.person_id.in_(IDS), Project.unit_id == FIRM, project_public())
              .subquery())
    roles = (select(ranked.c.person_id, ranked.c.role, ranked.c.of_role, ranked.c.ref, ranked.c.name,
                    ranked.c.completed_on, ranked.c.flagged)
             .where(ranked.c.n <= LATEST_PROJECTS_SHOWN).order_by(ranked.c.person_id, ranked.c.role_order, ranked.c.n))
    employments = (select(Employment.started_on, Employment.ended_on, Employment.title, Unit.uscc, Unit.name,
                          unit_listed(DAY, rules).label("listed"))
                   .join(Unit, Unit.id == Employment.unit_id).where(Employment.person_id == PERSON)
                   .order_by(Employment.started_on.desc(), Employment.id.desc()))
    return StaffStatements(staff=staff, staff_count=select(func.count()).select_from(members.subquery()),
                           roles=roles, employments=employments)


def _among(column, ids):
    """`column IN (SELECT ids)`, as each database plans it best. PostgreSQL sizes such a list by the rows it is
    read from, not by the distinct ids (3,946 roles for the 20 persons of a firm of 2,000 projects) and then
    scanned every person in the country (40 ms); the ids gathered into an array and unnested are
    sized as a hundred, and each probed by the key."""
    if db.engine.dialect.name == "postgresql":
        return column.in_(select(func.unnest(select(func.array_agg(ids)).scalar_subquery())))
    return column.in_(select(ids))


def firm_staff(unit_id: int, page: int = 1, per_page: int = STAFF_PER_PAGE) -> Page:
    """A page of a firm's responsible persons (its staff, and whoever held a role on its public projects, whose
    basic information is public): current staff first, then by the number of the firm's projects. Two
    statements, whatever the firm's size."""
    sql = staff_statements()
    rows = read(sql.staff, {"firm": unit_id, "limit": per_page, "offset": offset(page, per_page)}).all()
    if rows:
        total = rows[0].total
    else:  # past the end, or none at all: say how many there are
        total = read(sql.staff_count, {"firm": unit_id}).scalar() if page > 1 else 0
    members = {row.id: StaffMember(row.public_id, row.name, row.id_number_masked, row.title, bool(row.current),
                                   row.since, None if row.current else row.until, int(row.projects or 0))
               for row in rows}
    if members:
        roles: dict[tuple[int, str], RoleSummary] = {}
        for person_id, role, count, ref, name, completed_on, flagged in read(
                sql.roles, {"firm": unit_id, "ids": list(members)}):
            summary = roles.get((person_id, role))
            if summary is None:
                summary = roles[person_id, role] = RoleSummary(role, int(count))
                members[person_id].roles.append(summary)
            summary.latest.append(ProjectRef(ref, name, completed_on, bool(flagged)))
    return Page(list(members.values()), int(total), page, per_page)


def employment_history(person_id: int) -> list[EmploymentRow]:
    """A person's employers, latest first, from and to; a firm that is not listed is not named."""
    rows = db.session.execute(staff_statements().employments, {"person": person_id, "day": today()})
    return [EmploymentRow(FirmRef(uscc, name) if listed else None, title, started_on, ended_on)
            for started_on, ended_on, title, uscc, name, listed in rows]
