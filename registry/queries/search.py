"""The search page (`/search`), the home page's counts (`/`) and the API's firm and person lists
(`/api/v1/units`, `/api/v1/persons`): firms by text and filters, sorted; persons by name and firm.

Every query shows public records only (the clauses of `registry.visibility`); rates are computed in SQL from
public records only (DESIGN §3). The text query is answered by the search index, then checked against the
database, which is never overruled by the index."""
from array import array
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cache, partial

from sqlalchemy import Date, Integer, any_, bindparam, exists, func, or_, select, true, union_all
from sqlalchemy.dialects.postgresql import ARRAY

from registry.clock import today
from registry.database import ESCAPE, among, escape_like, pattern
from registry.extensions import db
from registry.figures import kept_first_pass, kept_projects, on_time_counts
from registry.generation import once_per_generation
from registry.models import Employment, Penalty, Person, Project, Unit, UnitCategory, UnitVersion
from registry.models.project import recency
from registry.queries.paging import Page, offset, page_with_total
from registry.queries.rates import ratio
from registry.queries.sql import (named_values, parcel_conditions, prepared, prepared_for_shape,
                                  projects_per_basic_public_firm, public_projects_per_firm, read, starts_with_code)
from registry.queries.summaries import person_summaries, unit_summaries
from registry.rules.industries import is_industry_class
from registry.search import Scope, backend, estimate_matches, search_ids
from registry.search.documents import FOLDED_PROJECTS
from registry.search.text import code_query, marked_pieces, query_parts, words
from registry.visibility import (
    ban_public, penalty_public, person_basic_public, person_listed, project_public, project_public_of_basic_public_firm,
    unit_basic_public, unit_listed,
)

SEARCH_RESULT_CAP = 1000  # text matches counted at most (a public search is not a bulk download)
MATCH_FIELDS = ("name", "former_name", "uscc", "address", "project_ref", "project_name", "parcel_name", "owner")
MATCHING_PROJECTS = 5  # a hit's public projects read to say where its query occurs, the most recent first
UNIT_SORTS = ("relevance", "first_pass", "on_time", "projects", "name")


@dataclass
class UnitFilters:
    """The search filters of the portal and of `GET /api/v1/units`."""

    q: str | None = None
    category: str | None = None
    province: str | None = None
    industry: str | None = None
    min_area: Decimal | None = None
    max_area: Decimal | None = None
    has_penalty: bool | None = None
    banned: bool | None = None
    min_first_pass: int | None = None  # percent
    sort: str = "relevance"

    def any_sql_filter(self) -> bool:
        """True when a filter other than the text query is set."""
        return any(value is not None for value in (
            self.category, self.province, self.industry, self.min_area, self.max_area, self.has_penalty,
            self.banned, self.min_first_pass))


def _project_count():
    """The number of public projects of the (outer) firm, as kept (registry/figures.py)."""
    return kept_projects(Unit.id)


def _parcel_filtered(filters: UnitFilters) -> bool:
    return bool(filters.industry) or filters.min_area is not None or filters.max_area is not None


def _matching_projects_per_firm(filters: UnitFilters):
    """Per firm (`unit_id`), its public projects matching the parcel filters (industry, area range): `n`; a firm
    is in this subquery exactly when a public project of its matches (the second case of `unit_listed`).

    Across the country, the matching projects are read once, through the index on the former industry, and
    counted by firm. Within a province, for a class (`_among_firm_province`), the class's projects of the
    province's firms are read through the index on the class and the firm's province (ix_project_parcel_firm_place:
    each project holds its firm's province, kept by the database) and counted by firm, the firms whose basic
    information is withheld set aside by their index, not each counting firm's row read to test it. Otherwise the
    province's firms are read through the index on their division and each firm's matching projects counted
    through the index on the firm and the parcel: a coarser code, or an area alone, matches more projects in the
    country than the province's firms have."""
    parcel, of_firm = _parcel_clauses(filters)
    if not filters.province:
        return public_projects_per_firm(parcel).subquery("matching")
    if _among_firm_province(filters):
        # the firms are those whose basic information is public, a province being basic information
        return projects_per_basic_public_firm([*of_firm, *parcel]).subquery("matching")
    # the firms are those whose basic information is public: their public projects are those not withheld, and
    # the count reads nothing of the firm but its id (national SQLite, C2521 among Jiangsu's firms: the firm's row
    # was read for each of 5,827 firms to test the clauses of `project_public` again)
    n = (select(func.count()).select_from(Project)
         .where(Project.unit_id == Unit.id, project_public_of_basic_public_firm(), *parcel)
         .correlate(Unit).scalar_subquery())
    # fenced (OFFSET 0): otherwise PostgreSQL pulls the subquery up and counts each firm's projects twice, once
    # for the test and once for the order
    firms = (select(Unit.id.label("unit_id"), n.label("n"))
             .where(unit_basic_public(), *of_firm).offset(0).subquery("firms"))
    return select(firms).where(firms.c.n > 0).subquery("matching")


def _among_firm_province(filters: UnitFilters) -> bool:
    """True when a parcel search among one province's firms reads the projects of its class held under the firms'
    province (ix_project_parcel_firm_place), rather than probing each of the province's firms: for a class alone.
    National scale, in process: C2521 among Jiangsu's firms 20-36 -> 9-11 ms on PostgreSQL, 10-11 -> 7 on SQLite;
    for a coarser code the index reads the code's projects of every province, and the probes were faster (section
    C among Beijing's firms: 17-21 against 98-102 ms on PostgreSQL, 13 against 66 on SQLite)."""
    return bool(filters.province and filters.industry) and is_industry_class(filters.industry.upper())


def _parcel_clauses(filters: UnitFilters) -> tuple[list, list]:
    """A parcel search's clauses on the projects (`parcel_conditions`) and on the firm (the province of a
    firm, where the search gives one: as each project holds it, or the firm's own division), their values named
    parameters (`named_values`)."""
    if not filters.province:
        of_firm = []
    elif _among_firm_province(filters):
        of_firm = [Project.firm_province == bindparam("firm_place", filters.province)]
    else:
        of_firm = [starts_with_code(Unit.division_code, filters.province, "firm_place")]
    return parcel_conditions(filters.industry, filters.min_area, filters.max_area), of_firm


@dataclass(frozen=True)
class _ParcelPage:
    """A parcel search's statements of one shape of criteria (`_parcel_page`): a page of its firms with their
    number beside (`per_page`, `skipped`), and their number alone (a page past the end)."""

    page: object
    total: object


def _parcel_page(filters: UnitFilters, page: int, per_page: int, day: date) -> tuple[list[int], int]:
    """A page of a parcel search's firms in relevance order, where their matching projects alone decide them
    (`_matching_decides`), and how many there are. The statements are built once for each shape of criteria
    (`prepared`) and run with this search's values (`named_values`): no clause of this order holds the day
    (`_kept_firms`). Building them took about 2 ms of an 11 ms search (C2521 in Jiangsu, national SQLite)."""
    values = named_values([clause for clauses in _parcel_clauses(filters) for clause in clauses])

    def build(_rules) -> _ParcelPage:
        ordered = _firms_in_order(filters, day)
        return _ParcelPage(
            ordered.add_columns(func.count().over().label("page_total"))
            .limit(bindparam("per_page", type_=Integer)).offset(bindparam("skipped", type_=Integer)),
            select(func.count()).select_from(ordered.order_by(None).subquery()))

    held = prepared_for_shape("parcel_search", values, build)
    rows = read(held.page, {**values, "per_page": per_page, "skipped": offset(page, per_page)}).all()
    if rows:
        return [row.unit_id for row in rows], rows[0].page_total
    return [], read(held.total, values).scalar_one()


def _matching_decides(filters: UnitFilters) -> bool:
    """True when a parcel search's matching projects per firm alone decide which firms it lists: no filter on the
    firm but its province, which `_matching_projects_per_firm` applies itself (with `unit_basic_public`, as
    `_unit_conditions` would)."""
    return (_parcel_filtered(filters) and not filters.category and filters.has_penalty is None
            and filters.banned is None)


def _unit_conditions(filters: UnitFilters, day: date) -> list:
    # A firm's province and categories are basic information, filtered on only where it is public; that alone
    # lists the firm (the first case of `unit_listed`), so the four correlated EXISTS of `unit_listed` are left
    # out, and the province and the category are looked up through their indexes instead of by a scan of every
    # firm (the statement listing the allowed firms was most of a filtered search's time).
    # A firm with a public project matching the parcel filters is listed by that project (the second case of
    # `unit_listed`), so the parcel filters alone decide then: the caller joins the matching projects per firm.
    if filters.category or filters.province:
        conditions = [unit_basic_public()]
    elif _parcel_filtered(filters):
        conditions = []
    else:
        conditions = [unit_listed(day)]
    if filters.category:
        of_category = select(UnitCategory.unit_id).where(UnitCategory.category == filters.category)
        # within a province, its firms are read through ix_unit_public_division and each one's category looked
        # up (Jiangsu and investigation, national scale: 6,841 firms against the category's 17,069); across the
        # country, the category's firms are read through its index
        conditions.append(exists(of_category.where(UnitCategory.unit_id == Unit.id)) if filters.province
                          else Unit.id.in_(of_category))
    if filters.province:
        conditions.append(starts_with_code(Unit.division_code, filters.province))
    # the firms with a public penalty (or an active ban) are few: the firms that have one are read from the
    # penalties (national SQLite, firms with a ban and a C2614 parcel: 54 -> 39 ms), the others tested one by one
    if filters.has_penalty is not None:
        conditions.append(Unit.id.in_(select(Penalty.unit_id).where(penalty_public(day))) if filters.has_penalty
                          else ~exists().where(Penalty.unit_id == Unit.id, penalty_public(day)))
    if filters.banned is not None:
        conditions.append(Unit.id.in_(select(Penalty.unit_id).where(ban_public(day))) if filters.banned
                          else ~exists().where(Penalty.unit_id == Unit.id, ban_public(day)))
    return conditions


def _unit_order(sort: str, first_pass, on_time, counts, matching) -> list:
    if sort == "relevance" and matching is not None:
        # a parcel search without a query: the firms with the most matching projects first, as /similar ranks
        return [matching.c.n.desc(), matching.c.unit_id]
    if sort == "first_pass":
        return [ratio(first_pass.c.passed, first_pass.c.total).desc().nulls_last(),
                func.coalesce(first_pass.c.total, 0).desc(), Unit.id]
    if sort == "on_time":
        return [ratio(on_time.c.on_time, on_time.c.total).desc().nulls_last(),
                func.coalesce(on_time.c.total, 0).desc(), Unit.id]
    if sort == "name":
        return [Unit.name, Unit.id]
    # "projects", and "relevance" without a query: the most active first
    return [counts.desc(), Unit.id]


def hits_wanted(relevance: bool, page: int, per_page: int) -> int:
    """How many text matches a search asks the index for: in relevance order, the hits up to this page and one
    more (to know there is a next page), so a search never pays for matches past its page; another order
    sorts the matches in SQL and needs them all, up to SEARCH_RESULT_CAP."""
    return min(page * per_page + 1, SEARCH_RESULT_CAP) if relevance else SEARCH_RESULT_CAP


def search_units(filters: UnitFilters, page: int = 1, per_page: int = 20, estimate: bool = False) -> Page:
    """Firms matching a text query and filters, sorted, one page of summaries.

    With a text query in relevance order, the index answers in its ranking order and stops after the hits this
    page needs (plus one); the total is then exact only when the index found fewer than it was asked for. With
    `estimate`, such a page also carries the index's estimate of all the matches (without SQL filters, which
    the index's figures cannot see).
    """
    day = today()
    q = (filters.q or "").strip()
    relevance = filters.sort == "relevance"
    if q and relevance and not filters.any_sql_filter():
        # the index's order and no SQL filter: none of the statements below is read, so none is built
        # (`unit_listed`'s clauses alone took longer to build than such a search's SQL to run)
        return _text_page(q, None, "relevance", page, per_page, estimate, day)
    if not q and not _parcel_filtered(filters):
        # the firms in the order asked for are a part of every listed firm in that order, ranked once a data
        # generation (each key of an order is the firm's own, its id last); no filter: a slice of that ranking
        # (the default order counts every firm's public projects: 245 ms a page at national scale, PostgreSQL),
        # and no statement built (the ranking's took 1.3 ms a page)
        ranking = _ranking(filters.sort, day)
        if filters.any_sql_filter():
            allowed = _allowed_firms(filters, day)
            ranking = [unit_id for unit_id in ranking if unit_id in allowed]
        skipped = offset(max(page, 1), per_page)
        return Page(unit_summaries(list(ranking[skipped:skipped + per_page])), len(ranking), page, per_page)
    if not q and relevance and filters.min_first_pass is None:
        # a parcel search without a query: its firms ranked by their matching projects, a page in SQL
        if _matching_decides(filters):
            ids, total = _parcel_page(filters, page, per_page, day)
        else:
            rows, total = page_with_total(_firms_in_order(filters, day), page, per_page)
            ids = [unit_id for unit_id, in rows]
        return Page(unit_summaries(ids), total, page, per_page)
    if q and (excluded := _excluded_firms(filters, day)) is not None:
        return _text_page(q, None, filters.sort, page, per_page, estimate, day, excluded)
    if q and (scope := _index_scope(filters)) is not None:
        return _text_page(q, None, filters.sort, page, per_page, estimate, day, scope=scope)
    allowed = _allowed_firms(filters, day) if filters.any_sql_filter() else None
    if q:
        return _text_page(q, allowed, filters.sort, page, per_page, estimate, day)
    # a parcel search without a query, with a first-pass floor or in another order: every firm it keeps, in order
    if relevance:
        ranked = [unit_id for unit_id in db.session.scalars(
            _firms_in_order(replace(filters, min_first_pass=None), day)) if unit_id in allowed]
    else:
        ranked = _in_order(allowed, filters.sort, day)
    skipped = offset(max(page, 1), per_page)
    return Page(unit_summaries(ranked[skipped:skipped + per_page]), len(ranked), page, per_page)


def _ranking(sort: str, day: date) -> array:
    """Every listed firm's id in the order `sort`, read once a data generation (`once_per_generation`)."""
    return once_per_generation(f"firms by {sort}", lambda: array(
        "i", db.session.scalars(_firms_in_order(UnitFilters(sort=sort), day))))


def _places(sort: str, day: date) -> array:
    """Each listed firm's place in the order `sort`, indexed by firm id (-1: not listed), once a data generation.
    A text query's matches in an order other than relevance are sorted by it in Python, rather than joined in SQL
    to the order's aggregate of every firm (by first-pass rate, national scale: 330 ms a search on SQLite, 900 ms
    on PostgreSQL)."""
    def places() -> array:
        ranking = _ranking(sort, day)
        found = array("i", [-1]) * (max(ranking, default=0) + 1)
        for place, unit_id in enumerate(ranking):
            found[unit_id] = place
        return found
    return once_per_generation(f"firm places by {sort}", places)


def _in_order(ids: list[int], sort: str, day: date) -> list[int]:
    """The listed firms of `ids` in the order `sort` (each key of an order is the firm's own, its id last, so the
    order of the whole ranking is the order of any part of it)."""
    places = _places(sort, day)
    return sorted((unit_id for unit_id in ids if unit_id < len(places) and places[unit_id] >= 0),
                  key=places.__getitem__)


def _first_pass_at_least(percent: int, day: date) -> set[int]:
    """The listed firms whose first-pass rate is at least `percent`, with a first round counted: from every
    firm's counts (kept: `kept_first_pass`), read once a data generation, as the SQL filter would compare them
    (`passed * 100 >= total * percent`), rather than aggregated over every review of the registry for each
    search (national scale: 370 ms on SQLite, 970 ms on PostgreSQL)."""
    def counts() -> tuple[array, array]:
        rows = db.session.execute(kept_first_pass()).all()
        size = max((unit_id for unit_id, _, _ in rows), default=0) + 1
        passed, total = array("i", [0]) * size, array("i", [0]) * size
        for unit_id, passed_here, total_here in rows:
            passed[unit_id], total[unit_id] = int(passed_here or 0), int(total_here)
        return passed, total
    passed, total = once_per_generation("first-pass counts", counts)
    return {unit_id for unit_id in _ranking("first_pass", day)
            if unit_id < len(total) and total[unit_id] and passed[unit_id] * 100 >= total[unit_id] * percent}


def _index_scope(filters: UnitFilters) -> Scope | None:
    """The filters as the scope the index restricts a text query to, when they are a province, a practice
    category or both and nothing else, and the search backend keeps each firm's scope in its document
    (`backend().scopes`): no statement listing the firms they allow, and no list of them sent back to the index
    (环保 among Jiangsu's investigation firms, national PostgreSQL: 2,014 firms). None otherwise."""
    if not (filters.province or filters.category) or not backend().scopes:
        return None
    if replace(filters, province=None, category=None).any_sql_filter():
        return None
    return Scope(filters.province, filters.category)


def _allowed_firms(filters: UnitFilters, day: date) -> set[int] | None:
    """The listed firms the filters other than the text query keep (None: no filter, every firm): the first-pass
    rate through `_first_pass_at_least`; penalties and bans alone through `_penalty_filtered`; the others in SQL
    (`_kept_firms`)."""
    others = replace(filters, min_first_pass=None)
    if not others.any_sql_filter():
        kept = None
    elif not replace(others, has_penalty=None, banned=None).any_sql_filter():  # penalties and bans alone
        kept = _penalty_filtered(others, day)
    else:
        kept = set(db.session.scalars(_kept_firms(others, day)[0]))
    if filters.min_first_pass is None:
        return kept
    rated = _first_pass_at_least(filters.min_first_pass, day)
    return rated if kept is None else kept & rated


def _penalty_filtered(filters: UnitFilters, day: date) -> set[int]:
    """The listed firms with (or without) a public penalty, and with (or without) an active public ban, as
    `filters` ask: every listed firm (a ranking's, read once a data generation) and the few firms with a penalty
    or a ban, rather than a test of the four ways to be listed for each firm of the country (national scale:
    94 ms on SQLite, 145 ms on PostgreSQL)."""
    kept = set(_ranking("name", day))
    for wanted, public in ((filters.has_penalty, penalty_public), (filters.banned, ban_public)):
        if wanted is not None:
            kept = kept & _having(public, day) if wanted else kept - _having(public, day)
    return kept


def _having(public, day: date) -> set[int]:
    """The firms with a penalty that `public` (`penalty_public` or `ban_public`) shows on `day`."""
    return set(db.session.scalars(select(Penalty.unit_id).where(Penalty.unit_id.is_not(None), public(day))))


def _excluded_firms(filters: UnitFilters, day: date) -> set[int] | None:
    """The firms to leave out when the filters only leave out firms, those with a public penalty
    (`has_penalty=false`) or an active ban (`banned=false`): a few (1,248 and 537 of 50,000, national scale);
    None when they do anything else."""
    others = replace(filters, has_penalty=None, banned=None)
    if others.any_sql_filter() or True in (filters.has_penalty, filters.banned) or \
            (filters.has_penalty, filters.banned) == (None, None):
        return None
    excluded: set[int] = set()
    for wanted, public in ((filters.has_penalty, penalty_public), (filters.banned, ban_public)):
        if wanted is False:
            excluded |= _having(public, day)
    return excluded


def _hits_excluding(q: str, excluded: set[int], limit: int) -> list[int]:
    """The index's first `limit` firm hits that are not `excluded`: the first hits with as many more as may be
    left out, those left out dropped (the hits in between keep their order), asking for every excluded firm
    more only when more than that many were among them. The allowed set of every other firm (48,000 ids, national
    scale) cost 31 ms a search on Whoosh, 178 ms on PostgreSQL."""
    asked = limit + min(len(excluded), limit)
    while True:
        found = search_ids(q, "unit", limit=asked)
        kept = [unit_id for unit_id in found if unit_id not in excluded]
        if len(kept) >= limit or len(found) < asked or asked >= limit + len(excluded):
            return kept[:limit]
        asked = limit + len(excluded)


def _kept_firms(filters: UnitFilters, day: date):
    """The firms the SQL filters keep, and the parcel filters' matching projects per firm it reads (None without a
    parcel filter). Not the first-pass floor, which `_allowed_firms` applies to what these keep."""
    matching = _matching_projects_per_firm(filters) if _parcel_filtered(filters) else None
    if matching is not None and filters.sort == "relevance" and _matching_decides(filters):
        # the matching projects per firm have read each firm once already, so the firm table is not joined again
        # (national PostgreSQL, across the country: 22,740 firm lookups fewer, 69 -> 50 ms)
        return select(matching.c.unit_id), matching
    kept = select(Unit.id).where(*_unit_conditions(filters, day))
    return (kept.join(matching, matching.c.unit_id == Unit.id) if matching is not None else kept), matching


def _firms_in_order(filters: UnitFilters, day: date):
    """The firms the SQL filters keep (`_kept_firms`), in the order asked for, without a text query."""
    kept, matching = _kept_firms(filters, day)
    # build and join only the aggregate the order needs: each one scans a whole table when it runs, and building
    # its clauses is a good part of a search's Python time when it does not
    first_pass = kept_first_pass().subquery("first_pass") if filters.sort == "first_pass" else None
    on_time = on_time_counts(day).subquery("on_time") if filters.sort == "on_time" else None
    counts = (_project_count() if filters.sort == "projects" or (filters.sort == "relevance" and matching is None)
              else None)
    if first_pass is not None:
        kept = kept.outerjoin(first_pass, first_pass.c.unit_id == Unit.id)
    if on_time is not None:
        kept = kept.outerjoin(on_time, on_time.c.unit_id == Unit.id)
    return kept.order_by(*_unit_order(filters.sort, first_pass, on_time, counts, matching))


def _text_page(q: str, allowed: set[int] | None, sort: str, page: int, per_page: int, estimate: bool,
               day: date, excluded: set[int] | None = None, scope: Scope | None = None) -> Page:
    """A text query's page of firms: the index's hits (among the `allowed` firms when filters are set, or within
    the filters' `scope`, or but the `excluded` ones), in its ranking order, or in the order `sort` of every listed
    firm (`_in_order`)."""
    relevance = sort == "relevance"
    limit = hits_wanted(relevance, page, per_page)
    found = (search_ids(q, "unit", allowed=allowed, scope=scope, limit=limit) if excluded is None
             else _hits_excluding(q, excluded, limit))
    if len(found) < limit:
        found += [unit_id for unit_id in _firms_by_project_ref(q, allowed, scope)
                  if unit_id not in found and unit_id not in (excluded or ())]
    if relevance:
        # never trust the index over the database: keep only firms listed today
        listed = set(read(prepared("listed_firms", _listed_firms), {"ids": found, "day": day}).scalars())
        ranked = [unit_id for unit_id in found if unit_id in listed]
    else:
        ranked = _in_order(found, sort, day)
    window = ranked[offset(page, per_page): page * per_page]
    exact = len(found) < limit
    about = estimate_matches(q, "unit") if estimate and not exact and allowed is None and scope is None else None
    if about and excluded:  # the firms left out that match are found among them (a few): the estimate less them
        about = max(len(ranked), about - len(search_ids(q, "unit", allowed=excluded, limit=len(excluded))))
    if about and about >= 100:
        about = round(about, 2 - len(str(about)))  # two significant digits: it is an estimate
    summaries = unit_summaries(window)
    explain_unit_hits(q, summaries)
    return Page(summaries, len(ranked), page, per_page, total_is_exact=exact, estimate=about)


def _listed_firms(rules):
    """Which of the firms `ids` are listed on `day`, its values as parameters: built once for the table of
    publicity rules (`prepared`), as `unit_listed`'s clauses took longer to build than the statement to run."""
    return select(Unit.id).where(Unit.id.in_(bindparam("ids", expanding=True)),
                                 unit_listed(bindparam("day", type_=Date), rules))


@dataclass(frozen=True)
class Match:
    """One public field a search hit matched in, its text cut into pieces marked where the query occurs (the
    page escapes them and marks the True ones)."""

    field: str  # one of MATCH_FIELDS
    pieces: list[tuple[str, bool]]
    project_ref: str | None = None  # the public project the field belongs to

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.pieces)

    @property
    def marked(self) -> list[list[int]]:
        """The marked pieces as [start, end) character offsets in `text`."""
        spans, start = [], 0
        for text, hit in self.pieces:
            if hit:
                spans.append([start, start + len(text)])
            start += len(text)
        return spans


def explain_unit_hits(q: str, summaries: list) -> None:
    """Say where the query occurs in each firm hit (`summary.matched`): the fields the index searched, from
    public text only (the name; former names and the address when the basic information is public; the credit
    code; its public projects' references, names, parcels and owners), the name first, then as few more as
    cover every part of the query. The order of the hits follows these fields (a name match before a project's),
    which is what the page shows."""
    parts = query_parts(q)
    if not parts or not summaries:
        return
    basic = [s.id for s in summaries if s.basic_public]
    addresses: dict[int, str | None] = {}
    former: dict[int, list[str]] = {}
    if basic:  # each firm's address and earlier versions, in one statement, built once (`prepared`)
        statement = prepared("addresses_and_versions", lambda _rules: select(
            Unit.id, Unit.address, UnitVersion.id, UnitVersion.data)
            .outerjoin(UnitVersion, UnitVersion.unit_id == Unit.id)
            .where(among(Unit.id, "ids", db.engine.dialect.name)).order_by(Unit.id, UnitVersion.id))
        for unit_id, address, version, data in read(statement, {"ids": basic}):
            addresses[unit_id] = address
            if version is not None:
                former.setdefault(unit_id, []).append((data or {}).get("name") or "")
    code = code_query(q)
    mark = _marker(q)
    candidates: dict[int, list[tuple[str, str | None, str | None]]] = {}  # unit id -> (field, text, project)
    for summary in summaries:
        fields = [("name", summary.name, None)]
        fields += [("former_name", name, None) for name in dict.fromkeys(former.get(summary.id, ()))
                   if name != summary.name]
        if code and summary.uscc.startswith(code):
            fields.append(("uscc", summary.uscc, None))
        fields.append(("address", addresses.get(summary.id), None))
        candidates[summary.id] = fields
        summary.matched = _matches(fields, len(parts), mark)
    uncovered = [s for s in summaries if not _covers(s.matched, len(parts), mark)]
    if uncovered:
        for row in _matching_projects(q, parts, [summary.id for summary in uncovered]):
            if row.ref == q.strip():
                candidates[row.unit_id].append(("project_ref", row.ref, row.ref))
            candidates[row.unit_id] += [("project_name", row.name, row.ref), ("parcel_name", row.parcel_name, row.ref),
                                        ("owner", row.owner, row.ref)]
        for summary in uncovered:
            summary.matched = _matches(candidates[summary.id], len(parts), mark)


def explain_person_hits(q: str, summaries: list) -> None:
    """Mark the query in each person hit's name (the only text of a person the index searches)."""
    mark = _marker(q)
    for summary in summaries:
        summary.matched = _matches([("name", summary.name, None)], len(query_parts(q)), mark)


def _marker(q: str) -> Callable[[str], tuple[list[tuple[str, bool]], set[int]]]:
    """`marked_pieces(text, q)`, each text cut once for a page: a hit's fields are cut again to see whether they
    cover the query, and again with its projects' when they do not (a search page cut 187 texts, 102 of them
    different, for 20 firms)."""
    return cache(partial(marked_pieces, query=q))


def _matches(fields: list[tuple[str, str | None, str | None]], parts: int, mark: Callable) -> list[Match]:
    """The name when it holds any of the query; then, in order, each field holding a part of the query whole that
    no field before it held; and if no part is held whole anywhere, the first field holding some of its words
    (`mark`: the `_marker` of the query)."""
    marked = [(name, *mark(text or ""), project) for name, text, project in fields]
    chosen = [Match(name, pieces, project) for name, pieces, _, project in marked[:1] if name == "name" and pieces]
    covered: set[int] = set()
    for name, pieces, found, project in marked:
        if name == "name":
            covered |= found
        elif found - covered and len(covered) < parts:
            chosen.append(Match(name, pieces, project))
            covered |= found
    if not covered and not chosen:
        chosen = [Match(name, pieces, project) for name, pieces, _, project in marked if pieces][:1]
    return chosen


def _covers(matches: list[Match], parts: int, mark: Callable) -> bool:
    """Whether these matches hold every part of the query whole."""
    found: set[int] = set()
    for match in matches:
        found |= mark(match.text)[1]
    return len(found) >= parts


def _matching_projects(q: str, parts: list[str], unit_ids: list[int]) -> list:
    """Up to MATCHING_PROJECTS public projects of each firm whose reference is the query, or which is one of the
    FOLDED_PROJECTS most recent the index folds in and whose name, parcel or owner holds a part of the query or
    one of its words; the most recent first. Each firm's recent projects are read backwards along
    ix_project_recent, so a firm of 2,000 projects costs what one of 100 does (all of them were read and sorted:
    8 ms of a search page's 9 ms of SQL, small scale), and its walk stops at the MATCHING_PROJECTS it shows."""
    terms = list(dict.fromkeys(term for part in parts for term in (part, *words(part)) if term.strip()))
    firms, count = len(unit_ids), len(terms)
    lateral = db.session.get_bind().dialect.name == "postgresql"
    statement = prepared(f"matching_projects:{'lateral' if lateral else firms}:{count}",
                         lambda _rules: _matching_projects_statement(None if lateral else firms, count))
    values = {"ref": q.strip(), **{f"term{n}": "%" + escape_like(term) + "%" for n, term in enumerate(terms)}}
    if lateral:  # an array of the firms
        values["ids"] = unit_ids
    else:  # one parameter a firm
        values.update({f"firm{n}": unit_id for n, unit_id in enumerate(unit_ids)})
    # each firm's matches newest first, and its project of that reference when older than its recent ones
    rows: dict[int, dict[str, object]] = {}
    for row in read(statement, values):
        rows.setdefault(row.unit_id, {}).setdefault(row.ref, row)
    newest_first = lambda row: (row.recency is not None, row.recency, row.id)  # noqa: E731 (NULLs last, as SQL)
    return [row for firm in rows.values()
            for row in sorted(firm.values(), key=newest_first, reverse=True)[:MATCHING_PROJECTS]]


def _matching_projects_statement(firms: int | None, terms: int):
    """The statement of `_matching_projects` for this many firms and terms, their values as parameters (built on
    every page, the visibility clauses of its 20 parts cost more than running it). Each firm's part walks its
    recent public projects and stops at the MATCHING_PROJECTS that hold the query: reading the recent ones by
    id again, then numbering the matches of all firms, cost twice the walk (焦化, 16 firms, national SQLite:
    1.28 ms, 0.62 this way). `firms` None: one part, joined laterally to the array of firms (PostgreSQL), where
    the 20 parts cost more to plan than to run (national PostgreSQL, 农药: 8.9 ms unprepared, 5.5 prepared)."""
    columns = (Project.unit_id, Project.ref, Project.name, Project.parcel_name, Project.owner,
               recency().label("recency"), Project.id)
    # the terms are folded (lower case): PostgreSQL's LIKE tells case apart, so each text is lowered too; SQLite's
    # ignores the case of ASCII letters, the only ones its lower() folds, so there each text is compared as it is
    # (lower() on the ~380 texts a page's walks read was a quarter of the statement: 焦化, national SQLite, 0.76 ->
    # 0.57 ms)
    folded = func.lower if firms is None else (lambda text: text)

    def matching_of(firm, of_row=None):
        recent = (select(*columns).join(Unit, Unit.id == Project.unit_id)
                  .where(Project.unit_id == firm, project_public())
                  .order_by(recency().desc(), Project.id.desc()).limit(FOLDED_PROJECTS))
        # joined laterally to a row of firms (`of_row`), it reads that row's firm alone
        recent = recent.correlate(of_row).lateral("recent") if of_row is not None else recent.subquery()
        holds = or_(recent.c.ref == bindparam("ref"),
                    *(folded(text).like(pattern(bindparam(f"term{n}")), escape=ESCAPE)
                      for text in (recent.c.name, recent.c.parcel_name, recent.c.owner) for n in range(terms)))
        return select(recent).where(holds).limit(MATCHING_PROJECTS)

    if firms is None:
        firm = func.unnest(bindparam("ids", type_=ARRAY(Integer))).table_valued("id").render_derived(name="firm")
        matching = matching_of(firm.c.id, of_row=firm).lateral("matching")
        per_firm = [select(matching).select_from(firm).join(matching, true())]
        same_ref = Project.unit_id == any_(bindparam("ids", type_=ARRAY(Integer)))
    else:
        per_firm = [select(part) for part in (matching_of(bindparam(f"firm{n}")).subquery() for n in range(firms))]
        # the firms' own parameters again, not a list expanded into the statement on every page (0.1 ms of 1.05)
        same_ref = Project.unit_id.in_([bindparam(f"firm{n}") for n in range(firms)])
    older_of_ref = select(*columns).join(Unit, Unit.id == Project.unit_id) \
        .where(Project.ref == bindparam("ref"), same_ref, project_public())
    return union_all(*per_firm, older_of_ref)


def _firms_by_project_ref(q: str, allowed: set[int] | None, scope: Scope | None = None) -> list[int]:
    """The firm of a public project with exactly this reference: the index folds in only recent projects,
    older ones are found by this exact lookup in SQL (DESIGN §4, rule 1). Among the `allowed` firms, or within
    the `scope`, when given."""
    # built once (`prepared`): building `project_public`'s clauses took 0.8 ms, the lookup by key 4 µs
    statement = prepared("firm_by_project_ref", lambda _rules: select(Project.unit_id)
                         .join(Unit, Unit.id == Project.unit_id)
                         .where(Project.ref == bindparam("ref"), project_public()))
    unit_id = read(statement, {"ref": q}).scalar()
    if unit_id is not None and scope is not None:
        within = UnitFilters(province=scope.province, category=scope.category)
        unit_id = read(select(Unit.id).where(Unit.id == unit_id, *_unit_conditions(within, today()))).scalar()
    return [unit_id] if unit_id is not None and (allowed is None or unit_id in allowed) else []


def search_persons(q: str | None, unit_uscc: str | None, page: int = 1, per_page: int = 20) -> Page:
    """Listed persons by name (index) and current firm (credit code); a full ID number finds nothing."""
    day, q = today(), (q or "").strip()
    if q and not unit_uscc:
        # the index's hits, kept when listed today: a statement built once (`_listed_persons`)
        limit = hits_wanted(True, page, per_page)  # persons come in the index's order only
        found = search_ids(q, "person", limit=limit)
        listed = set(read(prepared("listed_persons", _listed_persons), {"ids": found, "day": day}).scalars()) \
            if found else set()
        return _person_hits(q, found, listed, page, per_page, limit)
    statement = select(Person.id).where(person_listed(day))
    if unit_uscc:
        statement = statement.where(person_basic_public(), exists().where(
            Employment.person_id == Person.id, Employment.ended_on.is_(None),
            Employment.unit_id == select(Unit.id).where(Unit.uscc == unit_uscc, unit_listed(day))
            .scalar_subquery()))
    if not q:
        def count() -> int:
            return db.session.scalar(select(func.count()).select_from(statement.subquery()))

        # every listed person, counted once a data generation (200,000 at national scale: 41 ms)
        total = count() if unit_uscc else once_per_generation("listed persons", count)
        window = list(db.session.scalars(statement.order_by(Person.name, Person.id)
                                         .limit(per_page).offset(offset(page, per_page))))
        return Page(person_summaries(window), total, page, per_page)
    limit = hits_wanted(True, page, per_page)
    found = search_ids(q, "person", allowed=set(db.session.scalars(statement)), limit=limit)
    return _person_hits(q, found, set(db.session.scalars(statement.where(Person.id.in_(found)))), page, per_page,
                        limit)


def _person_hits(q: str, found: list[int], listed: set[int], page: int, per_page: int, limit: int) -> Page:
    """A page of the index's person hits `found` (asked for `limit`) that are `listed`, in the index's order."""
    ids = [person_id for person_id in found if person_id in listed]
    summaries = person_summaries(ids[offset(page, per_page): page * per_page])
    explain_person_hits(q, summaries)
    return Page(summaries, len(ids), page, per_page, total_is_exact=len(found) < limit)


def _listed_persons(rules):
    """Which of the persons `ids` are listed on `day` (`_listed_firms`' twin: their clauses took 0.4 ms to build
    on every search page, national SQLite)."""
    return select(Person.id).where(Person.id.in_(bindparam("ids", expanding=True)),
                                   person_listed(bindparam("day", type_=Date), rules))


def counts_overview() -> dict[str, int]:
    """How many firms, persons and projects the public can see today (for the home page)."""
    day = today()
    return {
        "units": db.session.scalar(select(func.count()).select_from(Unit).where(unit_listed(day))),
        "persons": db.session.scalar(select(func.count()).select_from(Person).where(person_listed(day))),
        "projects": db.session.scalar(select(func.count()).select_from(Project).join(Unit, Unit.id == Project.unit_id)
                                      .where(project_public())),
    }
