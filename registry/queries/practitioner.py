"""What the practitioners' pages read: a firm's dashboard, staff, projects and history, and a person's home.

Every function is scoped to the acting firm or person. A reference to another firm's record is refused as a
404 (`AccessDenied`), audited by `access.deny` at the request's end: nothing here writes.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from registry import visibility
from registry.access import AccessDenied, Actor
from registry.clock import today
from registry.extensions import db
from registry.models import (Account, Commitment, CommitmentText, Complaint, Employment, Invitation, Penalty,
                             Person, Project, ProjectRole, ProjectVersion, Review, Unit, UnitVersion)
from registry.models.base import aware, utcnow
from registry.queries import rates
from registry.queries.paging import Page, offset, page_count
from registry.queries.sql import contains_in_any
from registry.rules.rates import Rate
from registry.rules.working_days import calendar_covers, update_deadline

PER_PAGE = 20
PROJECT_SORTS = {
    "recent": (Project.created_at.desc(), Project.id.desc()),
    "name": (Project.name, Project.id),
    "completed": (Project.completed_on.desc().nulls_last(), Project.id.desc()),
    "deadline": (Project.contract_deadline.desc().nulls_last(), Project.id.desc()),
}


def latest_text() -> CommitmentText:
    """The commitment letter in force (its highest version)."""
    return db.session.scalar(select(CommitmentText).order_by(CommitmentText.version.desc()).limit(1))


@dataclass(frozen=True)
class CommitmentStatus:
    """Where a firm's or a person's commitment stands against the letter in force."""

    latest: Commitment | None
    current_version: int

    @property
    def state(self) -> str:
        """`none`, `no_consent`, `outdated` or `current`."""
        if self.latest is None:
            return "none"
        if not self.latest.consent_to_publish:
            return "no_consent"
        if self.latest.text_version is None or self.latest.text_version < self.current_version:
            return "outdated"
        return "current"

    @property
    def needs_signature(self) -> bool:
        return self.state != "current"


def commitment_status(*, unit_id: int | None = None, person_id: int | None = None) -> CommitmentStatus:
    """The latest signature of a firm or a person, compared with the letter in force."""
    subject = Commitment.unit_id == unit_id if unit_id is not None else Commitment.person_id == person_id
    latest = db.session.scalar(
        select(Commitment).where(subject).order_by(Commitment.signed_at.desc(), Commitment.id.desc()).limit(1)
    )
    return CommitmentStatus(latest, latest_text().version)


@dataclass
class StaffRow:
    person: Person
    employment: Employment
    has_account: bool
    open_invitation_until: datetime | None


def current_staff(unit_id: int) -> list[StaffRow]:
    """The firm's current staff with their account and invitation state, by name."""
    now = utcnow()
    rows = db.session.execute(
        select(Person, Employment)
        .join(Employment, Employment.person_id == Person.id)
        .where(Employment.unit_id == unit_id, Employment.ended_on.is_(None))
        .order_by(Person.name, Person.id)
    ).all()
    ids = [p.id for p, _ in rows]
    with_account = set(db.session.scalars(select(Account.person_id).where(Account.person_id.in_(ids))))
    invitations = dict(db.session.execute(
        select(Invitation.person_id, func.max(Invitation.expires_at))
        .where(Invitation.person_id.in_(ids), Invitation.unit_id == unit_id, Invitation.used_at.is_(None))
        .group_by(Invitation.person_id)
    ).all())
    result = []
    for person, employment in rows:
        until = invitations.get(person.id)
        if until is not None and aware(until) <= now:
            until = None
        result.append(StaffRow(person, employment, person.id in with_account, until))
    return result


def former_staff(unit_id: int) -> list[tuple[Person, Employment]]:
    """People who have left the firm, most recent departure first."""
    return list(db.session.execute(
        select(Person, Employment).join(Employment, Employment.person_id == Person.id)
        .where(Employment.unit_id == unit_id, Employment.ended_on.is_not(None))
        .order_by(Employment.ended_on.desc(), Employment.id.desc())
    ).all())


def staff_choices(unit_id: int, project: Project | None = None) -> list[Person]:
    """People a project form offers: the firm's current staff, plus anyone already on this project."""
    people = {p.id: p for p in db.session.scalars(
        select(Person).join(Employment, Employment.person_id == Person.id)
        .where(Employment.unit_id == unit_id, Employment.ended_on.is_(None))
    )}
    if project is not None:
        for role in project.roles:
            people.setdefault(role.person_id, role.person)
    return sorted(people.values(), key=lambda p: (p.name, p.id))


MISSING_FIELDS = ("parcel_name", "owner", "former_industry", "contract_deadline")


def missing_fields(project: Project) -> list[str]:
    """Fields a landowner relies on that the firm has not yet entered (and `people` when no one is on it)."""
    missing = [name for name in MISSING_FIELDS if getattr(project, name) in (None, "")]
    if not project.roles:
        missing.append("people")
    return missing


def projects_page(unit_id: int, page: int = 1, sort: str = "recent", q: str = "") -> Page:
    """One page of the firm's projects (a page past the end shows the last one), sorted, optionally filtered by
    text in the name, parcel or owner, matched literally."""
    clauses = [Project.unit_id == unit_id]
    if q.strip():
        clauses.append(contains_in_any((Project.name, Project.parcel_name, Project.owner), q.strip()))
    total = db.session.scalar(select(func.count()).select_from(Project).where(*clauses))
    page = min(max(1, page), page_count(total, PER_PAGE))
    items = list(db.session.scalars(
        select(Project).where(*clauses).options(selectinload(Project.roles))
        .order_by(*PROJECT_SORTS.get(sort, PROJECT_SORTS["recent"])).offset(offset(page, PER_PAGE)).limit(PER_PAGE)
    ))
    return Page(items, total, page, PER_PAGE)


@dataclass
class ProjectDetail:
    project: Project
    versions: list[ProjectVersion]
    reviews: list
    findings: list[Complaint]
    people: dict[int, Person]


def own_project(actor: Actor, ref: str) -> Project | None:
    """The firm's project by ref; None when no such ref exists; AccessDenied (a 404) for another firm's."""
    project = db.session.scalar(select(Project).where(Project.ref == ref))
    if project is None:
        return None
    if actor.role != "unit" or project.unit_id != actor.unit_id:
        raise AccessDenied(actor, "read", "project", project.id, status=404)
    return project


def project_detail(actor: Actor, ref: str) -> ProjectDetail | None:
    """A project of the firm with its earlier versions, public review outcomes and substantiated findings."""
    project = own_project(actor, ref)
    if project is None:
        return None
    versions = list(db.session.scalars(
        select(ProjectVersion).where(ProjectVersion.project_id == project.id).order_by(ProjectVersion.version.desc())
    ))
    reviews = list(db.session.scalars(
        select(Review).where(Review.project_id == project.id, Review.non_disclosure_reason.is_(None))
        .order_by(Review.report_type, Review.round)
    ))
    findings = list(db.session.scalars(
        select(Complaint).where(Complaint.project_id == project.id, visibility.complaint_public())
        .order_by(Complaint.verified_on.desc())
    ))
    person_ids = {r.person_id for r in project.roles}
    for version in versions:
        person_ids.update(p["person_id"] for p in version.data.get("people", []))
    people = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(person_ids)))}
    return ProjectDetail(project, versions, reviews, findings, people)


def unit_versions(unit_id: int) -> list[UnitVersion]:
    """Earlier versions of the firm's basic information, newest first."""
    return list(db.session.scalars(
        select(UnitVersion).where(UnitVersion.unit_id == unit_id).order_by(UnitVersion.version.desc())
    ))


@dataclass
class Dashboard:
    unit: Unit
    commitment: CommitmentStatus
    basic_public: bool
    listed: bool
    first_pass: Rate
    on_time: Rate
    staff: list[StaffRow]
    project_total: int
    incomplete_projects: list[tuple[Project, list[str]]]
    penalties: list[Penalty]
    bans: list[Penalty]
    findings: list[Complaint]
    non_disclosed: bool = field(default=False)
    # projects past their contract deadline by more than twenty working days without a completion date, each
    # with that deadline; whether every count knew its year's holidays
    overdue_completions: list[tuple[Project, date]] = field(default_factory=list)
    calendar_known: bool = True

    @property
    def missing_details(self) -> list[str]:
        """Basic information a landowner looks for that the firm has not entered yet."""
        missing = [] if self.unit.categories else ["categories"]
        return missing + [name for name in ("address", "established_on") if getattr(self.unit, name) is None]

    @property
    def staff_without_commitment(self) -> list[StaffRow]:
        return [row for row in self.staff if row.person.commitment_signed_at is None]


def dashboard(unit_id: int) -> Dashboard:
    """The firm's dashboard: what is public now, what is missing, and what the authorities recorded."""
    day = today()
    unit = db.session.get(Unit, unit_id)
    in_unit = Unit.id == unit_id
    basic_public = db.session.scalar(select(func.count()).select_from(Unit).where(in_unit, visibility.unit_basic_public())) > 0
    listed = db.session.scalar(select(func.count()).select_from(Unit).where(in_unit, visibility.unit_listed(day))) > 0
    projects = list(db.session.scalars(
        select(Project).where(Project.unit_id == unit_id).options(selectinload(Project.roles))
        .order_by(Project.created_at.desc(), Project.id.desc())
    ))
    incomplete = [(p, m) for p in projects if (m := missing_fields(p))]
    # the pending change the registry can know of: a project past its contract deadline by more than twenty
    # working days with no completion date, so either finished and not yet entered, or running late
    overdue = [(p, update_deadline(p.contract_deadline)) for p in projects
               if p.completed_on is None and p.contract_deadline is not None
               and day > update_deadline(p.contract_deadline)]
    penalties = list(db.session.scalars(
        select(Penalty).where(Penalty.unit_id == unit_id, visibility.penalty_public(day)).order_by(Penalty.decided_on.desc())
    ))
    bans = list(db.session.scalars(
        select(Penalty).where(Penalty.unit_id == unit_id, visibility.ban_public(day)).order_by(Penalty.decided_on.desc())
    ))
    findings = list(db.session.scalars(
        select(Complaint).join(Project, Project.id == Complaint.project_id)
        .where(Project.unit_id == unit_id, visibility.complaint_public())
        .options(selectinload(Complaint.project)).order_by(Complaint.verified_on.desc())
    ))
    return Dashboard(
        unit=unit,
        commitment=commitment_status(unit_id=unit_id),
        basic_public=basic_public,
        listed=listed,
        first_pass=rates.unit_first_pass(db.session, [unit_id])[unit_id],
        on_time=rates.unit_on_time(db.session, [unit_id])[unit_id],
        staff=current_staff(unit_id),
        project_total=len(projects),
        incomplete_projects=incomplete[:20],
        overdue_completions=overdue[:20],
        calendar_known=all(calendar_covers(p.contract_deadline, due) for p, due in overdue),
        penalties=penalties,
        bans=bans,
        findings=findings,
        non_disclosed=unit.non_disclosure_reason is not None,
    )


@dataclass
class PersonHome:
    person: Person
    commitment: CommitmentStatus
    public: bool
    employments: list[Employment]
    roles: list[tuple[Project, str]]
    first_pass: Rate


def person_home(person_id: int) -> PersonHome:
    """A person's own page: their commitment, their firms over time, the projects they held roles on."""
    person = db.session.get(Person, person_id)
    roles = [(project, role) for project, role in db.session.execute(
        select(Project, ProjectRole.role).join(ProjectRole, ProjectRole.project_id == Project.id)
        .where(ProjectRole.person_id == person_id)
        .options(selectinload(Project.unit))
        .order_by(Project.completed_on.desc().nulls_first(), Project.id.desc())
    ).all()]
    is_public = db.session.scalar(
        select(func.count()).select_from(Person).where(Person.id == person_id, visibility.person_basic_public())
    ) > 0
    employments = sorted(person.employments, key=lambda e: (e.started_on, e.id), reverse=True)
    return PersonHome(person, commitment_status(person_id=person_id), is_public, employments, roles,
                      rates.person_first_pass(db.session, [person_id])[person_id])


def unit_of(unit_id: int) -> Unit:
    """The firm row for forms that start from its current values."""
    return db.session.get(Unit, unit_id)



@dataclass(frozen=True)
class Proposal:
    """A firm's proposal that a person join it, as the person or the proposing firm sees it."""

    invitation_id: int
    unit_name: str
    proposed_name: str
    proposed_title: str | None
    id_number_masked: str
    expires_at: datetime


def open_proposals(person_id: int | None = None, unit_id: int | None = None) -> list[Proposal]:
    """Open proposals (unused, unexpired) to one person, or made by one firm, newest first."""
    statement = (
        select(Invitation.id, Unit.name, Invitation.proposed_name, Invitation.proposed_title,
               Person.id_number_masked, Invitation.expires_at)
        .join(Unit, Unit.id == Invitation.unit_id).join(Person, Person.id == Invitation.person_id)
        .where(Invitation.proposed_name.is_not(None), Invitation.used_at.is_(None), Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc(), Invitation.id.desc()))
    if person_id is not None:
        statement = statement.where(Invitation.person_id == person_id)
    if unit_id is not None:
        statement = statement.where(Invitation.unit_id == unit_id)
    return [Proposal(*row) for row in db.session.execute(statement)]
