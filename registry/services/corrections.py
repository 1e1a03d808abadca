"""Corrections of locked project history, and of an authority's record about a firm or person.

Locked project history: once a project is completed or has a review outcome, its dates,
location and responsible roles are locked for the firm (`rules.authority`). A change is then a request that the
competent regulator (where the project lies) accepts or refuses; an accepted one is applied with the earlier
version kept, and the public page says the record was corrected, and when.

An authority's record (a review outcome, a penalty, a verified finding): its subject asks with grounds; the
regulator of the division that owns the record (`access.owning_division`) accepts by entering the corrected values,
applied under the same rules as when the record was made, or refuses with a reason the requester reads. One
request per record waits at a time; the record as it was is kept with the accepted request.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from registry.access import SUBJECT_RECORDS, Actor, owning_division, require_jurisdiction, require_subject, subject_of
from registry.extensions import db
from registry.models import Project, ProjectCorrection, RecordCorrection
from registry.models.base import utcnow
from registry.rules.errors import RuleViolation
from registry.rules.normalize import optional_text
from registry.rules.statements import check_grounds, check_refusal_reason
from registry.services import service
from registry.services.audit import enqueue_for_index, json_value, record_event, snapshot
from registry.services.complaints import correct_finding
from registry.services.penalties import correct_penalty
from registry.services.projects import (ProjectData, _checked_roles, locked_fields, own_project, project_snapshot,
                                        replace_project, validated)
from registry.services.reviews import correct_review

DATES = ("started_on", "contract_deadline", "completed_on")


def _proposal(values: dict, chosen: set[tuple[int, str]]) -> dict:
    """The project as the firm wants it, as JSON."""
    proposed = {k: v.isoformat() if isinstance(v, date) else str(v) if isinstance(v, Decimal) else v
                for k, v in values.items()}
    return {**proposed, "people": [{"person_id": p, "role": r} for p, r in sorted(chosen)]}


def _values(proposed: dict) -> tuple[dict, set[tuple[int, str]]]:
    values = {k: (date.fromisoformat(v) if k in DATES and v else Decimal(v) if k == "area_m2" else v)
              for k, v in proposed.items() if k != "people"}
    return values, {(p["person_id"], p["role"]) for p in proposed["people"]}


@service
def request_correction(actor: Actor, ref: str, data: ProjectData, roles: list[tuple[int, str]],
                       reason: str) -> ProjectCorrection:
    """A firm's change that touches a locked field, kept as a request for the competent regulator."""
    project = own_project(actor, ref, "request correction")
    chosen = _checked_roles(actor, roles, project)
    values = validated(data)
    current = {(r.person_id, r.role) for r in project.roles}
    changed = {k for k, v in values.items() if getattr(project, k) != v} | ({"people"} if chosen != current else set())
    if not changed & set(locked_fields(project)):
        raise RuleViolation("correction_reason", "本次修改不涉及锁定的内容，请直接保存，无需填写更正理由",
                            "nothing locked changes: save without a correction reason")
    reason = (reason or "").strip()
    if not 4 <= len(reason) <= 1000:
        raise RuleViolation("correction_reason", "请说明更正理由（4至1000个字）",
                            "give the reason for the correction (4 to 1,000 characters)")
    correction = ProjectCorrection(project_id=project.id, proposed=_proposal(values, chosen), reason=reason,
                                   requested_by_account_id=actor.account_id)
    db.session.add(correction)
    db.session.flush()
    record_event(actor, "correction_requested", correction, after={"project_ref": project.ref, **correction.proposed},
                 division_code=project.division_code, detail=reason)
    return correction


def _apply(actor: Actor, project: Project, values: dict, chosen: set[tuple[int, str]]) -> None:
    before, current = project_snapshot(project), {(r.person_id, r.role) for r in project.roles}
    replace_project(actor, project, before, values, chosen)
    project.corrected_at = utcnow()
    db.session.flush()
    record_event(actor, "project_corrected", project, before=before, after=project_snapshot(project),
                 division_code=project.division_code)
    enqueue_for_index("unit", project.unit_id)
    for person_id in sorted({p for p, _ in chosen | current}):
        enqueue_for_index("person", person_id)


@service
def decide_correction(actor: Actor, correction_id: int, *, accept: bool, note: str | None = None) -> ProjectCorrection:
    """Accept a correction (applied at once; the project is marked corrected) or refuse it with a note."""
    correction = db.session.get(ProjectCorrection, correction_id)
    if correction is None:
        raise RuleViolation("correction", "没有这个更正申请", "no such correction request")
    project = correction.project
    require_jurisdiction(actor, "decide_correction", correction, project.division_code)
    if correction.status != "pending":
        raise RuleViolation("correction", "该更正申请已经处理", "this correction request is already decided")
    note = (note or "").strip() or None
    if not accept and not note:
        raise RuleViolation("note", "不予更正时请说明理由", "say why the correction is refused")
    if note and len(note) > 1000:
        raise RuleViolation("note", "说明不能超过1000个字", "the note is at most 1,000 characters")
    if accept:
        _apply(actor, project, *_values(correction.proposed))
    correction.status = "accepted" if accept else "refused"
    correction.decided_by_account_id = actor.account_id
    correction.decided_at = utcnow()
    correction.decision_note = note
    record_event(actor, f"correction_{correction.status}", correction, after={"status": correction.status},
                 division_code=project.division_code, detail=note)
    return correction


# ---- corrections of an authority's record (a review outcome, a penalty, a verified finding) --------------------

@dataclass
class CorrectedValues:
    """What the regulator enters when it accepts a correction; the fields of the record's type are used."""

    reviewed_on: date | None = None  # a review outcome
    passed: bool = False
    decided_on: date | None = None  # a penalty
    violation: str | None = None
    basis: str | None = None
    content: str | None = None
    fine_yuan: Decimal | None = None
    finding: str | None = None  # a verified finding
    verified_on: date | None = None

    def for_record(self, record_type: str) -> dict:
        """The values that apply to a record of `record_type`."""
        return {name: getattr(self, name) for name in CORRECTABLE[record_type]}


# the fields of each record an accepted correction may change
CORRECTABLE = {
    "review": ("reviewed_on", "passed"),
    "penalty": ("decided_on", "violation", "basis", "content", "fine_yuan"),
    "finding": ("finding", "verified_on"),
}
APPLY = {"review": correct_review, "penalty": correct_penalty, "finding": correct_finding}


@service
def request_record_correction(actor: Actor, record_type: str, record_id: int, grounds: str) -> RecordCorrection:
    """A firm's or person's request to correct a record about itself, with its grounds, for the regulator of
    the division that owns the record."""
    record = require_subject(actor, "request correction", record_type, record_id)
    grounds = check_grounds(grounds)
    if pending_record_correction(record_type, record.id) is not None:
        raise RuleViolation("grounds", "这条记录已有一份更正申请在等待主管部门处理，处理后才能再次申请",
                            "a correction request for this record is already waiting for the regulator; you can "
                            "ask again once it is decided")
    unit_id, person_id = subject_of(record)
    correction = RecordCorrection(record_type=record_type, record_id=record.id, unit_id=unit_id, person_id=person_id,
                                  division_code=owning_division(record), grounds=grounds,
                                  requested_by_account_id=actor.account_id)
    db.session.add(correction)
    db.session.flush()
    record_event(actor, "record_correction_requested", correction,
                 after={"record_type": record_type, "record_id": record.id}, division_code=correction.division_code,
                 detail=grounds)
    return correction


def pending_record_correction(record_type: str, record_id: int) -> RecordCorrection | None:
    """The request about this record still waiting for a decision, if any."""
    return db.session.scalar(select(RecordCorrection).where(
        RecordCorrection.record_type == record_type, RecordCorrection.record_id == record_id,
        RecordCorrection.status == "pending"))


def _pending(actor: Actor, correction_id: int, action: str) -> tuple[RecordCorrection, object]:
    correction = db.session.get(RecordCorrection, correction_id) if 0 < correction_id < 2**31 else None
    if correction is None:
        raise RuleViolation("correction", "没有这个更正申请", "no such correction request")
    record = db.session.get(SUBJECT_RECORDS[correction.record_type], correction.record_id)
    require_jurisdiction(actor, action, correction, owning_division(record))
    if correction.status != "pending":
        raise RuleViolation("correction", "该更正申请已经处理", "this correction request is already decided")
    return correction, record


def _decided(actor: Actor, correction: RecordCorrection, status: str, note: str | None) -> None:
    correction.status, correction.decision_note = status, note
    correction.decided_by_account_id, correction.decided_at = actor.account_id, utcnow()


@service
def accept_record_correction(actor: Actor, correction_id: int, values: CorrectedValues,
                             note: str | None = None) -> RecordCorrection:
    """Correct the record with the values the regulator entered, under the rules of that record; the record as
    it was is kept with the request, and the public page says the record was corrected, and when."""
    correction, record = _pending(actor, correction_id, "accept_record_correction")
    earlier = snapshot(record)
    corrected = values.for_record(correction.record_type)
    APPLY[correction.record_type](record, **corrected)
    db.session.flush()
    correction.earlier, correction.corrected = earlier, {k: json_value(v) for k, v in corrected.items()}
    _decided(actor, correction, "accepted", optional_text(note, "note", 1000, "说明", "the note"))
    record_event(actor, f"{correction.record_type}_corrected", record, before=earlier, after=snapshot(record),
                 division_code=correction.division_code, detail=f"record_correction {correction.id}")
    record_event(actor, "record_correction_accepted", correction, after={"status": "accepted"},
                 division_code=correction.division_code, detail=correction.decision_note)
    return correction


@service
def refuse_record_correction(actor: Actor, correction_id: int, note: str | None) -> RecordCorrection:
    """Refuse a correction with the reason the requester reads; the record is unchanged."""
    correction, _ = _pending(actor, correction_id, "refuse_record_correction")
    _decided(actor, correction, "refused", check_refusal_reason(note))
    record_event(actor, "record_correction_refused", correction, after={"status": "refused"},
                 division_code=correction.division_code, detail=correction.decision_note)
    return correction
