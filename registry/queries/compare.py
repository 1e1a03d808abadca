"""The comparison page (`/compare`): two to four firms side by side, as a landowner shortlisting contractors
reads them. Every figure comes from the rule that computes it everywhere else: the search hit's summary (rates,
public projects, penalties, bans, findings), the rate statements with their periods as the profile reads them,
the similar-parcel match of `/similar`, and the profile's key staff."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from registry.clock import today
from registry.extensions import db
from registry.figures import first_pass_counts, on_time_counts
from registry.models import Penalty, Project, Review, Unit
from registry.queries.paging import Page
from registry.queries.profiles import Period
from registry.queries.similar import matching_project_counts
from registry.queries.staff import firm_staff
from registry.queries.summaries import UnitSummary, unit_summaries
from registry.visibility import penalty_public, unit_listed

MAX_COMPARED = 4  # firms side by side: what fits an A4 page and a phone
STAFF_SHOWN = 5  # responsible persons named per firm (the profile lists them all)


@dataclass(frozen=True)
class ParcelCriteria:
    """The similar-parcel search a visitor came from: former industry, area range, province of the parcel."""

    industry: str | None = None
    min_area: Decimal | None = None
    max_area: Decimal | None = None
    province: str | None = None
    category: str | None = None  # the service category of the project

    @property
    def given(self) -> bool:
        """True when any criterion is set."""
        return any(value is not None for value in (self.industry, self.min_area, self.max_area, self.province,
                                                   self.category))


@dataclass
class PenaltyRef:
    """A public penalty named in the comparison: its decision number and date."""

    decision_number: str
    decided_on: date


@dataclass
class ComparedFirm:
    summary: UnitSummary
    first_pass_period: Period | None
    on_time_period: Period | None
    matching_projects: int | None  # public projects on similar parcels; None without criteria
    penalties: list[PenaltyRef]  # public today, latest first
    staff: Page  # the first STAFF_SHOWN responsible persons, current first, with the total


@dataclass
class Comparison:
    firms: list[ComparedFirm]  # in the order the visitor chose them
    unknown: list[str]  # valid credit codes of no firm listed today
    criteria: ParcelCriteria | None


def compare_firms(codes: list[str], criteria: ParcelCriteria | None = None) -> Comparison:
    """The listed firms among these credit codes (at most MAX_COMPARED), side by side, with the matches of
    the similar-parcel criteria when given. A fixed number of statements per firm."""
    session, day = db.session, today()
    found = dict(session.execute(select(Unit.uscc, Unit.id).where(Unit.uscc.in_(codes), unit_listed(day))).all())
    ids = [found[code] for code in codes if code in found]
    if not ids:
        return Comparison([], [code for code in codes if code not in found], criteria)
    first_pass = {unit_id: Period(low, high) for unit_id, _passed, _total, low, high in session.execute(
        first_pass_counts().add_columns(func.min(Review.reviewed_on), func.max(Review.reviewed_on))
        .where(Project.unit_id.in_(ids)))}
    on_time = {unit_id: Period(low, high) for unit_id, _part, _total, low, high in session.execute(
        on_time_counts(day).add_columns(func.min(Project.completed_on), func.max(Project.completed_on))
        .where(Project.unit_id.in_(ids)))}
    matching = dict(session.execute(matching_project_counts(
        criteria.industry, criteria.min_area, criteria.max_area, criteria.province, criteria.category, among=ids)
        ).all()) if criteria else None
    penalties: dict[int, list[PenaltyRef]] = {unit_id: [] for unit_id in ids}
    for unit_id, number, decided_on in session.execute(
            select(Penalty.unit_id, Penalty.decision_number, Penalty.decided_on)
            .where(Penalty.unit_id.in_(ids), penalty_public(day))
            .order_by(Penalty.decided_on.desc(), Penalty.id.desc())):
        penalties[unit_id].append(PenaltyRef(number, decided_on))
    firms = [ComparedFirm(summary, first_pass.get(summary.id), on_time.get(summary.id),
                          None if matching is None else matching.get(summary.id, 0), penalties[summary.id],
                          firm_staff(summary.id, 1, STAFF_SHOWN))
             for summary in unit_summaries(ids)]
    return Comparison(firms, [code for code in codes if code not in found], criteria)
