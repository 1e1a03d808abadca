"""Reads of the subject's voice: the statement the public sees beside a record and when the record was last
corrected on request; the records a firm or person may speak to, with their statements and correction requests;
and the regulator's queue of requests to correct an authority's record."""
from dataclasses import dataclass, field
from datetime import datetime

from flask import abort
from sqlalchemy import Text, and_, bindparam, cast, exists, func, literal_column, null, or_, select, union_all
from sqlalchemy.orm import selectinload

from registry.access import (SUBJECT_RECORDS, AccessDenied, Actor, in_jurisdiction, in_reach, owning_division,
                             require_subject)
from registry.extensions import db
from registry.models import Complaint, Penalty, Project, RecordCorrection, Review, Statement
from registry.models.base import aware
from registry.queries.paging import Page, paginate
from registry.queries.sql import prepared, read

PER_PAGE = 50
RECORDS_SHOWN = 200  # a firm's records listed on its page of statements and requests, newest first


@dataclass(frozen=True)
class SubjectStatement:
    """The statement the public sees: its text and when this version was written."""

    text: str
    written_at: datetime


def _voice_statement(record_types: tuple[str, ...]):
    """The statement of `with_voice` for records of these types, each type's record ids an expanding parameter
    (`<type>_ids`). Built once a set of types (`prepared`): building it per request (its clauses and their
    compilation) cost more than running it, and a type with no record still cost each part a branch to plan and
    run (a firm's profile, where most show review outcomes alone: 0.23 -> 0.15 ms, national SQLite)."""
    def of(columns):
        return or_(*(and_(columns.record_type == record_type,
                          columns.record_id.in_(bindparam(f"{record_type}_ids", expanding=True)))
                     for record_type in record_types))

    latest = (select(Statement.record_type, Statement.record_id, func.max(Statement.version).label("version"))
              .where(of(Statement)).group_by(Statement.record_type, Statement.record_id).subquery())
    statements = (select(literal_column("'statement'").label("kind"), Statement.record_type, Statement.record_id,
                         Statement.text, Statement.written_at)
                  .join(latest, and_(latest.c.record_type == Statement.record_type,
                                     latest.c.record_id == Statement.record_id, latest.c.version == Statement.version))
                  .where(Statement.text.is_not(None)))
    corrections = (select(literal_column("'corrected'").label("kind"), RecordCorrection.record_type,
                          RecordCorrection.record_id, cast(null(), Text).label("text"),
                          func.max(RecordCorrection.decided_at))
                   .where(RecordCorrection.status == "accepted", of(RecordCorrection))
                   .group_by(RecordCorrection.record_type, RecordCorrection.record_id))
    return union_all(statements, corrections)


def voice_of_firm(unit_id_column):
    """A SQL expression: whether the firm ever stated anything on a record about itself or asked for one to be
    corrected. Each statement and request names its subject (`access.subject_of`), so a firm for which this is
    false has no voice on any row of its profile, and `with_voice` need not run. Any request, whatever its
    status: each test is then one probe of an index on the subject."""
    return or_(exists().where(Statement.unit_id == unit_id_column),
               exists().where(RecordCorrection.unit_id == unit_id_column))


def with_voice(*groups: tuple[str, list]) -> None:
    """Give each public row (with its `record_id`) of each (record type, rows) group the subject's current
    statement and the time the record was last corrected on request. One statement for every group of a page:
    a profile's count of statements stays the same whatever its size (tests/portal/test_query_count.py)."""
    ids: dict[str, list[int]] = {record_type: [] for record_type in SUBJECT_RECORDS}
    for record_type, rows in groups:
        ids[record_type] += sorted({row.record_id for row in rows if row.record_id is not None})
    present = tuple(record_type for record_type in SUBJECT_RECORDS if ids[record_type])
    if not present:
        return
    statement = prepared(f"voice:{','.join(present)}", lambda _rules: _voice_statement(present))
    found = {(kind, record_type, record_id): (text, at) for kind, record_type, record_id, text, at
             in read(statement, {f"{record_type}_ids": ids[record_type] for record_type in present})}
    for record_type, rows in groups:
        for row in rows:
            stated = found.get(("statement", record_type, row.record_id))
            corrected = found.get(("corrected", record_type, row.record_id))
            row.statement = SubjectStatement(stated[0], aware(stated[1])) if stated else None
            row.corrected_at = aware(corrected[1]) if corrected else None


# ---- the subject's own pages ----------------------------------------------------------------------------------

@dataclass
class SubjectRecord:
    """A record about the firm or person, with what the subject said and asked about it."""

    record_type: str
    record: object  # a Review, Penalty or Complaint (a verified finding)
    statement: Statement | None = None  # the latest version (its text None when withdrawn)
    versions: list[Statement] = field(default_factory=list)  # every version, latest first
    corrections: list[RecordCorrection] = field(default_factory=list)  # latest first

    @property
    def record_id(self) -> int:
        return self.record.id

    @property
    def pending(self) -> RecordCorrection | None:
        """The request waiting for the regulator, if any."""
        return next((c for c in self.corrections if c.status == "pending"), None)


def _records(unit_id: int | None, person_id: int | None) -> list[tuple[str, object]]:
    records: list[tuple[str, object]] = []
    subject = Penalty.unit_id == unit_id if unit_id is not None else Penalty.person_id == person_id
    records += [("penalty", p) for p in db.session.scalars(
        select(Penalty).where(subject).order_by(Penalty.decided_on.desc(), Penalty.id.desc()))]
    if unit_id is not None:
        records += [("finding", c) for c in db.session.scalars(
            select(Complaint).join(Project, Project.id == Complaint.project_id)
            .where(Project.unit_id == unit_id, Complaint.status == "substantiated")
            .options(selectinload(Complaint.project)).order_by(Complaint.verified_on.desc(), Complaint.id.desc()))]
        records += [("review", r) for r in db.session.scalars(
            select(Review).join(Project, Project.id == Review.project_id).where(Project.unit_id == unit_id)
            .options(selectinload(Review.project)).order_by(Review.reviewed_on.desc(), Review.id.desc())
            .limit(RECORDS_SHOWN))]
    return records


def _subject_records(pairs: list[tuple[str, object]]) -> list[SubjectRecord]:
    items = [SubjectRecord(record_type, record) for record_type, record in pairs]
    by_key = {(item.record_type, item.record_id): item for item in items}
    for record_type in SUBJECT_RECORDS:
        ids = [item.record_id for item in items if item.record_type == record_type]
        if not ids:
            continue
        for version in db.session.scalars(select(Statement).where(
                Statement.record_type == record_type, Statement.record_id.in_(ids))
                .order_by(Statement.version.desc())):
            by_key[(record_type, version.record_id)].versions.append(version)
        for correction in db.session.scalars(select(RecordCorrection).where(
                RecordCorrection.record_type == record_type, RecordCorrection.record_id.in_(ids))
                .order_by(RecordCorrection.requested_at.desc(), RecordCorrection.id.desc())):
            by_key[(record_type, correction.record_id)].corrections.append(correction)
    for item in items:
        item.statement = item.versions[0] if item.versions else None
    return items


def records_about(*, unit_id: int | None = None, person_id: int | None = None) -> list[SubjectRecord]:
    """The penalties, verified findings and review outcomes about a firm (or the penalties about a person), each
    with its statement versions and correction requests."""
    return _subject_records(_records(unit_id, person_id))


def subject_record(actor: Actor, record_type: str, record_id: int) -> SubjectRecord:
    """One record about the acting firm or person (refused, 404, for anyone else's)."""
    return _subject_records([(record_type, require_subject(actor, "read", record_type, record_id))])[0]


def correction_requests(*, unit_id: int | None = None, person_id: int | None = None,
                        limit: int = 10) -> list[RecordCorrection]:
    """The subject's latest correction requests, with their status and the regulator's reason."""
    subject = RecordCorrection.unit_id == unit_id if unit_id is not None else RecordCorrection.person_id == person_id
    return list(db.session.scalars(select(RecordCorrection).where(subject)
                                   .order_by(RecordCorrection.requested_at.desc(), RecordCorrection.id.desc())
                                   .limit(limit)))


# ---- the regulator's queue ------------------------------------------------------------------------------------

@dataclass
class CorrectionCase:
    """A request with the record it asks to correct."""

    correction: RecordCorrection
    record: object


def record_corrections_page(actor: Actor, page: int = 1) -> Page:
    """Pending requests to correct records owned by the jurisdiction, oldest first (of `CorrectionCase`)."""
    found = paginate(select(RecordCorrection)
                     .where(in_jurisdiction(RecordCorrection.division_code, actor), RecordCorrection.status == "pending")
                     .order_by(RecordCorrection.requested_at, RecordCorrection.id), page, PER_PAGE)
    return Page([CorrectionCase(c, db.session.get(SUBJECT_RECORDS[c.record_type], c.record_id)) for c in found.items],
                found.total, found.page, found.per_page)


def pending_record_corrections(actor: Actor) -> int:
    """How many requests to correct the jurisdiction's records wait for a decision."""
    return db.session.scalar(select(func.count(RecordCorrection.id)).where(
        in_jurisdiction(RecordCorrection.division_code, actor), RecordCorrection.status == "pending"))


def record_correction_view(actor: Actor, correction_id: int) -> CorrectionCase:
    """A request to correct a record owned by the jurisdiction (404 if missing, AccessDenied outside)."""
    correction = db.session.get(RecordCorrection, correction_id) if 0 < correction_id < 2**31 else None
    if correction is None:
        abort(404)
    record = db.session.get(SUBJECT_RECORDS[correction.record_type], correction.record_id)
    division = owning_division(record)
    if not in_reach(actor, division):
        raise AccessDenied(actor, "read", "record_correction", correction_id, division_code=division)
    return CorrectionCase(correction, record)

