"""The public lists (`/bans`, `/penalties`, `/findings`), their API lists (`/api/v1/bans`, `/api/v1/penalties`),
their Atom feeds and the home page's figures that link to them.

What is public is decided only by `registry.visibility`: a penalty while it is public today, a ban while it is
active today, a finding once substantiated; and only about a firm or a person the public may see named
(`penalty_subject_listed`). Each list reads one page of records and then, for that page, their subjects in a
fixed number of statements (no N+1)."""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import String, and_, cast, not_, or_, select

from registry.clock import CHINA, today
from registry.database import pattern
from registry.extensions import db
from registry.models import Complaint, Penalty, Person, Project, Unit
from registry.queries.paging import Page, count_rows, paginate
from registry.queries.profiles import PenaltyRow
from registry.queries.projects import FindingRow
from registry.queries.sql import contains, starts_with_code
from registry.queries.summaries import Ban, FirmRef
from registry.queries.voice import with_voice
from registry.rules.publicity import KIND_MINIMUM_SEVERITY, SEVERITY_ORDER, decision_severity
from registry.visibility import (
    ban_public, complaint_public, penalty_public, penalty_subject_listed, person_listed, project_public, unit_listed,
)

SUBJECT_KINDS = ("unit", "person")


@dataclass(frozen=True)
class Subject:
    """Whom a decision is about, as every public page names them: a firm by credit code and name, a person by
    public id, name and masked ID number (never a birth date, age or gender beside it)."""

    kind: str  # "unit" or "person"
    name: str
    uscc: str | None = None
    public_id: str | None = None
    id_number_masked: str | None = None

    @property
    def unit(self) -> FirmRef | None:
        """The firm, when the subject is one."""
        return FirmRef(self.uscc, self.name) if self.kind == "unit" else None

    @property
    def person(self) -> "Subject | None":
        """The person, when the subject is one."""
        return self if self.kind == "person" else None


@dataclass
class ListedPenalty(PenaltyRow):
    """A public penalty on the list, with its subject; `severity` is the decision's (`decision_severity`)."""

    subject: Subject | None = None


@dataclass
class ListedBan:
    """A practice ban active today: its subject, the decision that imposed it, its end, and a firm's banned
    business (None: all of the firm's). The rest of the decision is shown only while the penalty is public."""

    subject: Subject
    decision_number: str
    until: date | None
    lifetime: bool
    categories: list[str] | None
    decision: PenaltyRow | None = None  # the whole decision while the penalty itself is public

    @property
    def ban(self) -> Ban:
        """The ban as the profiles' banner shows it."""
        return Ban(True, self.until, self.lifetime, self.decision_number)


@dataclass
class ListedFinding(FindingRow):
    """A substantiated finding of false performance, with the firm whose project it concerns."""

    unit: FirmRef | None = None


@dataclass
class PenaltyFilters:
    """The filters of `/penalties` and `GET /api/v1/penalties`; unset ones filter nothing."""

    province: str | None = None  # of the deciding authority
    authority: str | None = None  # a part of the authority's name
    since: date | None = None  # decided on or after
    until: date | None = None  # decided on or before
    severity: str | None = None  # the decision's severity (`decision_severity`)
    banned: bool | None = None  # with a ban active today, or without one


@dataclass
class BanFilters:
    """The filters of `/bans` and `GET /api/v1/bans`."""

    province: str | None = None  # of the deciding authority
    kind: str | None = None  # "unit" or "person"


@dataclass
class FindingFilters:
    """The filter of `/findings`."""

    province: str | None = None  # of the authority that verified the complaint


@dataclass
class ListCounts:
    """The home page's figures: each the total of its list, unfiltered, today."""

    bans: int
    penalties: int
    findings: int


def _kinds_include(kind: str):
    """A SQL clause: the decision's kinds (a JSON list of codes) include this one. The codes are plain ASCII
    words, so the JSON text holds each as `"code"`, whatever the database or the serializer's spacing."""
    return cast(Penalty.kinds, String).like(pattern(f'%"{kind}"%'))


def severity_is(severity: str):
    """`rules.publicity.decision_severity` as SQL: the stated severity raised to what the kinds imply is exactly
    `severity` (tests/portal/test_lists.py proves the two agree on every combination)."""
    rank = SEVERITY_ORDER.index(severity)

    def reaches(severities):
        kinds = [kind for kind, implied in KIND_MINIMUM_SEVERITY.items() if implied in severities]
        return or_(Penalty.severity.in_(severities), *(_kinds_include(kind) for kind in kinds))

    higher = SEVERITY_ORDER[rank + 1:]
    return and_(reaches([severity]), not_(reaches(higher))) if higher else reaches([severity])


def penalties_statement(filters: PenaltyFilters, day: date):
    """Penalties public today about a listed subject, with the filters, newest decision first."""
    conditions = [penalty_public(day), penalty_subject_listed()]
    if filters.province:
        conditions.append(starts_with_code(Penalty.authority_division_code, filters.province))
    if filters.authority:
        conditions.append(contains(Penalty.authority, filters.authority.strip()))
    if filters.since:
        conditions.append(Penalty.decided_on >= filters.since)
    if filters.until:
        conditions.append(Penalty.decided_on <= filters.until)
    if filters.severity:
        conditions.append(severity_is(filters.severity))
    if filters.banned is not None:
        # not NOT(ban_public): a penalty without a ban makes that clause NULL, not false
        banned = Penalty.id.in_(select(Penalty.id).where(ban_public(day)).correlate(None))
        conditions.append(banned if filters.banned else not_(banned))
    return select(Penalty).where(*conditions).order_by(Penalty.decided_on.desc(), Penalty.id.desc())


def bans_statement(filters: BanFilters, day: date):
    """Bans active today about a listed subject, newest decision first."""
    conditions = [ban_public(day), penalty_subject_listed()]
    if filters.province:
        conditions.append(starts_with_code(Penalty.authority_division_code, filters.province))
    if filters.kind == "unit":
        conditions.append(Penalty.unit_id.is_not(None))
    elif filters.kind == "person":
        conditions.append(Penalty.person_id.is_not(None))
    return select(Penalty).where(*conditions).order_by(Penalty.decided_on.desc(), Penalty.id.desc())


def findings_statement(filters: FindingFilters):
    """Substantiated findings, latest verification first."""
    conditions = [complaint_public()]
    if filters.province:
        conditions.append(starts_with_code(Complaint.authority_division_code, filters.province))
    return (select(Complaint).join(Project, Project.id == Complaint.project_id).join(Unit, Unit.id == Project.unit_id)
            .where(*conditions).order_by(Complaint.verified_on.desc(), Complaint.id.desc()))


def subjects(penalties) -> dict[int, Subject]:
    """The subject of each penalty, by penalty id, in two statements."""
    unit_ids = {p.unit_id for p in penalties if p.unit_id is not None}
    person_ids = {p.person_id for p in penalties if p.person_id is not None}
    units = {row.id: Subject("unit", row.name, uscc=row.uscc) for row in db.session.execute(
        select(Unit.id, Unit.uscc, Unit.name).where(Unit.id.in_(unit_ids)))} if unit_ids else {}
    persons = {row.id: Subject("person", row.name, public_id=row.public_id, id_number_masked=row.id_number_masked)
               for row in db.session.execute(select(Person.id, Person.public_id, Person.name, Person.id_number_masked)
                                             .where(Person.id.in_(person_ids)))} if person_ids else {}
    return {p.id: units[p.unit_id] if p.unit_id is not None else persons[p.person_id] for p in penalties}


def _where_ids(penalties, clause) -> set[int]:
    """Which of these penalties a visibility clause holds for today."""
    ids = [p.id for p in penalties]
    return set(db.session.scalars(select(Penalty.id).where(Penalty.id.in_(ids), clause))) if ids else set()


def listed_penalty(penalty: Penalty, subject: Subject, ban_active: bool) -> ListedPenalty:
    """The list's row of a public penalty: every double-publicity field, the decision's severity."""
    return ListedPenalty(penalty.decision_number, penalty.authority, penalty.decided_on, penalty.publicity_ends_on,
                         list(penalty.kinds or []), decision_severity(penalty.severity, penalty.kinds),
                         penalty.fine_yuan, penalty.violation, penalty.basis, penalty.ban_until, penalty.ban_lifetime,
                         ban_active, False, penalty, penalty.id, subject=subject)


def list_penalties(filters: PenaltyFilters, page: int = 1, per_page: int = 20) -> Page:
    """One page of the penalties public today (of `ListedPenalty`)."""
    day = today()
    found = paginate(penalties_statement(filters, day), page, per_page)
    named = subjects(found.items)
    banned = _where_ids(found.items, ban_public(day))
    rows = [listed_penalty(p, named[p.id], p.id in banned) for p in found.items]
    with_voice(("penalty", rows))
    return Page(rows, found.total, found.page, found.per_page)


def list_bans(filters: BanFilters, page: int = 1, per_page: int = 20) -> Page:
    """One page of the bans active today (of `ListedBan`)."""
    day = today()
    found = paginate(bans_statement(filters, day), page, per_page)
    named = subjects(found.items)
    public = _where_ids(found.items, penalty_public(day))
    return Page([ListedBan(named[p.id], p.decision_number, p.ban_until, bool(p.ban_lifetime),
                           p.ban_categories if p.unit_id is not None else None,
                           listed_penalty(p, named[p.id], True) if p.id in public else None)
                 for p in found.items], found.total, found.page, found.per_page)


def list_findings(filters: FindingFilters, page: int = 1, per_page: int = 20) -> Page:
    """One page of the substantiated findings (of `ListedFinding`)."""
    found = paginate(findings_statement(filters), page, per_page)
    return Page(listed_findings(found.items), found.total, found.page, found.per_page)


def listed_findings(complaints) -> list[ListedFinding]:
    """The list's rows of these public findings, in order; a project is named only while it is public."""
    project_ids = {c.project_id for c in complaints}
    projects = {row.id: row for row in db.session.execute(
        select(Project.id, Project.ref, Project.name, Unit.uscc, Unit.name.label("unit_name"),
               project_public().label("shown"))
        .join(Unit, Unit.id == Project.unit_id).where(Project.id.in_(project_ids)))} if project_ids else {}
    rows = []
    for complaint in complaints:
        project = projects[complaint.project_id]
        rows.append(ListedFinding(complaint.ref, project.ref if project.shown else None,
                                  project.name if project.shown else None, complaint.received_on,
                                  complaint.verified_on, complaint.finding, complaint.authority, complaint.id,
                                  unit=FirmRef(project.uscc, project.unit_name)))
    with_voice(("finding", rows))
    return rows


def list_counts() -> ListCounts:
    """The totals of the three lists, unfiltered: the home page shows them as links to the lists."""
    day = today()
    return ListCounts(bans=count_rows(bans_statement(BanFilters(), day)),
                      penalties=count_rows(penalties_statement(PenaltyFilters(), day)),
                      findings=count_rows(findings_statement(FindingFilters())))



# -- the Atom feeds: national, per province, per firm, per person --------------------------------------------

FEED_LENGTH = 50  # the newest entries a feed holds: a reader polls it, it is not an archive


@dataclass(frozen=True)
class FeedScope:
    """Which records a feed follows: all, a province (of the deciding or verifying authority), a firm, a person."""

    province: str | None = None
    unit_id: int | None = None
    person_id: int | None = None


@dataclass
class FeedEntry:
    """One entry of a feed: a public penalty (`penalty`), a ban shown after its penalty's publicity ended (`ban`)
    or a substantiated finding (`finding`). `changed_at` is when the entry last changed for the public: when it
    was recorded, the day of its decision, or the day its penalty's publicity ended and only the ban stayed."""

    key: str  # `penalty:<decision number>` or `finding:<ref>`: the entry keeps its id when it changes
    day: date  # the decision's or the verification's date
    changed_at: datetime
    subject: Subject
    penalty: ListedPenalty | None = None
    ban: ListedBan | None = None
    finding: ListedFinding | None = None


@dataclass
class FeedSubject:
    """The firm or person a feed follows, when the public may see them."""

    id: int
    subject: Subject


def feed_unit(uscc: str) -> FeedSubject | None:
    """The listed firm with this credit code, for its feed (None: no such public firm)."""
    row = db.session.execute(select(Unit.id, Unit.uscc, Unit.name).where(Unit.uscc == uscc, unit_listed(today()))).first()
    return FeedSubject(row.id, Subject("unit", row.name, uscc=row.uscc)) if row else None


def feed_person(public_id: str) -> FeedSubject | None:
    """The listed person with this public id, for their feed (None: no such public person)."""
    row = db.session.execute(select(Person.id, Person.public_id, Person.name, Person.id_number_masked)
                             .where(Person.public_id == public_id, person_listed(today()))).first()
    return FeedSubject(row.id, Subject("person", row.name, public_id=row.public_id,
                                       id_number_masked=row.id_number_masked)) if row else None


def _start_of(day: date) -> datetime:
    """The first instant of a Beijing day, in UTC."""
    return datetime.combine(day, time(), tzinfo=CHINA).astimezone(UTC)


def _instant(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def feed_entries(scope: FeedScope) -> list[FeedEntry]:
    """The newest FEED_LENGTH entries of a feed: the decisions shown in public today (a public penalty, or the
    active ban of one whose publicity ended) and the substantiated findings, each only while it is public."""
    day = today()
    decisions = select(Penalty).where(or_(penalty_public(day), ban_public(day)), penalty_subject_listed())
    findings = findings_statement(FindingFilters(province=scope.province))
    if scope.province:
        decisions = decisions.where(starts_with_code(Penalty.authority_division_code, scope.province))
    if scope.unit_id is not None:
        decisions = decisions.where(Penalty.unit_id == scope.unit_id)
        findings = findings.where(Project.unit_id == scope.unit_id)
    if scope.person_id is not None:
        decisions = decisions.where(Penalty.person_id == scope.person_id)
        findings = None  # a finding concerns a firm's project
    penalties = list(db.session.scalars(
        decisions.order_by(Penalty.decided_on.desc(), Penalty.id.desc()).limit(FEED_LENGTH)))
    named, public = subjects(penalties), _where_ids(penalties, penalty_public(day))
    banned = _where_ids(penalties, ban_public(day))
    entries = []
    for p in penalties:
        changed = max(_instant(p.created_at), _start_of(p.decided_on))
        if p.id in public:
            entries.append(FeedEntry(f"penalty:{p.decision_number}", p.decided_on, changed, named[p.id],
                                     penalty=listed_penalty(p, named[p.id], p.id in banned)))
        else:  # only the ban is shown, from the day the penalty's publicity ended
            ended = min(p.publicity_ends_on + timedelta(days=1), p.repaired_on or date.max)
            entries.append(FeedEntry(f"penalty:{p.decision_number}", p.decided_on, max(changed, _start_of(ended)),
                                     named[p.id], ban=ListedBan(named[p.id], p.decision_number, p.ban_until,
                                                                bool(p.ban_lifetime), p.ban_categories)))
    if findings is not None:
        complaints = list(db.session.scalars(findings.limit(FEED_LENGTH)))
        for complaint, row in zip(complaints, listed_findings(complaints)):
            entries.append(FeedEntry(f"finding:{complaint.ref}", complaint.verified_on,
                                     max(_instant(complaint.updated_at), _start_of(complaint.verified_on)),
                                     Subject("unit", row.unit.name, uscc=row.unit.uscc), finding=row))
    entries.sort(key=lambda entry: (entry.day, entry.changed_at, entry.key), reverse=True)
    return entries[:FEED_LENGTH]
