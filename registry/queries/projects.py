"""The public project pages (`/projects/<ref>`) and the project list of the API (`/api/v1/projects`), with the
rows every public page shows of a project: its review outcomes and the findings about it."""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import exists, func, or_, select

from registry.extensions import db
from registry.models import Complaint, Employment, Person, Project, ProjectRole, Review, Unit
from registry.models.project import completion_first
from registry.queries.paging import Page, count_rows, count_rows_up_to, offset
from registry.queries.sql import PROJECT_TEXT_COLUMNS, contains_in_any, parcel_conditions, project_text_candidates
from registry.queries.summaries import FirmRef
from registry.queries.voice import SubjectStatement, with_voice
from registry.rules.rates import days_late
from registry.visibility import complaint_public, person_basic_public, project_public, review_public


@dataclass
class ProjectRow:
    """A public project as lists show it."""

    id: int
    ref: str
    name: str
    category: str
    parcel_name: str | None
    division_code: str
    area_m2: Decimal
    owner: str | None
    former_industry: str | None
    started_on: date | None
    contract_deadline: date | None
    completed_on: date | None
    unit_id: int
    flagged: bool
    unit: FirmRef | None = None  # its firm, in the list of projects

    @classmethod
    def of(cls, project: Project, flagged: set[int], unit: FirmRef | None = None) -> "ProjectRow":
        """The row of a project, flagged when it has a substantiated finding."""
        return cls(project.id, project.ref, project.name, project.category, project.parcel_name,
                   project.division_code, project.area_m2, project.owner, project.former_industry,
                   project.started_on, project.contract_deadline, project.completed_on, project.unit_id,
                   project.id in flagged, unit)

    @classmethod
    def from_columns(cls, row) -> "ProjectRow":
        """The row of a project read as `project_row_columns()`."""
        *columns, flagged = row
        return cls(*columns, bool(flagged))

    @property
    def days_late(self) -> int | None:
        """Days past the contract deadline (negative: early), or None."""
        return days_late(self.contract_deadline, self.completed_on)


def project_row_columns() -> tuple:
    """The columns of a `ProjectRow`, in its order, `flagged` read in the same statement (the select must join
    `Unit`, as every public read of a project does)."""
    flagged = exists().where(Complaint.project_id == Project.id, complaint_public())
    return (Project.id, Project.ref, Project.name, Project.category, Project.parcel_name, Project.division_code,
            Project.area_m2, Project.owner, Project.former_industry, Project.started_on, Project.contract_deadline,
            Project.completed_on, Project.unit_id, flagged.label("flagged"))


def flagged_projects(project_ids: list[int]) -> set[int]:
    """Projects with a substantiated false-performance finding (flagged on every public surface)."""
    if not project_ids:
        return set()
    return set(db.session.scalars(
        select(Complaint.project_id).where(Complaint.project_id.in_(project_ids), complaint_public())))


@dataclass
class ProjectFilters:
    q: str | None = None
    industry: str | None = None
    province: str | None = None
    min_area: Decimal | None = None
    max_area: Decimal | None = None
    category: str | None = None


# The public projects a list counts at most (past the page asked for): beyond them its total is a lower bound.
# Counting the country's million took 330 ms (national PostgreSQL); ten thousand, a few.
PROJECTS_COUNTED = 10_000


def list_projects(filters: ProjectFilters, page: int = 1, per_page: int = 20) -> Page:
    """Public projects, newest completion first; `q` matches the name, parcel or owner (SQL, exact substring), or
    the reference."""
    conditions = [project_public(),
                  *parcel_conditions(filters.industry, filters.min_area, filters.max_area, filters.province)]
    candidates = None
    if filters.q:
        text = filters.q.strip()
        conditions.append(or_(contains_in_any(PROJECT_TEXT_COLUMNS, text), Project.ref == text))
        candidates = project_text_candidates(text)
        if candidates is not None:  # a rare word: the few projects the trigram index finds
            conditions.append(Project.id.in_(candidates))
    if filters.category:
        conditions.append(Project.category == filters.category)
    base = select(Project).join(Unit, Unit.id == Project.unit_id).where(*conditions)
    skipped = offset(page, per_page)
    if candidates is None:
        total, exact = count_rows_up_to(base.with_only_columns(Project.id),
                                        max(PROJECTS_COUNTED, skipped + per_page + 1))
    else:  # the few candidates hold every match: counted exactly, beside the page below (not read once more first)
        total, exact = None, True
    if not exact:  # many match: walk the list's order (its index) until the page is full
        page_of = base.order_by(completion_first().desc(), Project.id.desc())
    else:  # fewer than counted: sort them, rather than walk the order to its end to find them (a rare word: every
        # public project read in that order, 1.4 s, national PostgreSQL); a CTE read once, its order no index's
        found = base.with_only_columns(Project.id, completion_first().label("completion")).cte("found") \
            .prefix_with("MATERIALIZED")
        page_of = select(Project).join(found, found.c.id == Project.id) \
            .order_by(found.c.completion.desc(), found.c.id.desc())
    if total is None:  # the page, and the count of the CTE it reads (a past-the-end page counts them alone)
        counted = select(func.count()).select_from(found).scalar_subquery().label("total")
        rows = db.session.execute(page_of.add_columns(counted).limit(per_page).offset(skipped)).all()
        projects = [project for project, _ in rows]
        total = rows[0].total if rows else count_rows(base)
    else:
        projects = list(db.session.scalars(page_of.limit(per_page).offset(skipped))) if total > skipped else []
    flagged = flagged_projects([p.id for p in projects])
    units = _unit_names({p.unit_id for p in projects})
    return Page([ProjectRow.of(p, flagged, units[p.unit_id]) for p in projects], total, page, per_page,
                total_is_exact=exact)


def _unit_names(ids) -> dict[int, FirmRef]:
    if not ids:
        return {}
    return {row.id: FirmRef(row.uscc, row.name) for row in db.session.execute(
        select(Unit.id, Unit.uscc, Unit.name).where(Unit.id.in_(list(ids))))}


@dataclass
class ReviewRow:
    project_ref: str | None  # None when the project itself is not public
    project_name: str | None
    report_type: str
    round: int
    reviewed_on: date
    passed: bool
    authority: str | None
    record_id: int | None = None  # the review's id, for the subject's voice
    statement: "SubjectStatement | None" = None  # the subject's statement on it (`voice.with_voice`)
    corrected_at: datetime | None = None  # when it was last corrected on the subject's request


@dataclass
class FindingRow:
    ref: str
    project_ref: str | None
    project_name: str | None
    received_on: date
    verified_on: date | None
    finding: str | None
    authority: str | None
    record_id: int | None = None
    statement: "SubjectStatement | None" = None
    corrected_at: datetime | None = None


def findings_where(condition) -> list[FindingRow]:
    """The public findings about the projects `condition` selects, latest first."""
    return finding_rows(db.session.execute(findings_select(condition)))


def findings_select(condition):
    """The statement of `findings_where` (a profile builds it once, with bound parameters)."""
    return (select(Complaint, Project.ref, Project.name, project_public().label("project_public"))
            .join(Project, Project.id == Complaint.project_id).join(Unit, Unit.id == Project.unit_id)
            .where(condition, complaint_public()).order_by(Complaint.verified_on.desc(), Complaint.id.desc()))


def finding_rows(result) -> list[FindingRow]:
    """The rows of `findings_select`, the project named only when it is public."""
    return [FindingRow(c.ref, ref if shown else None, name if shown else None, c.received_on, c.verified_on,
                       c.finding, c.authority, c.id) for c, ref, name, shown in result]


@dataclass
class PersonOnProject:
    public_id: str
    name: str
    id_number_masked: str
    role: str
    with_firm: bool = False  # employed by the project's firm today
    left_firm_on: date | None = None  # the last day with the project's firm, when no longer with it


def still_with_firm(person_column, unit_column):
    """A SQL clause: the person is employed by the firm today (an employment there that has not ended)."""
    return exists().where(Employment.person_id == person_column, Employment.unit_id == unit_column,
                          Employment.ended_on.is_(None))


def last_day_with_firm(person_column, unit_column):
    """A SQL expression: the last day the person was with the firm (NULL when never employed there)."""
    return (select(func.max(Employment.ended_on))
            .where(Employment.person_id == person_column, Employment.unit_id == unit_column).scalar_subquery())


@dataclass
class ProjectDetail:
    project: ProjectRow
    unit_uscc: str
    unit_name: str
    reviews: list[ReviewRow]
    findings: list[FindingRow]
    people: list[PersonOnProject]
    unit_confirmed: bool = True  # False: the firm's self-registration is not yet checked (单位自主填报，尚未核验)
    corrected_at: datetime | None = None  # when the regulator last accepted a correction of its locked history


def project_detail(ref: str) -> ProjectDetail | None:
    """A public project with its reviews by round, findings and the people who consented to be shown, each
    marked still with the project's firm or not."""
    row = db.session.execute(
        select(Project, Unit.uscc, Unit.name, Unit.registration_confirmed_at.is_not(None))
        .join(Unit, Unit.id == Project.unit_id).where(Project.ref == ref, project_public())).first()
    if row is None:
        return None
    project, uscc, name, confirmed = row
    reviews = [ReviewRow(project.ref, project.name, r.report_type, r.round, r.reviewed_on, r.passed, r.authority, r.id)
               for r in db.session.scalars(
                   select(Review).join(Project, Project.id == Review.project_id).join(Unit, Unit.id == Project.unit_id)
                   .where(Review.project_id == project.id, review_public())
                   .order_by(Review.report_type, Review.round))]
    findings = findings_where(Project.id == project.id)
    with_voice(("review", reviews), ("finding", findings))
    with_firm = still_with_firm(Person.id, project.unit_id)
    people = [PersonOnProject(p.public_id, p.name, p.id_number_masked, role, bool(current), None if current else left)
              for role, p, current, left in db.session.execute(
                  select(ProjectRole.role, Person, with_firm, last_day_with_firm(Person.id, project.unit_id))
                  .join(Person, Person.id == ProjectRole.person_id)
                  .where(ProjectRole.project_id == project.id, person_basic_public()).order_by(ProjectRole.id))]
    return ProjectDetail(ProjectRow.of(project, {project.id} if findings else set()), uscc, name, reviews,
                         findings, people, bool(confirmed), project.corrected_at)


def public_project_division(ref: str) -> str | None:
    """The division of a public project (complaints go to the regulator there), or None."""
    return db.session.scalar(
        select(Project.division_code).join(Unit, Unit.id == Project.unit_id).where(Project.ref == ref, project_public()))
