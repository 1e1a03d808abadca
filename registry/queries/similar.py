"""The similar-parcels page (`/similar`): firms that worked on parcels like the searcher's, ranked by their
matching public projects."""
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Project, Unit
from registry.queries.paging import Page, page_with_total
from registry.queries.projects import ProjectRow, flagged_projects
from registry.queries.rates import first_pass_counts, ratio
from registry.queries.sql import parcel_conditions, public_projects_per_firm
from registry.queries.summaries import UnitSummary, unit_summaries
from registry.visibility import project_public


SHOWN_PROJECTS = 10  # a firm's matching projects the page lists, the latest first; the firm's page has the rest


@dataclass
class ParcelMatch:
    """A firm with the public projects on parcels like the searcher's: how many (`matching`), and the latest
    `SHOWN_PROJECTS` of them."""

    unit: UnitSummary
    matching: int
    projects: list = field(default_factory=list)


def matching_project_counts(industry: str | None, min_area: Decimal | None, max_area: Decimal | None,
                            province: str | None, category: str | None = None, among: list[int] | None = None):
    """Per firm (`unit_id`): its public projects on parcels like this one (`n`): former industry, area range,
    province of the parcel, and the service category when given; of the firms `among` when given."""
    conditions = parcel_conditions(industry, min_area, max_area, province, category)
    if among is not None:
        conditions.append(Project.unit_id.in_(among))
    return public_projects_per_firm(conditions)


def similar_parcels(industry: str | None, min_area: Decimal | None, max_area: Decimal | None,
                    province: str | None, page: int = 1, per_page: int = 20, category: str | None = None) -> Page:
    """Firms that worked on parcels like this one (former industry, area range, province of the parcel; the
    service category of the project), ranked by the number of matching public projects, then by first-pass
    rate."""
    conditions = [project_public(), *parcel_conditions(industry, min_area, max_area, province, category)]
    # a CTE: the page, its total and the first-pass contenders read it three times, and both databases compute a
    # CTE read more than once only once (a subquery was grouped three times: 305 of 355 ms, national SQLite)
    matching = matching_project_counts(industry, min_area, max_area, province, category).cte("matching")
    # First-pass rates only break ties of matching projects: they are counted for the firms with at least as
    # many as the last firm of this page, which are all the firms this page can hold (counting every firm's
    # reviews in the country was most of the page's time).
    last_on_page = (select(matching.c.n).order_by(matching.c.n.desc())
                    .limit(1).offset(max(page, 1) * per_page - 1).scalar_subquery())
    contenders = select(matching.c.unit_id).where(matching.c.n >= func.coalesce(last_on_page, 0))
    first_pass = first_pass_counts().where(Project.unit_id.in_(contenders)).subquery("first_pass")
    statement = (select(Unit.id, matching.c.n).join(matching, matching.c.unit_id == Unit.id)
                 .outerjoin(first_pass, first_pass.c.unit_id == Unit.id))
    rows, total = page_with_total(statement.order_by(
        matching.c.n.desc(), ratio(first_pass.c.passed, first_pass.c.total).desc().nulls_last(), Unit.id,
    ), page, per_page)
    ids = [unit_id for unit_id, _ in rows]
    # each firm's latest SHOWN_PROJECTS matching projects only: a large firm matched hundreds, all read whole
    order = (Project.completed_on.desc(), Project.id)
    ranked = (select(Project.id, func.row_number().over(partition_by=Project.unit_id, order_by=order).label("rank"))
              .join(Unit, Unit.id == Project.unit_id).where(Project.unit_id.in_(ids), *conditions).subquery())
    projects: dict[int, list] = defaultdict(list)
    for project in db.session.scalars(select(Project).join(ranked, ranked.c.id == Project.id)
                                      .where(ranked.c.rank <= SHOWN_PROJECTS).order_by(*order)):
        projects[project.unit_id].append(project)
    flagged = flagged_projects([p.id for items in projects.values() for p in items])
    summaries = {summary.id: summary for summary in unit_summaries(ids)}
    items = [ParcelMatch(summaries[unit_id], n, [ProjectRow.of(p, flagged) for p in projects[unit_id]])
             for unit_id, n in rows]
    return Page(items, total, page, per_page)
