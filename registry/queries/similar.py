"""The similar-parcels page (`/similar`): firms that worked on parcels like the searcher's, ranked by their
matching public projects."""
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Integer, bindparam, func, select

from registry.database import among, in_keys, plan_with_values
from registry.extensions import db
from registry.figures import kept_first_pass
from registry.models import Project, Unit, UnitFigures
from registry.queries.paging import Page, offset
from registry.queries.projects import ProjectRow, project_row_columns
from registry.queries.search import MATCHING_PROJECTS
from registry.queries.sql import (named_values, parcel_conditions, prepared_for_shape, public_projects_per_firm,
                                  read)
from registry.queries.summaries import UnitSummary, unit_summaries
from registry.visibility import project_public


# a firm's matching projects the page lists, the latest first, as many as a search hit shows of its projects; the
# firm's page has the rest. Ten made a page of 20 firms up to 200 rows long, most of its rendering time (national
# SQLite, C3360 in Guangdong: 28.7 -> 20.9 ms a page with five)
SHOWN_PROJECTS = MATCHING_PROJECTS


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
    return public_projects_per_firm(parcel_conditions(industry, min_area, max_area, province, category),
                                    within_place=bool(province), among=among)


def similar_parcels(industry: str | None, min_area: Decimal | None, max_area: Decimal | None,
                    province: str | None, page: int = 1, per_page: int = 20, category: str | None = None) -> Page:
    """Firms that worked on parcels like this one (former industry, area range, province of the parcel; the
    service category of the project), ranked by the number of matching public projects, then by first-pass
    rate.

    Its statements are built once for each set of criteria given (their shape), their values as parameters:
    building them took about 2 ms of a 13 ms page (C2521 in Jiangsu, national SQLite)."""
    counted = parcel_conditions(industry, min_area, max_area, province, category)
    # the page's firms' projects are found by firm (ix_project_parcel: the industry, then the firm), the parcel's
    # place tested on each: as a range, the place led SQLite to read every project of the class in the province
    # and test its firm (C3360 in Guangdong, national: 5,340 projects read for 100; 2.2 -> 0.9 ms)
    shown = parcel_conditions(industry, min_area, max_area, province, category, place_as_range=False)
    counted_values, shown_values = named_values(counted), named_values(shown)
    ranking = prepared_for_shape("similar_parcels", counted_values,
                                 lambda _rules: _ranking_statements(counted, within_place=bool(province)))
    rows, total = _ranked_page(ranking, counted_values, page, per_page)
    ids = [unit_id for unit_id, _ in rows]
    projects: dict[int, list] = defaultdict(list)
    if ids:
        # planned for the page's firms: planned once for any firms (a statement psycopg prepared), PostgreSQL read
        # the whole class and province (C2521 in Jiangsu, national: 8.4 ms; 0.6 planned with them, 0.4 to plan)
        plan_with_values(db.session)
        statement = prepared_for_shape("similar_parcels_shown", shown_values,
                                       lambda _rules: _shown_projects_statement(shown))
        for row in read(statement, {**shown_values, "ids": ids}):
            projects[row.unit_id].append(ProjectRow.from_columns(row))
    summaries = {summary.id: summary for summary in unit_summaries(ids)}
    items = [ParcelMatch(summaries[unit_id], n, projects[unit_id]) for unit_id, n in rows]
    return Page(items, total, page, per_page)


def _shown_projects_statement(conditions: list):
    """The latest SHOWN_PROJECTS projects meeting `conditions` of each of the firms `ids` (a parameter), their
    rows' columns alone, flagged in the same statement (up to 200 projects read whole, then their findings: the
    page's reads 14.8 -> 13.9 ms, C3360 in Guangdong, national SQLite). Each firm's latest only: a large firm
    matched hundreds, all read whole."""
    order = (Project.completed_on.desc(), Project.id)
    ranked = (select(Project.id, func.row_number().over(partition_by=Project.unit_id, order_by=order).label("rank"))
              .join(Unit, Unit.id == Project.unit_id)
              .where(among(Project.unit_id, "ids", db.engine.dialect.name), project_public(), *conditions)
              .subquery())
    return (select(*project_row_columns()).join(ranked, ranked.c.id == Project.id)
            .join(Unit, Unit.id == Project.unit_id).where(ranked.c.rank <= SHOWN_PROJECTS).order_by(*order))


@dataclass(frozen=True)
class _Ranking:
    """The statements ranking the firms of one shape of criteria: the contenders for a page (`skipped`,
    `last_on_page`), and the number of firms alone (a page past the end)."""

    contenders: object
    total: object


def _ranking_statements(conditions: list, within_place: bool) -> _Ranking:
    """`_Ranking` for the firms with public projects meeting `conditions`. A CTE: the page's contenders and the
    count read it twice, and both databases compute a CTE read more than once only once (a subquery was grouped
    three times: 305 of 355 ms, national SQLite)."""
    matching = public_projects_per_firm(conditions, within_place=within_place).cte("matching")
    total = select(func.count()).select_from(matching).scalar_subquery()
    last_on_page = (select(matching.c.n).order_by(matching.c.n.desc())
                    .limit(1).offset(bindparam("last_on_page", type_=Integer)).scalar_subquery())
    contenders = select(matching.c.unit_id, matching.c.n, total.label("total")) \
        .where(total > bindparam("skipped", type_=Integer), matching.c.n >= func.coalesce(last_on_page, 0))
    return _Ranking(contenders, select(total))


def _ranked_page(ranking: _Ranking, values: dict, page: int, per_page: int) -> tuple[list[tuple[int, int]], int]:
    """One page of the matching firms (`unit_id`, `n`), ranked by `n`, then by first-pass rate (none last), then
    by firm; and how many firms match.

    First-pass rates only break ties of matching projects: they are counted for the firms with at least as many
    as the last firm of this page, which are all the firms this page can hold, and by key. Counting every firm's
    reviews in the country was most of the page's time; counting them for the contenders within one statement,
    PostgreSQL misjudged how few they are and read every review (C2631 across the country, national scale: 60
    contenders, 440,740 reviews read, 116 ms)."""
    skipped = offset(max(page, 1), per_page)
    contenders = read(ranking.contenders, {**values, "skipped": skipped,
                                           "last_on_page": skipped + per_page - 1}).all()
    if not contenders:
        return [], read(ranking.total, values).scalar_one()
    # the first-pass counts kept for the contenders (registry/figures.py), read by key: counted from the reviews,
    # PostgreSQL's custom plans read every review (C1713 in Zhejiang, 127 contenders: 47 -> 122 ms a page)
    rates = {}
    for keys in in_keys(db.engine.dialect.name, UnitFigures.unit_id, [row.unit_id for row in contenders]):
        rates.update({unit_id: passed / counted for unit_id, passed, counted in db.session.execute(
            kept_first_pass().where(keys))})
    ranked = sorted(contenders, key=lambda row: (-row.n, row.unit_id not in rates, -rates.get(row.unit_id, 0),
                                                  row.unit_id))
    return [(row.unit_id, row.n) for row in ranked[skipped:skipped + per_page]], contenders[0].total
