"""Corrections of locked project history: once a project is completed or has a review outcome, its dates,
location and responsible roles are locked for the firm (`rules.authority`). A change is then a request that the
competent regulator (where the project lies) accepts or refuses; an accepted one is applied with the earlier
version kept, and the public page says the record was corrected, and when.
"""
from datetime import date
from decimal import Decimal

from registry.access import Actor, require_jurisdiction
from registry.extensions import db
from registry.models import Project, ProjectCorrection
from registry.models.base import utcnow
from registry.rules.errors import RuleViolation
from registry.services import service
from registry.services.audit import enqueue_for_index, record_event
from registry.services.projects import (ProjectData, _checked_roles, locked_fields, own_project, project_snapshot,
                                        replace_project, validated)

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
