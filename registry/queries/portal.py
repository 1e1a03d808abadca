"""What the public portal and the public API read: search, profiles, projects, similar parcels.

Every query here shows public records only (the clauses of `registry.visibility`), masked, and reads
in a bounded number of statements whatever the size of a firm (no N+1): lists are loaded per page in
batches keyed by id. Rates are computed in SQL from public records only (DESIGN §3).
"""
import hmac
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from flask import current_app
from sqlalchemy import case, exists, func, literal, or_, select

from registry.clock import today
from registry.extensions import db
from registry.models import Complaint, Employment, Penalty, Person, Project, ProjectRole, Review, Unit, UnitCategory
from registry.queries.paging import Page, offset
from registry.queries.public import person_first_pass, unit_first_pass, unit_on_time
from registry.queries.sql import contains_in_any, parcel_conditions, starts_with
from registry.rules.rates import Rate, days_late
from registry.search import search_ids
from registry.visibility import (
    ban_public, complaint_public, on_time_counted, penalty_public, person_basic_is_public, person_basic_public,
    person_listed, project_public, review_public, unit_basic_is_public, unit_basic_public, unit_listed,
)

SEARCH_RESULT_CAP = 1000  # text matches counted at most (a public search is not a bulk download)
UNIT_SORTS = ("relevance", "first_pass", "on_time", "projects", "name")


@dataclass(frozen=True)
class Ban:
    """A practice ban active today (Soil Law art. 90), or none."""

    active: bool = False
    until: date | None = None
    lifetime: bool = False
    decision_number: str | None = None


NO_BAN = Ban()


class FirmRef(NamedTuple):
    """A firm named by its credit code and name."""

    uscc: str
    name: str


class Period(NamedTuple):
    """The first and last day a rate counts."""

    start: date
    end: date


def _record_field(record: str, name: str, basic: bool = False) -> property:
    """A profile's view of `record.name`; with `basic`, None unless the profile's basic information is public."""
    return property(lambda self: None if basic and not self.basic_public else getattr(getattr(self, record), name))


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


@dataclass
class UnitSummary:
    """A firm as a search hit shows it."""

    id: int
    uscc: str
    name: str
    basic_public: bool
    division_code: str | None
    categories: list[str]
    first_pass: Rate
    on_time: Rate
    project_count: int
    penalty_count: int
    ban: Ban
    finding_count: int = 0  # substantiated false-performance findings, shown beside penalties and bans
    registration_confirmed: bool = True  # False: 单位自主填报，尚未核验
    registered: bool = True  # False: a firm a penalty decision brought in (Soil Law art. 90), marked 未登记

    @property
    def province(self) -> str | None:
        """The firm's two-digit province code, when its basic information is public."""
        return self.division_code[:2] if self.division_code else None

    @property
    def has_penalty(self) -> bool:
        """True when the firm has a public penalty."""
        return self.penalty_count > 0




# -- batch facts about firms -----------------------------------------------------------------------

def _first_pass_stats():
    """Per firm: first rounds passed and counted, over public review outcomes (a subquery)."""
    return (
        select(Project.unit_id.label("unit_id"), func.sum(case((Review.passed, 1), else_=0)).label("passed"),
               func.count().label("total"))
        .select_from(Review).join(Project, Project.id == Review.project_id).join(Unit, Unit.id == Project.unit_id)
        .where(Review.round == 1, review_public())
        .group_by(Project.unit_id).subquery("first_pass")
    )


def _on_time_stats(day: date):
    return (
        select(Project.unit_id.label("unit_id"),
               func.sum(case((Project.completed_on <= Project.contract_deadline, 1), else_=0)).label("on_time"),
               func.count().label("total"))
        .join(Unit, Unit.id == Project.unit_id)
        .where(on_time_counted(day))
        .group_by(Project.unit_id).subquery("on_time")
    )


def _project_counts():
    return (
        select(Project.unit_id.label("unit_id"), func.count().label("n"))
        .join(Unit, Unit.id == Project.unit_id).where(project_public())
        .group_by(Project.unit_id).subquery("project_count")
    )


def _bans(column, ids, day: date) -> dict[int, Ban]:
    """The strongest active public ban per subject (lifetime first, then the latest end)."""
    bans: dict[int, Ban] = {}
    rows = db.session.execute(
        select(column, Penalty.ban_until, Penalty.ban_lifetime, Penalty.decision_number)
        .where(column.in_(ids), ban_public(day)).order_by(Penalty.decided_on)
    )
    for subject, until, lifetime, decision in rows:
        current = bans.get(subject)
        if current is None or (lifetime and not current.lifetime) or (
                not current.lifetime and until and current.until and until > current.until):
            bans[subject] = Ban(True, None if lifetime else until, bool(lifetime), decision)
    return bans


def unit_summaries(ids: list[int]) -> list[UnitSummary]:
    """Search-hit facts for these firms, in the given order, in a fixed number of statements."""
    if not ids:
        return []
    session, day = db.session, today()
    units = {row.id: row for row in session.execute(
        select(Unit.id, Unit.uscc, Unit.name, Unit.division_code, unit_basic_public().label("basic"),
               Unit.registration_confirmed_at.is_not(None).label("confirmed"), Unit.registered)
        .where(Unit.id.in_(ids)))}
    categories: dict[int, list[str]] = defaultdict(list)
    for unit_id, category in session.execute(
            select(UnitCategory.unit_id, UnitCategory.category).where(UnitCategory.unit_id.in_(ids))
            .order_by(UnitCategory.category)):
        categories[unit_id].append(category)
    first_pass = unit_first_pass(session, ids)
    on_time = unit_on_time(session, ids, day)
    counts = dict(session.execute(
        select(Project.unit_id, func.count()).join(Unit, Unit.id == Project.unit_id)
        .where(Project.unit_id.in_(ids), project_public()).group_by(Project.unit_id)).all())
    penalties = dict(session.execute(
        select(Penalty.unit_id, func.count()).where(Penalty.unit_id.in_(ids), penalty_public(day))
        .group_by(Penalty.unit_id)).all())
    bans = _bans(Penalty.unit_id, ids, day)
    findings = dict(session.execute(
        select(Project.unit_id, func.count()).join(Complaint, Complaint.project_id == Project.id)
        .where(Project.unit_id.in_(ids), complaint_public()).group_by(Project.unit_id)).all())
    summaries = []
    for unit_id in ids:
        row = units.get(unit_id)
        if row is None:
            continue
        basic = bool(row.basic)
        summaries.append(UnitSummary(
            id=row.id, uscc=row.uscc, name=row.name, basic_public=basic,
            division_code=row.division_code if basic else None,
            categories=categories[unit_id] if basic else [],
            first_pass=first_pass[unit_id], on_time=on_time[unit_id], project_count=counts.get(unit_id, 0),
            penalty_count=penalties.get(unit_id, 0), ban=bans.get(unit_id, NO_BAN),
            finding_count=findings.get(unit_id, 0), registration_confirmed=bool(row.confirmed),
            registered=bool(row.registered)))
    return summaries


# -- searching firms -------------------------------------------------------------------------------

def _matching_project(filters: UnitFilters):
    """A public project of the (outer) firm that matches the parcel filters: industry, area range."""
    return exists().where(Project.unit_id == Unit.id, project_public(),
                          *parcel_conditions(filters.industry, filters.min_area, filters.max_area))


def _unit_conditions(filters: UnitFilters, day: date, first_pass) -> list:
    conditions = [unit_listed(day)]
    if filters.category:
        conditions += [unit_basic_public(), exists().where(
            UnitCategory.unit_id == Unit.id, UnitCategory.category == filters.category)]
    if filters.province:
        conditions += [unit_basic_public(), starts_with(Unit.division_code, filters.province)]
    if filters.industry or filters.min_area is not None or filters.max_area is not None:
        conditions.append(_matching_project(filters))
    if filters.has_penalty is not None:
        penalised = exists().where(Penalty.unit_id == Unit.id, penalty_public(day))
        conditions.append(penalised if filters.has_penalty else ~penalised)
    if filters.banned is not None:
        banned = exists().where(Penalty.unit_id == Unit.id, ban_public(day))
        conditions.append(banned if filters.banned else ~banned)
    if filters.min_first_pass is not None:
        conditions += [first_pass.c.total > 0,
                       first_pass.c.passed * 100 >= first_pass.c.total * filters.min_first_pass]
    return conditions


def _ratio(part, total):
    return case((total > 0, part * literal(1.0) / total), else_=None)


def _unit_order(sort: str, first_pass, on_time, counts) -> list:
    by_activity = [func.coalesce(counts.c.n, 0).desc(), Unit.id]
    if sort == "first_pass":
        return [_ratio(first_pass.c.passed, first_pass.c.total).desc().nulls_last(),
                func.coalesce(first_pass.c.total, 0).desc(), Unit.id]
    if sort == "on_time":
        return [_ratio(on_time.c.on_time, on_time.c.total).desc().nulls_last(),
                func.coalesce(on_time.c.total, 0).desc(), Unit.id]
    if sort == "name":
        return [Unit.name, Unit.id]
    return by_activity  # "projects", and "relevance" without a query: the most active first


def search_units(filters: UnitFilters, page: int = 1, per_page: int = 20, exact_total: bool = True) -> Page:
    """Firms matching a text query and filters, sorted, one page of summaries.

    With a text query and relevance order, the index answers in its ranking order; without `exact_total`
    it stops after the hits this page needs (plus one, to know there is a next page).
    """
    day = today()
    first_pass, on_time, counts = _first_pass_stats(), _on_time_stats(day), _project_counts()
    # join only the aggregates a filter or the order needs: each one scans a whole table
    filtered = select(Unit.id).where(*_unit_conditions(filters, day, first_pass))
    if filters.min_first_pass is not None:
        filtered = filtered.join(first_pass, first_pass.c.unit_id == Unit.id)
    statement = filtered
    if filters.sort == "first_pass" and filters.min_first_pass is None:
        statement = statement.outerjoin(first_pass, first_pass.c.unit_id == Unit.id)
    if filters.sort == "on_time":
        statement = statement.outerjoin(on_time, on_time.c.unit_id == Unit.id)
    if filters.sort in ("projects", "relevance"):
        statement = statement.outerjoin(counts, counts.c.unit_id == Unit.id)
    q = (filters.q or "").strip()
    if not q:
        total = db.session.scalar(select(func.count()).select_from(filtered.subquery()))
        ids = list(db.session.scalars(
            statement.order_by(*_unit_order(filters.sort, first_pass, on_time, counts))
            .limit(per_page).offset(offset(page, per_page))))
        return Page(unit_summaries(ids), total, page, per_page)
    allowed = set(db.session.scalars(filtered)) if filters.any_sql_filter() else None
    relevance = filters.sort == "relevance"
    limit = SEARCH_RESULT_CAP if exact_total or not relevance else page * per_page + 1
    found = search_ids(q, "unit", allowed=allowed, limit=limit)
    if len(found) < limit:
        found += [unit_id for unit_id in _firms_by_project_ref(q, allowed) if unit_id not in found]
    if relevance:
        # never trust the index over the database: keep only firms listed today
        listed = set(db.session.scalars(select(Unit.id).where(Unit.id.in_(found), unit_listed(day))))
        ranked = [unit_id for unit_id in found if unit_id in listed]
    else:
        ranked = list(db.session.scalars(
            statement.where(Unit.id.in_(found)).order_by(*_unit_order(filters.sort, first_pass, on_time, counts))))
    exact = exact_total or len(found) < limit
    window = ranked[offset(page, per_page): page * per_page]
    return Page(unit_summaries(window), len(ranked), page, per_page, total_is_exact=exact)


def _firms_by_project_ref(q: str, allowed: set[int] | None) -> list[int]:
    """The firm of a public project with exactly this reference: the index folds in only recent projects,
    older ones are found by this exact lookup in SQL (DESIGN §4, rule 1)."""
    unit_id = db.session.scalar(select(Project.unit_id).join(Unit, Unit.id == Project.unit_id)
                                .where(Project.ref == q, project_public()))
    return [unit_id] if unit_id is not None and (allowed is None or unit_id in allowed) else []


# -- similar parcels -------------------------------------------------------------------------------

@dataclass
class ParcelMatch:
    """A firm with the public projects on parcels like the searcher's."""

    unit: UnitSummary
    matching: int
    projects: list = field(default_factory=list)


def similar_parcels(industry: str | None, min_area: Decimal | None, max_area: Decimal | None,
                    province: str | None, page: int = 1, per_page: int = 20) -> Page:
    """Firms that worked on parcels like this one (former industry, area range, province of the parcel),
    ranked by the number of matching public projects, then by first-pass rate."""
    conditions = [project_public(), *parcel_conditions(industry, min_area, max_area, province)]
    matching = (select(Project.unit_id.label("unit_id"), func.count().label("n"))
                .join(Unit, Unit.id == Project.unit_id).where(*conditions)
                .group_by(Project.unit_id).subquery("matching"))
    first_pass = _first_pass_stats()
    statement = (select(Unit.id, matching.c.n).join(matching, matching.c.unit_id == Unit.id)
                 .outerjoin(first_pass, first_pass.c.unit_id == Unit.id))
    total = db.session.scalar(select(func.count()).select_from(matching))
    rows = db.session.execute(statement.order_by(
        matching.c.n.desc(), _ratio(first_pass.c.passed, first_pass.c.total).desc().nulls_last(), Unit.id,
    ).limit(per_page).offset(offset(page, per_page))).all()
    ids = [unit_id for unit_id, _ in rows]
    projects: dict[int, list] = defaultdict(list)
    for project in db.session.scalars(
            select(Project).join(Unit, Unit.id == Project.unit_id)
            .where(Project.unit_id.in_(ids), *conditions).order_by(Project.completed_on.desc(), Project.id)):
        projects[project.unit_id].append(project)
    flagged = _flagged([p.id for items in projects.values() for p in items])
    summaries = {summary.id: summary for summary in unit_summaries(ids)}
    items = [ParcelMatch(summaries[unit_id], n, [ProjectRow.of(p, flagged) for p in projects[unit_id]])
             for unit_id, n in rows]
    return Page(items, total, page, per_page)


# -- projects --------------------------------------------------------------------------------------

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

    @property
    def days_late(self) -> int | None:
        """Days past the contract deadline (negative: early), or None."""
        return days_late(self.contract_deadline, self.completed_on)


def _flagged(project_ids: list[int]) -> set[int]:
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


def list_projects(filters: ProjectFilters, page: int = 1, per_page: int = 20) -> Page:
    """Public projects, newest completion first; `q` matches the name, parcel or owner (SQL, exact substring)."""
    conditions = [project_public(),
                  *parcel_conditions(filters.industry, filters.min_area, filters.max_area, filters.province)]
    if filters.q:
        text = filters.q.strip()
        conditions.append(or_(contains_in_any((Project.name, Project.parcel_name, Project.owner), text),
                              Project.ref == text))
    if filters.category:
        conditions.append(Project.category == filters.category)
    base = select(Project).join(Unit, Unit.id == Project.unit_id).where(*conditions)
    total = db.session.scalar(select(func.count()).select_from(base.with_only_columns(Project.id).subquery()))
    projects = list(db.session.scalars(
        base.order_by(Project.completed_on.desc().nulls_last(), Project.id.desc())
        .limit(per_page).offset(offset(page, per_page))))
    flagged = _flagged([p.id for p in projects])
    units = _unit_names({p.unit_id for p in projects})
    return Page([ProjectRow.of(p, flagged, units[p.unit_id]) for p in projects], total, page, per_page)


def _unit_names(ids) -> dict[int, FirmRef]:
    if not ids:
        return {}
    return {row.id: FirmRef(row.uscc, row.name) for row in db.session.execute(
        select(Unit.id, Unit.uscc, Unit.name).where(Unit.id.in_(list(ids))))}


# -- profiles --------------------------------------------------------------------------------------

@dataclass
class ReviewRow:
    project_ref: str | None  # None when the project itself is not public
    project_name: str | None
    report_type: str
    round: int
    reviewed_on: date
    passed: bool
    authority: str | None


@dataclass
class PenaltyRow:
    """A penalty as the public sees it; `ban_only` when only its ban is still shown (DESIGN §3)."""

    decision_number: str
    authority: str | None
    decided_on: date | None
    publicity_ends_on: date | None
    kinds: list[str]
    severity: str | None
    fine_yuan: Decimal | None
    violation: str | None
    basis: str | None
    ban_until: date | None
    ban_lifetime: bool
    ban_active: bool
    ban_only: bool
    penalty: Penalty | None = None  # the whole decision when fully public: every double-publicity field

    @property
    def ban(self) -> Ban | None:
        """The practice ban the decision imposed (active today or not), or None."""
        return Ban(self.ban_active, self.ban_until, self.ban_lifetime) if self.ban_until or self.ban_lifetime else None


@dataclass
class FindingRow:
    ref: str
    project_ref: str | None
    project_name: str | None
    received_on: date
    verified_on: date | None
    finding: str | None
    authority: str | None


@dataclass
class YearBar:
    year: int
    passed: int
    failed: int


@dataclass
class UnitProfile:
    unit: Unit
    basic_public: bool
    categories: list[str]
    first_pass: Rate
    first_pass_period: Period | None
    on_time: Rate
    on_time_period: Period | None
    ban: Ban
    projects: Page
    reviews: list[ReviewRow]
    reviews_by_year: list[YearBar]
    penalties: list[PenaltyRow]
    findings: list[FindingRow]

    # the firm as the API answers it (names as in UnitSummary), its basic information only when public
    uscc = _record_field("unit", "uscc")
    name = _record_field("unit", "name")
    registered = _record_field("unit", "registered")
    ceased_on = _record_field("unit", "ceased_on")
    division_code = _record_field("unit", "division_code", basic=True)
    legal_representative = _record_field("unit", "legal_representative", basic=True)
    address = _record_field("unit", "address", basic=True)
    established_on = _record_field("unit", "established_on", basic=True)
    province = UnitSummary.province

    @property
    def registration_confirmed(self) -> bool:
        """False while the firm's self-registration awaits its regulator's check."""
        return self.unit.registration_confirmed_at is not None

    @property
    def project_count(self) -> int:
        """How many public projects the firm has."""
        return self.projects.total

    @property
    def has_penalty(self) -> bool:
        """True when the firm has a public penalty (not only a ban whose publicity has ended)."""
        return any(not row.ban_only for row in self.penalties)


def _penalty_rows(column, subject_id: int, day: date) -> list[PenaltyRow]:
    """Public penalties in full, and penalties shown only for their active ban (decision number, ban, end)."""
    rows = []
    for penalty, public, banned in db.session.execute(
            select(Penalty, penalty_public(day).label("public"), ban_public(day).label("banned"))
            .where(column == subject_id, or_(penalty_public(day), ban_public(day)))
            .order_by(Penalty.decided_on.desc(), Penalty.id.desc())):
        public, banned = bool(public), bool(banned)
        if public:
            rows.append(PenaltyRow(penalty.decision_number, penalty.authority, penalty.decided_on,
                                   penalty.publicity_ends_on, list(penalty.kinds or []), penalty.severity,
                                   penalty.fine_yuan, penalty.violation, penalty.basis, penalty.ban_until,
                                   penalty.ban_lifetime, banned, False, penalty))
        else:
            rows.append(PenaltyRow(penalty.decision_number, None, None, None, [], None, None, None, None,
                                   penalty.ban_until, penalty.ban_lifetime, True, True))
    return rows


def _period(low, high) -> Period | None:
    return Period(low, high) if low is not None else None


def unit_profile(uscc: str, projects_page: int = 1, per_page: int | None = 50) -> UnitProfile | None:
    """A firm's public profile, or None when it is not listed; `per_page=None` lists every project."""
    day = today()
    unit = db.session.scalar(select(Unit).where(Unit.uscc == uscc, unit_listed(day)))
    if unit is None:
        return None
    basic = unit_basic_is_public(unit)
    categories = list(db.session.scalars(
        select(UnitCategory.category).where(UnitCategory.unit_id == unit.id).order_by(UnitCategory.category)))
    first_pass = unit_first_pass(db.session, [unit.id])[unit.id]
    on_time = unit_on_time(db.session, [unit.id], day)[unit.id]
    fp_low, fp_high = db.session.execute(
        select(func.min(Review.reviewed_on), func.max(Review.reviewed_on))
        .join(Project, Project.id == Review.project_id).join(Unit, Unit.id == Project.unit_id)
        .where(Project.unit_id == unit.id, Review.round == 1, review_public())).one()
    ot_low, ot_high = db.session.execute(
        select(func.min(Project.completed_on), func.max(Project.completed_on)).join(Unit, Unit.id == Project.unit_id)
        .where(Project.unit_id == unit.id, on_time_counted(day))).one()
    projects = _unit_projects(unit.id, projects_page, per_page)
    reviews = _unit_reviews(unit.id)
    return UnitProfile(
        unit=unit, basic_public=basic, categories=categories if basic else [],
        first_pass=first_pass, first_pass_period=_period(fp_low, fp_high),
        on_time=on_time, on_time_period=_period(ot_low, ot_high),
        ban=_bans(Penalty.unit_id, [unit.id], day).get(unit.id, NO_BAN),
        projects=projects, reviews=reviews, reviews_by_year=_by_year(reviews),
        penalties=_penalty_rows(Penalty.unit_id, unit.id, day), findings=_unit_findings(unit.id))


def _unit_projects(unit_id: int, page: int, per_page: int | None) -> Page:
    base = (select(Project).join(Unit, Unit.id == Project.unit_id)
            .where(Project.unit_id == unit_id, project_public()))
    total = db.session.scalar(select(func.count()).select_from(base.with_only_columns(Project.id).subquery()))
    ordered = base.order_by(Project.completed_on.desc().nulls_first(), Project.id.desc())
    if per_page is not None:
        ordered = ordered.limit(per_page).offset(offset(page, per_page))
    projects = list(db.session.scalars(ordered))
    flagged = _flagged([p.id for p in projects])
    return Page([ProjectRow.of(p, flagged) for p in projects], total, page, per_page or max(total, 1))


def _unit_reviews(unit_id: int) -> list[ReviewRow]:
    # Plain columns, not Review objects: a firm with 2,000 projects has ~2,700 outcomes, and building ORM
    # objects for them was most of its profile's time (bench/RESULTS.md).
    rows = db.session.execute(
        select(Review.report_type, Review.round, Review.reviewed_on, Review.passed, Review.authority,
               Project.ref, Project.name, project_public().label("project_public"))
        .join(Project, Project.id == Review.project_id).join(Unit, Unit.id == Project.unit_id)
        .where(Project.unit_id == unit_id, review_public())
        .order_by(Review.reviewed_on.desc(), Review.id.desc()))
    return [ReviewRow(ref if shown else None, name if shown else None, report_type, round_number, reviewed_on,
                      passed, authority)
            for report_type, round_number, reviewed_on, passed, authority, ref, name, shown in rows]


def _by_year(reviews: list[ReviewRow]) -> list[YearBar]:
    years: dict[int, YearBar] = {}
    for review in reviews:
        bar = years.setdefault(review.reviewed_on.year, YearBar(review.reviewed_on.year, 0, 0))
        if review.passed:
            bar.passed += 1
        else:
            bar.failed += 1
    return [years[year] for year in sorted(years)]


def _findings(condition) -> list[FindingRow]:
    rows = db.session.execute(
        select(Complaint, Project.ref, Project.name, project_public().label("project_public"))
        .join(Project, Project.id == Complaint.project_id).join(Unit, Unit.id == Project.unit_id)
        .where(condition, complaint_public()).order_by(Complaint.verified_on.desc(), Complaint.id.desc()))
    return [FindingRow(c.ref, ref if shown else None, name if shown else None, c.received_on, c.verified_on,
                       c.finding, c.authority) for c, ref, name, shown in rows]


def _unit_findings(unit_id: int) -> list[FindingRow]:
    return _findings(Project.unit_id == unit_id)


@dataclass
class RoleRow:
    project: ProjectRow
    role: str
    unit_uscc: str
    unit_name: str

    @property
    def unit(self) -> FirmRef:
        """The firm the role was held for."""
        return FirmRef(self.unit_uscc, self.unit_name)


@dataclass
class PersonProfile:
    person: Person
    basic_public: bool
    firm: FirmRef | None  # the current firm
    firm_listed: bool
    first_pass: Rate
    roles: list[RoleRow]
    penalties: list[PenaltyRow]
    ban: Ban

    # the person as the API answers them (names as in PersonSummary)
    public_id = _record_field("person", "public_id")
    name = _record_field("person", "name")
    id_number_masked = _record_field("person", "id_number_masked")
    registered = _record_field("person", "registered")


def _current_firms(person_ids: list[int]) -> dict[int, FirmRef]:
    """(uscc, name) of each person's current firm, when the firm is listed: wherever a
    firm is not listed (withheld, say), no page or answer names it, not even through its staff."""
    if not person_ids:
        return {}
    day = today()
    rows = db.session.execute(
        select(Employment.person_id, Unit.uscc, Unit.name)
        .join(Unit, Unit.id == Employment.unit_id)
        .where(Employment.person_id.in_(person_ids), Employment.ended_on.is_(None), unit_listed(day)))
    return {person_id: FirmRef(uscc, name) for person_id, uscc, name in rows}


def person_profile(public_id: str) -> PersonProfile | None:
    """A person's public profile by public id, or None when not listed. Never a birth date, age or gender."""
    day = today()
    person = db.session.scalar(select(Person).where(Person.public_id == public_id, person_listed(day)))
    if person is None:
        return None
    basic = person_basic_is_public(person)
    firm = _current_firms([person.id]).get(person.id) if basic else None
    roles = []
    if basic:
        rows = db.session.execute(
            select(ProjectRole.role, Project, Unit.uscc, Unit.name)
            .join(Project, Project.id == ProjectRole.project_id).join(Unit, Unit.id == Project.unit_id)
            .where(ProjectRole.person_id == person.id, project_public())
            .order_by(Project.completed_on.desc().nulls_first(), Project.id.desc())).all()
        flagged = _flagged([row[1].id for row in rows])
        roles = [RoleRow(ProjectRow.of(project, flagged), role, uscc, name) for role, project, uscc, name in rows]
    return PersonProfile(
        person=person, basic_public=basic, firm=firm, firm_listed=firm is not None,
        first_pass=person_first_pass(db.session, [person.id])[person.id] if basic else Rate(0, 0),
        roles=roles, penalties=_penalty_rows(Penalty.person_id, person.id, day),
        ban=_bans(Penalty.person_id, [person.id], day).get(person.id, NO_BAN))


@dataclass
class PersonSummary:
    public_id: str
    name: str
    id_number_masked: str
    firm: FirmRef | None
    ban: Ban
    registered: bool = True  # False: a person a penalty decision brought in (Soil Law art. 90), marked 未登记


def search_persons(q: str | None, unit_uscc: str | None, page: int = 1, per_page: int = 20) -> Page:
    """Listed persons by name (index) and current firm (credit code); a full ID number finds nothing."""
    day = today()
    statement = select(Person.id).where(person_listed(day))
    if unit_uscc:
        statement = statement.where(person_basic_public(), exists().where(
            Employment.person_id == Person.id, Employment.ended_on.is_(None),
            Employment.unit_id == select(Unit.id).where(Unit.uscc == unit_uscc, unit_listed(day))
            .scalar_subquery()))
    q = (q or "").strip()
    if q:
        allowed = set(db.session.scalars(statement)) if unit_uscc else None
        found = search_ids(q, "person", allowed=allowed, limit=SEARCH_RESULT_CAP)
        listed = set(db.session.scalars(statement.where(Person.id.in_(found))))
        ids = [person_id for person_id in found if person_id in listed]
    else:
        ids = list(db.session.scalars(statement.order_by(Person.name, Person.id)))
    window = ids[offset(page, per_page): page * per_page]
    return Page(person_summaries(window), len(ids), page, per_page)


def person_summaries(ids: list[int]) -> list[PersonSummary]:
    """Masked list facts for these persons, in order, in a fixed number of statements."""
    if not ids:
        return []
    rows = {row.id: row for row in db.session.execute(
        select(Person.id, Person.public_id, Person.name, Person.id_number_masked,
               person_basic_public().label("basic"), Person.registered).where(Person.id.in_(ids)))}
    firms = _current_firms(ids)
    bans = _bans(Penalty.person_id, ids, today())
    return [PersonSummary(rows[i].public_id, rows[i].name, rows[i].id_number_masked,
                          firms.get(i) if rows[i].basic else None, bans.get(i, NO_BAN), bool(rows[i].registered))
            for i in ids if i in rows]


@dataclass
class PersonOnProject:
    public_id: str
    name: str
    id_number_masked: str
    role: str


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
    """A public project with its reviews by round, findings and the people who consented to be shown."""
    row = db.session.execute(
        select(Project, Unit.uscc, Unit.name, Unit.registration_confirmed_at.is_not(None))
        .join(Unit, Unit.id == Project.unit_id).where(Project.ref == ref, project_public())).first()
    if row is None:
        return None
    project, uscc, name, confirmed = row
    reviews = [ReviewRow(project.ref, project.name, r.report_type, r.round, r.reviewed_on, r.passed, r.authority)
               for r in db.session.scalars(
                   select(Review).join(Project, Project.id == Review.project_id).join(Unit, Unit.id == Project.unit_id)
                   .where(Review.project_id == project.id, review_public())
                   .order_by(Review.report_type, Review.round))]
    findings = _findings(Project.id == project.id)
    people = [PersonOnProject(p.public_id, p.name, p.id_number_masked, role) for role, p in db.session.execute(
        select(ProjectRole.role, Person).join(Person, Person.id == ProjectRole.person_id)
        .where(ProjectRole.project_id == project.id, person_basic_public()).order_by(ProjectRole.id))]
    return ProjectDetail(ProjectRow.of(project, {project.id} if findings else set()), uscc, name, reviews,
                         findings, people, bool(confirmed), project.corrected_at)


def public_project_division(ref: str) -> str | None:
    """The division of a public project (complaints go to the regulator there), or None."""
    return db.session.scalar(
        select(Project.division_code).join(Unit, Unit.id == Project.unit_id).where(Project.ref == ref, project_public()))


def counts_overview() -> dict[str, int]:
    """How many firms, persons and projects the public can see today (for the home page)."""
    day = today()
    return {
        "units": db.session.scalar(select(func.count()).select_from(Unit).where(unit_listed(day))),
        "persons": db.session.scalar(select(func.count()).select_from(Person).where(person_listed(day))),
        "projects": db.session.scalar(select(func.count()).select_from(Project).join(Unit, Unit.id == Project.unit_id)
                                      .where(project_public())),
        "banned": db.session.scalar(select(func.count(func.distinct(Penalty.unit_id)))
                                    .where(Penalty.unit_id.is_not(None), ban_public(day))),
    }


__all__ = [
    "Ban", "Page", "UnitFilters", "UnitSummary", "ProjectFilters", "search_units", "similar_parcels", "list_projects",
    "unit_profile", "person_profile", "project_detail", "search_persons", "unit_summaries", "person_summaries",
    "public_project_division", "counts_overview", "UNIT_SORTS",
]


# -- a complainant's receipt ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ComplaintReceipt:
    receipt: str
    check: str
    received_on: date
    status: str
    project_ref: str
    project_name: str


def receipt_check_code(receipt: str) -> str:
    """The check code printed beside a receipt number: the receipt page answers only to both together."""
    return current_app.extensions["id_vault"].keyed_hash(f"complaint-receipt:{receipt}")[:10].upper()


def complaint_receipt(receipt: str, check: str | None) -> ComplaintReceipt | None:
    """A complaint's receipt, or None unless the check code fits the receipt number (no complainant shown)."""
    if not hmac.compare_digest(receipt_check_code(receipt), (check or "").strip().upper()):
        return None
    row = db.session.execute(
        select(Complaint.ref, Complaint.received_on, Complaint.status, Project.ref, Project.name)
        .join(Project, Project.id == Complaint.project_id).where(Complaint.ref == receipt)).one_or_none()
    if row is None:
        return None
    ref, received_on, status, project_ref, project_name = row
    return ComplaintReceipt(ref, receipt_check_code(ref), received_on, status, project_ref, project_name)
