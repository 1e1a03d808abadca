"""A firm or a person in brief, as the public sees them wherever they are listed: a search hit, a similar-parcel
match, a person's current firm, an active ban. Each is read for a whole page of ids in a fixed number of
statements (no N+1)."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy import Date, bindparam, func, select

from registry.clock import today
from registry.database import among
from registry.extensions import db
from registry.figures import COUNTS as HIT_FIGURES, kept_on_time_holds, on_time_counts
from registry.models import Employment, Penalty, Person, Project, Unit, UnitCategory, UnitFigures
from registry.queries.rates import rates_of
from registry.queries.sql import joined_text, prepared, read
from registry.rules.rates import Rate
from registry.visibility import (
    ban_public, penalty_public, person_basic_public, publicity_rules, unit_basic_public, unit_listed,
)


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
    matched: list = field(default_factory=list)  # a search hit's Matches (queries.search): where its query occurs

    @property
    def province(self) -> str | None:
        """The firm's two-digit province code, when its basic information is public."""
        return self.division_code[:2] if self.division_code else None

    @property
    def has_penalty(self) -> bool:
        """True when the firm has a public penalty."""
        return self.penalty_count > 0

    @property
    def matched_elsewhere(self) -> list:
        """The Matches besides the name's: where else the query occurs, which the hit's card lists."""
        return [match for match in self.matched if match.field != "name"]


@dataclass
class PersonSummary:
    public_id: str
    name: str
    id_number_masked: str
    firm: FirmRef | None
    ban: Ban
    registered: bool = True  # False: a person a penalty decision brought in (Soil Law art. 90), marked 未登记
    matched: list = field(default_factory=list)  # a search hit's Matches (queries.search): where its query occurs


def active_bans(column, ids, day: date) -> dict[int, Ban]:
    """The strongest active public ban per subject (`strongest_ban`)."""
    bans: dict[int, list] = defaultdict(list)
    rows = db.session.execute(
        select(column, Penalty.ban_until, Penalty.ban_lifetime, Penalty.decision_number)
        .where(column.in_(ids), ban_public(day)).order_by(Penalty.decided_on)
    )
    for subject, until, lifetime, decision in rows:
        bans[subject].append((until, lifetime, decision))
    return {subject: strongest_ban(found) for subject, found in bans.items()}


def strongest_ban(bans) -> Ban:
    """Of a subject's active public bans, `(until, lifetime, decision_number)` oldest decision first, the one
    shown: lifetime first, then the latest end (the earlier decision on a tie); NO_BAN when there is none."""
    strongest = NO_BAN
    for until, lifetime, decision in bans:
        if not strongest.active or (lifetime and not strongest.lifetime) or (
                not strongest.lifetime and until and strongest.until and until > strongest.until):
            strongest = Ban(True, None if lifetime else until, bool(lifetime), decision)
    return strongest


def _unit_summary_statements(rules) -> dict:
    """The statements of `unit_summaries` with the firm ids and the day as parameters (`ids`, `day`), built
    once for a table of publicity rules: built on every search page, their visibility clauses and cache keys
    took 20 times as long as running them (23 ms against 1 ms for 20 firms)."""
    day, dialect = bindparam("day", type_=Date), db.engine.dialect.name

    def of(column):
        return among(column, "ids", dialect)

    # The firms twice, by the project's firm and by the firm itself: PostgreSQL carries an equality to a constant
    # across a join but not a list, and without the second it joined every firm in the country (a sequential
    # scan of 50,000 firms, 35 of a national search's 100 ms in these statements).
    of_firms = (of(Project.unit_id), of(Unit.id))
    return {
        # with the figures kept for the firm (registry/figures.py): no row, no public records counted yet
        "units": select(Unit.id, Unit.uscc, Unit.name, Unit.division_code, unit_basic_public().label("basic"),
                        Unit.registration_confirmed_at.is_not(None).label("confirmed"), Unit.registered,
                        joined_categories(Unit.id).label("categories"),
                        *(getattr(UnitFigures, column) for column in HIT_FIGURES))
        .outerjoin(UnitFigures, UnitFigures.unit_id == Unit.id).where(of(Unit.id)),
        "on_time": on_time_counts(day).where(*of_firms),
        "penalties": select(Penalty.unit_id, func.count()).where(of(Penalty.unit_id), penalty_public(day, rules))
        .group_by(Penalty.unit_id),
        "bans": select(Penalty.unit_id, Penalty.ban_until, Penalty.ban_lifetime, Penalty.decision_number)
        .where(of(Penalty.unit_id), ban_public(day)).order_by(Penalty.decided_on),
    }


def joined_categories(unit_id_column):
    """A SQL expression: the firm's practice categories joined in one text, read with the firm itself (a
    statement fewer; `category_list` splits it)."""
    return (select(joined_text(UnitCategory.category))
            .where(UnitCategory.unit_id == unit_id_column).scalar_subquery())


def category_list(joined: str | None) -> list[str]:
    """A firm's practice categories, from the text `joined_categories` reads, in code order."""
    return sorted(joined.split(",")) if joined else []


def unit_summaries(ids: list[int]) -> list[UnitSummary]:
    """Search-hit facts for these firms, in the given order, in a fixed number of statements."""
    if not ids:
        return []
    statements = prepared("unit_summaries", _unit_summary_statements)
    values = {"ids": list(ids), "day": today()}

    def run(name):
        return read(statements[name], values)

    units = {row.id: row for row in run("units")}
    on_time = {unit_id: Rate(row.on_time or 0, row.on_time_total or 0) for unit_id, row in units.items()}
    # a firm shown on a day before its latest finding: its on-time rate counted for the day (registry/figures.py)
    early = [unit_id for unit_id, row in units.items()
             if not kept_on_time_holds(row.latest_finding_on, values["day"])]
    if early:
        on_time.update(rates_of(read(statements["on_time"], {**values, "ids": early}), early))
    penalties = dict(run("penalties").all())
    bans: dict[int, list] = defaultdict(list)
    for subject, until, lifetime, decision in run("bans"):
        bans[subject].append((until, lifetime, decision))
    summaries = []
    for unit_id in ids:
        row = units.get(unit_id)
        if row is None:
            continue
        basic = bool(row.basic)
        summaries.append(UnitSummary(
            id=row.id, uscc=row.uscc, name=row.name, basic_public=basic,
            division_code=row.division_code if basic else None,
            categories=category_list(row.categories) if basic else [],
            first_pass=Rate(row.first_pass_passed or 0, row.first_pass_total or 0), on_time=on_time[unit_id],
            project_count=row.projects or 0, penalty_count=penalties.get(unit_id, 0),
            ban=strongest_ban(bans[unit_id]) if unit_id in bans else NO_BAN,
            finding_count=row.findings or 0, registration_confirmed=bool(row.confirmed),
            registered=bool(row.registered)))
    return summaries


def person_summaries(ids: list[int]) -> list[PersonSummary]:
    """Masked list facts for these persons, in order, in a fixed number of statements."""
    if not ids:
        return []
    rows = {row.id: row for row in read(
        select(Person.id, Person.public_id, Person.name, Person.id_number_masked,
               person_basic_public().label("basic"), Person.registered).where(Person.id.in_(ids)))}
    firms = current_firms(ids)
    bans = active_bans(Penalty.person_id, ids, today())
    return [PersonSummary(rows[i].public_id, rows[i].name, rows[i].id_number_masked,
                          firms.get(i) if rows[i].basic else None, bans.get(i, NO_BAN), bool(rows[i].registered))
            for i in ids if i in rows]


def current_firms(person_ids: list[int]) -> dict[int, FirmRef]:
    """(uscc, name) of each person's current firm, when the firm is listed: wherever a
    firm is not listed (withheld, say), no page or answer names it, not even through its staff."""
    if not person_ids:
        return {}
    rows = read(prepared("current_firms", _current_firms), {"ids": list(person_ids), "day": today()})
    return {person_id: FirmRef(uscc, name) for person_id, uscc, name in rows}


def _current_firms(rules):
    """The statement of `current_firms`, its values as parameters (`ids`, `day`), built once (`prepared`)."""
    return (select(Employment.person_id, Unit.uscc, Unit.name).join(Unit, Unit.id == Employment.unit_id)
            .where(Employment.person_id.in_(bindparam("ids", expanding=True)), Employment.ended_on.is_(None),
                   unit_listed(bindparam("day", type_=Date), rules)))
