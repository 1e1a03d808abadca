"""The public rates, in SQL: first-pass and on-time rates over public records only (DESIGN §3), through the
clauses of `registry.visibility`."""
from datetime import date

from sqlalchemy import case, func, select

from registry import clock
from registry.models import Project, ProjectRole, Review, Unit
from registry.rules.rates import Rate
from registry.visibility import on_time_counted, project_public, review_public


def _rates(rows) -> dict[int, Rate]:
    return {key: Rate(int(part or 0), int(total)) for key, part, total in rows}


def unit_first_pass(session, unit_ids) -> dict[int, Rate]:
    """First-pass rate per firm over its public review outcomes: first rounds passed / first rounds."""
    rows = session.execute(
        select(Project.unit_id, func.sum(case((Review.passed, 1), else_=0)), func.count())
        .select_from(Review)
        .join(Project, Project.id == Review.project_id)
        .join(Unit, Unit.id == Project.unit_id)
        .where(Review.round == 1, review_public(), Project.unit_id.in_(unit_ids))
        .group_by(Project.unit_id)
    )
    rates = _rates(rows)
    return {unit_id: rates.get(unit_id, Rate(0, 0)) for unit_id in unit_ids}


def unit_on_time(session, unit_ids, today: date | None = None) -> dict[int, Rate]:
    """On-time rate per firm over its public, completed projects that have a contract deadline, on `today`
    (the Beijing date by default): a project found false leaves it from the finding's date."""
    today = today or clock.today()
    rows = session.execute(
        select(Project.unit_id, func.sum(case((Project.completed_on <= Project.contract_deadline, 1), else_=0)),
               func.count())
        .join(Unit, Unit.id == Project.unit_id)
        .where(on_time_counted(today), Project.unit_id.in_(unit_ids))
        .group_by(Project.unit_id)
    )
    rates = _rates(rows)
    return {unit_id: rates.get(unit_id, Rate(0, 0)) for unit_id in unit_ids}


def person_first_pass(session, person_ids) -> dict[int, Rate]:
    """First-pass rate per person over the public reports of public projects in which they held a role."""
    held = (
        select(ProjectRole.person_id, ProjectRole.project_id)
        .join(Project, Project.id == ProjectRole.project_id)
        .join(Unit, Unit.id == Project.unit_id)
        .where(ProjectRole.person_id.in_(person_ids), project_public())
        .distinct()
        .subquery()
    )
    rows = session.execute(
        select(held.c.person_id, func.sum(case((Review.passed, 1), else_=0)), func.count())
        .select_from(held)
        .join(Review, Review.project_id == held.c.project_id)
        .join(Project, Project.id == Review.project_id)
        .join(Unit, Unit.id == Project.unit_id)
        .where(Review.round == 1, review_public())
        .group_by(held.c.person_id)
    )
    rates = _rates(rows)
    return {person_id: rates.get(person_id, Rate(0, 0)) for person_id in person_ids}
