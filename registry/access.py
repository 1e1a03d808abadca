"""Who may see and do what: the actor, the roles, jurisdiction (as a predicate and as SQL), and `deny()`.

A refusal is an `AccessDenied`: 404 for a practitioner (a firm never learns that another firm's record
exists), 403 for anyone else. Whoever finds the actor out of reach raises it; nothing is written then. It is
audited exactly once, by `deny()`, in a short transaction of its own after the refused work was rolled back:
`@service` calls it for a refused write, the request's error handler for a refused read or page. So a query
never writes, and a refusal is audited whichever layer made it.

A regulator acts only within the division of its account (a province XX0000, a city XXXX00 or a county):
anything else is refused with a 403 and audited, whatever the URL or the form says.
"""
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_, select, union

from registry.database import begin_write, pattern, prefix_range
from registry.extensions import db
from registry.models import AuditEvent, Complaint, Employment, Penalty, Project, ProjectRole, Review, Unit, UnitVersion
from registry.rules.authority import record_authority
from registry.rules.divisions import jurisdiction_prefix, within_jurisdiction

STAFF_ROLES = ("regulator", "admin")
PRACTITIONER_ROLES = ("unit", "person")


@dataclass(frozen=True)
class Actor:
    """Who acts: an account, or the system (import, demo, command line)."""

    account_id: int | None
    label: str
    role: str = "system"
    unit_id: int | None = None
    person_id: int | None = None
    division_code: str | None = None
    authority_name: str | None = None
    ip: str | None = None

    @classmethod
    def of(cls, account, ip: str | None = None) -> "Actor":
        return cls(
            account_id=account.id,
            label=account.username,
            role=account.role,
            unit_id=account.unit_id,
            person_id=account.person_id,
            division_code=account.division_code,
            authority_name=account.authority_name,
            ip=ip,
        )


SYSTEM = Actor(account_id=None, label="system")


class AccessDenied(Exception):
    """The actor may not touch this record: 404 for practitioners (no existence leak), 403 for regulators."""

    def __init__(self, actor: Actor, action: str, record_type: str | None, record_id, status: int = 403,
                 division_code: str | None = None):
        super().__init__(f"{actor.label} may not {action} {record_type} {record_id}")
        self.actor, self.action, self.status = actor, action, status
        self.record_type, self.record_id, self.division_code = record_type, record_id, division_code
        self.audited = False


def deny(denial: AccessDenied) -> AccessDenied:
    """Audit a refusal, once, in a transaction of its own (whatever was under way is rolled back first: a
    refused request keeps nothing), and hand it back to raise."""
    if denial.audited:
        return denial
    db.session.rollback()
    begin_write()
    db.session.add(AuditEvent(
        actor_account_id=denial.actor.account_id,
        actor=denial.actor.label,
        action="access_denied",
        record_type=denial.record_type,
        # a tampered id beyond the database's integers names no record (and would not fit the column)
        record_id=denial.record_id if isinstance(denial.record_id, int) and 0 < denial.record_id < 2**31 else None,
        division_code=denial.division_code,
        detail=f"{denial.action} refused ({denial.status})",
        ip=denial.actor.ip,
    ))
    db.session.commit()
    denial.audited = True
    return denial


# ---- roles --------------------------------------------------------------------------------------------------

def is_national_admin(actor: Actor) -> bool:
    """The national administrator, or the system acting from the command line."""
    return actor.role == "admin" or (actor.role == "system" and actor.account_id is None)


def require_admin(actor: Actor, action: str, record_type: str | None = None, record_id=None) -> None:
    """Refuse (403) anyone but the national administrator."""
    if not is_national_admin(actor):
        raise AccessDenied(actor, action, record_type, record_id)


# ---- jurisdiction as a predicate ------------------------------------------------------------------------------

def in_reach(actor: Actor, division_code: str | None) -> bool:
    """A regulator with a jurisdiction, and the division lies within it."""
    return actor.role == "regulator" and bool(actor.division_code) and within_jurisdiction(actor.division_code,
                                                                                          division_code)


def require_jurisdiction(actor: Actor, action: str, record, division_code: str | None) -> None:
    """Refuse (403) a regulator acting on a record that lies outside its division."""
    if not in_reach(actor, division_code):
        raise AccessDenied(actor, action, record.__tablename__, record.id, division_code=division_code)


def owning_division(record) -> str | None:
    """The division that owns a record: where the firm or project lies, the authority that received the
    complaint or recorded the review, the deciding authority of a penalty (never the firm's code of today)."""
    if isinstance(record, (Unit, Project)):
        return record.division_code
    if isinstance(record, (Review, Complaint)):
        return record_authority(record.authority_division_code, record.project.division_code)
    if isinstance(record, Penalty):
        return record.authority_division_code
    return None


# ---- the subject of a record ----------------------------------------------------------------------------------

# The records a subject may speak to (`rules.statements.RECORD_TYPES`), by the name the pages and forms use.
SUBJECT_RECORDS = {"review": Review, "penalty": Penalty, "finding": Complaint}


def subject_of(record) -> tuple[int | None, int | None]:
    """The (firm, person) a record is about: a penalty's party; the firm whose project a review or finding
    concerns."""
    if isinstance(record, Penalty):
        return record.unit_id, record.person_id
    return record.project.unit_id, None


def require_subject(actor: Actor, action: str, record_type: str, record_id: int):
    """The review, penalty or verified finding `record_id` when it is about the acting firm or person; refused
    otherwise (404 for a practitioner: a firm never learns that a record about another exists)."""
    model = SUBJECT_RECORDS.get(record_type)
    record = db.session.get(model, record_id) if model is not None and 0 < record_id < 2**31 else None
    if isinstance(record, Complaint) and record.status != "substantiated":
        record = None  # only a verified finding is a record about the firm
    if record is not None and actor.role in PRACTITIONER_ROLES:
        unit_id, person_id = subject_of(record)
        own = actor.unit_id if actor.role == "unit" else actor.person_id
        if own is not None and own == (unit_id if actor.role == "unit" else person_id):
            return record
    raise AccessDenied(actor, action, model.__tablename__ if model is not None else None, record_id,
                       status=404 if actor.role in PRACTITIONER_ROLES else 403)


# ---- jurisdiction as SQL --------------------------------------------------------------------------------------

def in_jurisdiction(column, actor: Actor):
    """A SQL clause: the division column lies within the actor's jurisdiction."""
    return column.like(pattern(jurisdiction_prefix(actor.division_code) + "%"))


def in_jurisdiction_range(column, actor: Actor):
    """`in_jurisdiction`, with the jurisdiction's prefix beside it as a range, which an index on the column answers
    (SQLite reads no index for LIKE on a case-sensitive column). For counts, and lists that read every row of the
    jurisdiction anyway: a list that walks another order and stops at its first page does better without (the
    planner would read the whole jurisdiction through the range instead)."""
    return _within(column, jurisdiction_prefix(actor.division_code))


def _within(column, prefix: str):
    """A SQL clause: the division column begins with `prefix`, by LIKE (the exact test) and as a range beside it."""
    return and_(column.like(pattern(prefix + "%")), *prefix_range(column, prefix))


def authority_of(record_class):
    """A SQL expression: the division of the authority a review or complaint belongs to (`record_authority`).
    Needs Project joined."""
    return func.coalesce(record_class.authority_division_code, Project.division_code)


def unit_linked(jurisdiction_code: str):
    """A SQL clause: the firm is registered in the jurisdiction, was registered there before it moved, or has
    a project located there or a review or complaint held there. A firm that moves keeps its earlier records
    with the authorities that made them. (A penalty decided there alone does not open the firm's page: the
    penalty's own page is the deciding authority's.)"""
    prefix = pattern(jurisdiction_prefix(jurisdiction_code) + "%")
    return or_(
        Unit.division_code.like(prefix),
        exists().where(UnitVersion.unit_id == Unit.id, UnitVersion.data["division_code"].as_string().like(prefix)),
        exists().where(Project.unit_id == Unit.id, Project.division_code.like(prefix)),
        exists(select(Review.id).join(Project, Project.id == Review.project_id)
               .where(Project.unit_id == Unit.id, authority_of(Review).like(prefix))),
        exists(select(Complaint.id).join(Project, Project.id == Complaint.project_id)
               .where(Project.unit_id == Unit.id, authority_of(Complaint).like(prefix))),
    )


def units_linked(jurisdiction_code: str):
    """The ids of the firms `unit_linked` keeps, as one select for a list, where `unit_linked` tests a firm: each
    way to be linked read through its own index (a province's list of firms tested every firm of the country
    five ways, 0.9 s at national scale on SQLite). A review or complaint without an authority of its own belongs
    to its project's division, so the projects located there already name its firm: the rest are read by their
    authority's division. tests/regulator/test_lists.py checks that both give the same firms."""
    prefix = jurisdiction_prefix(jurisdiction_code)
    return union(
        select(Unit.id).where(_within(Unit.division_code, prefix)),
        select(UnitVersion.unit_id).where(_within(UnitVersion.data["division_code"].as_string(), prefix)),
        select(Project.unit_id).where(_within(Project.division_code, prefix)),
        select(Project.unit_id).join(Review, Review.project_id == Project.id)
        .where(_within(Review.authority_division_code, prefix)),
        select(Project.unit_id).join(Complaint, Complaint.project_id == Project.id)
        .where(_within(Complaint.authority_division_code, prefix)),
    )


def unit_division_in(unit: Unit, jurisdiction_code: str) -> str | None:
    """The firm's division if the firm is linked to the jurisdiction (`unit_linked`), else None."""
    if within_jurisdiction(jurisdiction_code, unit.division_code):
        return unit.division_code
    linked = db.session.scalar(select(Unit.id).where(Unit.id == unit.id, unit_linked(jurisdiction_code)))
    return jurisdiction_code if linked is not None else None


def person_division_in(person_id: int, jurisdiction_code: str) -> str | None:
    """A division within the jurisdiction that links to the person (employer, project, penalty), or None."""
    prefix = pattern(jurisdiction_prefix(jurisdiction_code) + "%")
    queries = (
        select(Unit.division_code).join(Employment, Employment.unit_id == Unit.id)
        .where(Employment.person_id == person_id, Unit.division_code.like(prefix)),
        select(Project.division_code).join(ProjectRole, ProjectRole.project_id == Project.id)
        .where(ProjectRole.person_id == person_id, Project.division_code.like(prefix)),
        select(Penalty.authority_division_code)
        .where(Penalty.person_id == person_id, Penalty.authority_division_code.like(prefix)),
    )
    for query in queries:
        code = db.session.scalar(query.limit(1))
        if code:
            return code
    return None


def may_decide_penalty(jurisdiction_code: str | None, unit_id: int | None, person_id: int | None) -> bool:
    """An authority decides penalties on parties within its reach (Administrative Penalty Law art. 22): a firm
    registered in its jurisdiction or a person working for one, or a party to a project located there, where
    the violation happened."""
    if not jurisdiction_code:
        return False
    prefix = pattern(jurisdiction_prefix(jurisdiction_code) + "%")
    if unit_id is not None:
        places = (select(Unit.id).where(Unit.id == unit_id, Unit.division_code.like(prefix)),
                  select(Project.id).where(Project.unit_id == unit_id, Project.division_code.like(prefix)))
    else:
        places = (select(Employment.id).join(Unit, Unit.id == Employment.unit_id)
                  .where(Employment.person_id == person_id, Employment.ended_on.is_(None), Unit.division_code.like(prefix)),
                  select(ProjectRole.id).join(Project, Project.id == ProjectRole.project_id)
                  .where(ProjectRole.person_id == person_id, Project.division_code.like(prefix)))
    return any(db.session.scalar(place.limit(1)) is not None for place in places)
