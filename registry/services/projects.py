"""Project performance (业绩情况信息) a firm records: validated, with the firm's own staff and their roles;
a correction keeps the earlier version in ProjectVersion."""
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import or_, select

from registry.access import AccessDenied, Actor
from registry.clock import today
from registry.extensions import db
from registry.models import Complaint, Employment, Penalty, Person, Project, ProjectRole, ProjectVersion, Review
from registry.models.versions import next_version
from registry.reference import CATEGORIES, ROLES
from registry.rules.amounts import check_area
from registry.rules.authority import check_firm_change, locked_for_firm
from registry.rules.cessation import check_may_add_project
from registry.rules.bans import Ban, check_no_active_ban
from registry.rules.dates import check_project_dates
from registry.rules.divisions import validate_county_code
from registry.rules.errors import Checks, RuleViolation
from registry.rules.identifiers import validate_uscc
from registry.rules.industries import validate_industry_code
from registry.rules.normalize import normalize_number
from registry.rules.projects import project_text
from registry.services import service
from registry.services.audit import enqueue_for_index, record_event, snapshot
from registry.services.units import own_unit

@dataclass(frozen=True)
class ProjectData:
    """What a firm enters about one project."""

    category: str
    name: str
    parcel_name: str | None
    division_code: str
    area_m2: Decimal | str | None
    owner: str | None
    owner_uscc: str | None
    former_industry: str | None
    started_on: date | None
    contract_deadline: date | None
    completed_on: date | None


def new_project_ref() -> str:
    """A public reference that reveals nothing (not the firm, not a sequence number)."""
    return "P-" + secrets.token_hex(6).upper()


def _area(value) -> Decimal:
    text = normalize_number(value, "area_m2")
    try:
        area = Decimal(text) if text else None
    except InvalidOperation:
        area = None
    return check_area(area)


def validated(data: ProjectData) -> dict:
    """The column values of a project, or RuleViolation(s) naming every field at fault at once."""
    checks = Checks()
    if data.category not in CATEGORIES:
        checks.refuse(RuleViolation("category", "请选择从业类别", "choose a practice category"))
    values = {
        "category": data.category,
        "name": checks.run(project_text, data.name, "name"),
        "parcel_name": checks.run(project_text, data.parcel_name, "parcel_name"),
        "division_code": checks.run(validate_county_code, data.division_code, "division_code"),
        "area_m2": checks.run(_area, data.area_m2),
        "owner": checks.run(project_text, data.owner, "owner"),
        "owner_uscc": checks.run(validate_uscc, data.owner_uscc, "owner_uscc") if (data.owner_uscc or "").strip() else None,
        "former_industry": (checks.run(validate_industry_code, data.former_industry, "former_industry")
                            if (data.former_industry or "").strip() else None),
        "started_on": data.started_on,
        "contract_deadline": data.contract_deadline,
        "completed_on": data.completed_on,
    }
    checks.run(check_project_dates, data.started_on, data.contract_deadline, data.completed_on, today())
    checks.done()
    return values


def own_project(actor: Actor, ref: str, action: str) -> Project:
    """The actor's firm's project, or AccessDenied as a 404."""
    project = db.session.scalar(select(Project).where(Project.ref == ref))
    if project is None or actor.role != "unit" or project.unit_id != actor.unit_id:
        raise AccessDenied(actor, action, "project", project.id if project else None, status=404,
                           division_code=project.division_code if project else None)
    return project


def _checked_roles(actor: Actor, roles: list[tuple[int, str]], project: Project | None) -> set[tuple[int, str]]:
    """Roles only for the firm's current staff (or people already on this project before they left);
    any other person id is tampering: 404 and an audit event."""
    allowed_earlier = {r.person_id for r in project.roles} if project is not None else set()
    current_staff = set(db.session.scalars(
        select(Employment.person_id).where(Employment.unit_id == actor.unit_id, Employment.ended_on.is_(None))
    ))
    chosen = set()
    for person_id, role in roles:
        if not role:
            continue
        if person_id not in current_staff and person_id not in allowed_earlier:
            raise AccessDenied(actor, "assign role", "person", person_id, status=404)
        if role not in ROLES:
            raise RuleViolation("people", "人员角色不存在", "unknown role")
        chosen.add((person_id, role))
    return chosen


def project_snapshot(project: Project) -> dict:
    """The project with its people and roles, as kept in ProjectVersion and the audit log."""
    return {**snapshot(project),
            "people": sorted([{"person_id": r.person_id, "role": r.role} for r in project.roles],
                             key=lambda r: (r["person_id"], r["role"]))}


def locked_fields(project: Project) -> tuple[str, ...]:
    """The fields of the project its firm can no longer change: see `rules.authority`."""
    reviewed = db.session.scalar(select(Review.id).where(Review.project_id == project.id).limit(1)) is not None
    complained = db.session.scalar(select(Complaint.id).where(Complaint.project_id == project.id).limit(1)) is not None
    return locked_for_firm(recorded_by_authority=complained or project.non_disclosure_reason is not None,
                           completed=project.completed_on is not None, reviewed=reviewed)


def _enqueue(project: Project, person_ids) -> None:
    enqueue_for_index("unit", project.unit_id)
    for person_id in sorted(person_ids):
        enqueue_for_index("person", person_id)


def bans_binding(unit_id: int | None, person_ids: set[int]) -> list[Ban]:
    """Every practice ban of the firm and of these people, withheld ones included: a ban binds whether or not
    it is published."""
    bans = []
    if unit_id is not None:
        bans += [Ban("本单位", "your firm", p.decision_number, p.decided_on, None if p.ban_lifetime else p.ban_until)
                 for p in db.session.scalars(select(Penalty).where(Penalty.unit_id == unit_id, _has_ban()))]
    if person_ids:
        bans += [Ban(name, name, p.decision_number, p.decided_on, None if p.ban_lifetime else p.ban_until)
                 for p, name in db.session.execute(
                     select(Penalty, Person.name).join(Person, Person.id == Penalty.person_id)
                     .where(Penalty.person_id.in_(person_ids), _has_ban()))]
    return bans


def _has_ban():
    return or_(Penalty.ban_lifetime.is_(True), Penalty.ban_until.is_not(None))


@service
def create_project(actor: Actor, data: ProjectData, roles: list[tuple[int, str]]) -> Project:
    """Record a project of the actor's firm, with the staff on it and their roles."""
    unit = own_unit(actor, actor.unit_id, "add project")
    check_may_add_project(unit.ceased_on)
    chosen = _checked_roles(actor, roles, None)
    values = validated(data)
    check_no_active_ban(values["started_on"], bans_binding(unit.id, {p for p, _ in chosen}))
    project = Project(ref=new_project_ref(), unit_id=unit.id, **values)
    db.session.add(project)
    db.session.flush()
    for person_id, role in sorted(chosen):
        db.session.add(ProjectRole(project_id=project.id, person_id=person_id, role=role))
    db.session.flush()
    db.session.refresh(project, ["roles"])
    record_event(actor, "project_created", project, after=project_snapshot(project))
    _enqueue(project, {p for p, _ in chosen})
    return project


@service
def update_project(actor: Actor, ref: str, data: ProjectData, roles: list[tuple[int, str]]) -> Project:
    """Correct a project; the previous version (with its people) is kept, the audit log has both."""
    project = own_project(actor, ref, "edit")
    chosen = _checked_roles(actor, roles, project)
    values = validated(data)
    before = project_snapshot(project)
    current = {(r.person_id, r.role) for r in project.roles}
    changed = {k for k, v in values.items() if getattr(project, k) != v} | ({"people"} if chosen != current else set())
    if not changed:
        return project
    check_firm_change(changed, locked_fields(project))
    # a new start date meets every ban of the firm and its people; an unchanged one only the newly named people's
    newly_named = {p for p, _ in chosen} - {p for p, _ in current}
    check_no_active_ban(values["started_on"], bans_binding(
        project.unit_id if "started_on" in changed else None,
        {p for p, _ in chosen} if "started_on" in changed else newly_named))
    replace_project(actor, project, before, values, chosen)
    db.session.flush()
    record_event(actor, "project_updated", project, before=before, after=project_snapshot(project))
    _enqueue(project, {p for p, _ in chosen | current})
    return project


def replace_project(actor: Actor, project: Project, before: dict, values: dict, chosen: set[tuple[int, str]]) -> None:
    """Keep the project as it was (`before`) in a ProjectVersion row, then give it these values and exactly the
    chosen (person, role) pairs, one version later: the firm's edit and an accepted correction both write so."""
    current = {(r.person_id, r.role) for r in project.roles}
    db.session.add(next_version(project, ProjectVersion, before, replaced_by_account_id=actor.account_id))
    for key, value in values.items():
        setattr(project, key, value)
    for role in list(project.roles):
        if (role.person_id, role.role) not in chosen:
            project.roles.remove(role)
            db.session.delete(role)  # the earlier roles live on in the ProjectVersion row just written
    for person_id, role in sorted(chosen - current):
        project.roles.append(ProjectRole(person_id=person_id, role=role))
