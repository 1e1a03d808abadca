"""The regulator's work queue: what waits for the official, most urgent first.

Each queue is a source registered by name: a function of the acting official that returns the items of its
jurisdiction, at most `limit` of them, and how many there are in all. Another room adds its own queue (ban
alerts, correction requests) with `register_desk_queue` at import time, and the desk shows it below these.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from registry.access import Actor, authority_of, in_jurisdiction, in_jurisdiction_range
from registry.clock import today
from registry.extensions import db
from registry.i18n import lazy_gettext as _l
from registry.models import (Complaint, Employment, Penalty, Person, Project, RepairApplication, Review, Unit,
                             UnitVersion)
from registry.rules.reports import REPORTS_FOR_CATEGORY
from registry.queries.paging import page_with_total
from registry.queries.receipts import decision_due
from registry.rules.working_days import calendar_covers, update_deadline, update_late, working_days_left

LIMIT = 10


@dataclass
class QueueItem:
    """One thing to act on: what it is, a line of detail, the page that handles it, and its working days left
    (negative: overdue) or the day it has waited since."""

    title: str
    detail: str
    endpoint: str
    args: dict = field(default_factory=dict)
    days_left: int | None = None
    since: date | None = None


@dataclass
class Queue:
    name: str
    title: str
    items: list[QueueItem]
    total: int


QueueSource = Callable[[Actor, int], tuple[list[QueueItem], int]]
QUEUES: dict[str, tuple[object, QueueSource]] = {}


def register_desk_queue(name: str, title, source: QueueSource) -> None:
    """Add a queue to every regulator's desk: `source(actor, limit)` returns (items, total)."""
    QUEUES[name] = (title, source)


def desk_queues(actor: Actor, limit: int = LIMIT) -> list[Queue]:
    """Every registered queue for the official's jurisdiction, in the order they were registered."""
    queues = []
    for name, (title, source) in QUEUES.items():
        items, total = source(actor, limit)
        queues.append(Queue(name, str(title), items, total))
    return queues


def open_complaints(actor: Actor, limit: int) -> tuple[list[QueueItem], int]:
    """Complaints received in the jurisdiction and not yet decided, fewest days left first."""
    where = (in_jurisdiction(authority_of(Complaint), actor), Complaint.status.in_(("received", "verifying")))
    statement = select(Complaint, Project).join(Project, Project.id == Complaint.project_id).where(*where)
    total = db.session.scalar(select(func.count(Complaint.id)).join(Project, Project.id == Complaint.project_id)
                              .where(*where))
    rows = db.session.execute(statement.order_by(Complaint.received_on, Complaint.id).limit(limit))
    day = today()
    return [QueueItem(complaint.ref, project.name, ".complaint", {"complaint_id": complaint.id},
                      working_days_left(day, decision_due(complaint.received_on)))
            for complaint, project in rows], total


def unreviewed_projects(actor: Actor, limit: int) -> tuple[list[QueueItem], int]:
    """Completed projects in the jurisdiction that submit a reviewed report but have no review outcome yet,
    longest waiting first."""
    where = (in_jurisdiction_range(Project.division_code, actor), Project.completed_on.is_not(None),
             Project.category.in_(list(REPORTS_FOR_CATEGORY)),
             ~select(Review.id).where(Review.project_id == Project.id).exists())
    # the first items and the count in one statement: a province's completed projects (Jiangsu, national scale:
    # 137,000, each tested for a review) are read once, not once for each (2 x 140 -> 150 ms on SQLite)
    rows, total = page_with_total(select(Project).where(*where).order_by(Project.completed_on, Project.id), 1, limit)
    return [QueueItem(project.ref, project.name, ".project", {"project_id": project.id}, since=project.completed_on)
            for project, in rows], total


def pending_repairs(actor: Actor, limit: int) -> tuple[list[QueueItem], int]:
    """Credit-repair applications to decide, on penalties of the jurisdiction's authorities, oldest first."""
    where = (RepairApplication.status == "pending", in_jurisdiction(Penalty.authority_division_code, actor))
    statement = select(RepairApplication, Penalty).join(Penalty, Penalty.id == RepairApplication.penalty_id).where(*where)
    total = db.session.scalar(select(func.count(RepairApplication.id))
                              .join(Penalty, Penalty.id == RepairApplication.penalty_id).where(*where))
    rows = db.session.execute(statement.order_by(RepairApplication.applied_on, RepairApplication.id).limit(limit))
    return [QueueItem(penalty.decision_number, penalty.unit.name if penalty.unit else penalty.person.name, ".penalty",
                      {"penalty_id": penalty.id}, since=application.applied_on)
            for application, penalty in rows], total


register_desk_queue("complaints", _l("Complaints to answer, fewest days left first"), open_complaints)
register_desk_queue("unreviewed", _l("Completed projects without a review outcome"), unreviewed_projects)
register_desk_queue("repairs", _l("Credit-repair applications to decide"), pending_repairs)


def late_updates(actor: Actor, limit: int) -> tuple[list[QueueItem], int]:
    """Changes of a firm in the jurisdiction entered more than twenty working days after they happened (the
    commitment letter's promise): its basic information, and a staff member's departure. Latest entry first.
    `update_late` decides each one by the holiday calendar, in Python (a firm changes these a few times a year).
    The changes a firm entered before the registry recorded the day of entry have none and are not judged."""
    in_scope = in_jurisdiction(Unit.division_code, actor)
    versions = db.session.execute(
        select(UnitVersion.changed_on, UnitVersion.entered_on, UnitVersion.id, Unit)
        .join(Unit, Unit.id == UnitVersion.unit_id)
        .where(in_scope, UnitVersion.changed_on.is_not(None), UnitVersion.entered_on.is_not(None)))
    departures = db.session.execute(
        select(Employment.ended_on, Employment.end_entered_on, Employment.id, Unit, Person.name)
        .join(Unit, Unit.id == Employment.unit_id).join(Person, Person.id == Employment.person_id)
        .where(in_scope, Employment.end_entered_on.is_not(None)))
    late = [(entered, changed, unit, _l("basic information")) for changed, entered, _id, unit in versions
            if update_late(changed, entered)]
    late += [(entered, changed, unit, _l("%(name)s left", name=name)) for changed, entered, _id, unit, name in departures
             if update_late(changed, entered)]
    late.sort(key=lambda row: (row[0], row[2].id), reverse=True)
    return [QueueItem(unit.name, f"{what} · {late_detail(changed, entered)}", ".unit", {"unit_id": unit.id},
                      since=changed)
            for entered, changed, unit, what in late[:limit]], len(late)


def late_detail(changed_on: date, entered_on: date) -> str:
    """The two days and the deadline, saying when a year's holidays were not known and weekends alone counted."""
    deadline = update_deadline(changed_on)
    detail = str(_l("changed on %(changed)s, due by %(due)s, entered on %(entered)s", changed=changed_on.isoformat(),
                    due=deadline.isoformat(), entered=entered_on.isoformat()))
    if not calendar_covers(changed_on, deadline):
        detail += " · " + str(_l("working days counted without public holidays: that year's calendar is not known"))
    return detail


register_desk_queue("late_updates", _l("Changes entered more than 20 working days after they happened"),
                    late_updates)
