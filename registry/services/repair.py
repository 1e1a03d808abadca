"""Credit repair (信用修复) as an application the regulator records and then decides.

The party applies; the deciding authority records the date applied, the grounds and the materials received,
sees exactly what will leave the public view, and grants or refuses (with a reason). A grant takes the
penalty out of public view from that day; an active practice ban stays shown. Nothing is deleted: every
application and decision is kept, and audited on the penalty's trail.
"""
from datetime import date

from sqlalchemy import select

from registry.access import Actor, require_jurisdiction
from registry.clock import today
from registry.extensions import db
from registry.models import Penalty, RepairApplication
from registry.reference import REPAIR_MATERIALS
from registry.rules.errors import RuleViolation
from registry.rules.publicity import check_repair_date
from registry.services import service
from registry.services.audit import record_event
from registry.services.penalties import enqueue_penalty_subject, governing_for
from registry.visibility import publicity_rules


def _penalty(actor: Actor, penalty_id: int, action: str) -> Penalty:
    penalty = db.session.get(Penalty, penalty_id)
    if penalty is None:
        raise RuleViolation("penalty", "没有这个行政处罚", "no such penalty")
    require_jurisdiction(actor, action, penalty, penalty.authority_division_code)
    if penalty.repaired_on is not None:
        raise RuleViolation("applied_on", f"该处罚已于{penalty.repaired_on.isoformat()}完成信用修复",
                            f"repair was already granted on {penalty.repaired_on.isoformat()}")
    return penalty


def pending_application(penalty_id: int) -> RepairApplication | None:
    """The application of this penalty that awaits a decision (there is at most one)."""
    return db.session.scalar(select(RepairApplication).where(RepairApplication.penalty_id == penalty_id,
                                                             RepairApplication.status == "pending"))


def _application_of(penalty: Penalty) -> RepairApplication:
    application = pending_application(penalty.id)
    if application is None:
        raise RuleViolation("application", "该处罚没有待决定的信用修复申请", "this penalty has no pending repair application")
    return application


@service
def record_repair_application(actor: Actor, penalty_id: int, *, applied_on: date | None, grounds: str | None,
                              materials: list[str]) -> RepairApplication:
    """Record a party's application for credit repair, with the materials the authority received."""
    penalty = _penalty(actor, penalty_id, "record_repair_application")
    if pending_application(penalty.id) is not None:
        raise RuleViolation("applied_on", "该处罚已有一份待决定的信用修复申请", "an application for this penalty awaits a decision")
    if applied_on is None:
        raise RuleViolation("applied_on", "请填写申请日期", "the date of the application is required")
    if applied_on > today():
        raise RuleViolation("applied_on", "申请日期不能晚于今天", "the application date cannot be in the future")
    if applied_on < penalty.decided_on:
        raise RuleViolation("applied_on", "申请日期不能早于处罚决定日期", "the application cannot precede the decision")
    grounds = (grounds or "").strip()
    if not grounds:
        raise RuleViolation("grounds", "请填写申请理由", "the grounds of the application are required")
    if len(grounds) > 2000:
        raise RuleViolation("grounds", "不能超过2000个字符", "at most 2000 characters")
    materials = list(dict.fromkeys(materials or []))
    if any(code not in REPAIR_MATERIALS for code in materials):
        raise RuleViolation("materials", "请从列表中选择收到的材料", "choose the materials received from the list")
    if "application_letter" not in materials:
        raise RuleViolation("materials", "信用修复须有申请书：请确认已收到信用修复申请书",
                            "a repair needs the application letter: confirm it was received")
    application = RepairApplication(penalty_id=penalty.id, applied_on=applied_on, grounds=grounds,
                                    materials=materials, status="pending", recorded_by_account_id=actor.account_id)
    db.session.add(application)
    db.session.flush()
    record_event(actor, "repair_application_recorded", penalty, division_code=penalty.authority_division_code,
                 after={"application": application.id, "applied_on": applied_on.isoformat(), "grounds": grounds,
                        "materials": materials})
    return application


@service
def grant_repair(actor: Actor, penalty_id: int) -> RepairApplication:
    """Grant the pending application today, once the minimum publicity period has passed; the penalty leaves
    public view from today."""
    penalty = _penalty(actor, penalty_id, "grant_repair")
    application = _application_of(penalty)
    try:
        check_repair_date(governing_for(penalty.severity, penalty.kinds, penalty.decided_on).severity, penalty.decided_on,
                          today(), today(), publicity_rules())
    except RuleViolation as refused:  # the same rule and words as the import's, shown beside the decision
        raise RuleViolation("application", refused.message_zh, refused.message_en) from None
    penalty.repaired_on = today()
    penalty.repaired_by_account_id = actor.account_id
    application.status, application.decided_on, application.decided_by_account_id = "granted", today(), actor.account_id
    record_event(actor, "penalty_repaired", penalty, before={"repaired_on": None},
                 after={"repaired_on": penalty.repaired_on.isoformat(), "application": application.id},
                 division_code=penalty.authority_division_code)
    enqueue_penalty_subject(penalty)
    return application


@service
def refuse_repair(actor: Actor, penalty_id: int, reason: str | None) -> RepairApplication:
    """Refuse the pending application, giving the reason; the penalty stays as it was."""
    penalty = _penalty(actor, penalty_id, "refuse_repair")
    application = _application_of(penalty)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("reason", "请填写不予修复的理由", "give the reason for the refusal")
    if len(reason) > 2000:
        raise RuleViolation("reason", "不能超过2000个字符", "at most 2000 characters")
    application.status, application.decided_on = "refused", today()
    application.refusal_reason, application.decided_by_account_id = reason, actor.account_id
    record_event(actor, "repair_refused", penalty, division_code=penalty.authority_division_code,
                 after={"application": application.id, "reason": reason})
    return application
