"""The public rates in SQL: first-pass and on-time rates over public records only (DESIGN §3), through the
clauses of `registry.visibility`. Each aggregate is written once, as a select grouped by firm (a firm's are in
registry/figures.py, which keeps them): a list joins it as a subquery to filter and sort by a rate; a page reads
it for the few firms it shows."""
from datetime import date

from sqlalchemy import case, func, literal, select

from registry import clock
from registry.figures import first_pass_counts, first_round, on_time_counts
from registry.models import Project, ProjectRole, Review, Unit
from registry.rules.rates import Rate
from registry.visibility import project_public, review_public


def ratio(part, total):
    """A SQL expression: part / total as a real number, NULL when nothing was counted (so it sorts last)."""
    return case((total > 0, part * literal(1.0) / total), else_=None)


def rates_of(rows, keys) -> dict[int, Rate]:
    """A Rate for every key, Rate(0, 0) for a key with nothing counted."""
    found = {key: Rate(int(part or 0), int(total)) for key, part, total in rows}
    return {key: found.get(key, Rate(0, 0)) for key in keys}


def unit_first_pass(session, unit_ids) -> dict[int, Rate]:
    """First-pass rate per firm over its public review outcomes: first rounds passed / first rounds."""
    return rates_of(session.execute(first_pass_counts().where(Project.unit_id.in_(unit_ids))), unit_ids)


def unit_on_time(session, unit_ids, today: date | None = None) -> dict[int, Rate]:
    """On-time rate per firm over its public, completed projects that have a contract deadline, on `today`
    (the Beijing date by default): a project found false leaves it from the finding's date."""
    counts = on_time_counts(today or clock.today())
    return rates_of(session.execute(counts.where(Project.unit_id.in_(unit_ids))), unit_ids)


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
        .where(first_round(), review_public())
        .group_by(held.c.person_id)
    )
    return rates_of(rows, person_ids)
