"""Non-disclosure marks (不予公开): a regulator withholds a record it owns from every public surface,
citing the legal ground (Regulations on Open Government Information, arts. 14–16), and may lift it again,
with a reason. A firm's withhold covers the firm's basic information (only its registration jurisdiction may
withhold that) and the withholding authority's own records of it, never another authority's.

The public queries filter `non_disclosure_reason IS NULL`, so the record leaves pages, API, export and
rates at once; the search documents of the firm and persons concerned are refreshed through the outbox.
"""
from sqlalchemy import select

from registry.access import Actor, owning_division, require_jurisdiction
from registry.extensions import db
from registry.models import Complaint, Employment, Penalty, Project, ProjectRole, Review, Unit
from registry.models.base import utcnow
from registry.rules.divisions import jurisdiction_prefix
from registry.rules.errors import RuleViolation
from registry.services import service
from registry.services.audit import enqueue_for_index, record_event

RECORD_TYPES = {"unit": Unit, "project": Project, "review": Review, "penalty": Penalty, "complaint": Complaint}

# The legal grounds a regulator may cite, with their labels (the stored reason is in Chinese: it is the record).
LEGAL_GROUNDS = {
    "state_secret": ("《政府信息公开条例》第十四条：依法确定为国家秘密或法律、行政法规禁止公开",
                     "OGI Regulations art. 14: state secret, or disclosure forbidden by law"),
    "security": ("《政府信息公开条例》第十四条：公开后可能危及国家安全、公共安全、经济安全、社会稳定",
                 "OGI Regulations art. 14: disclosure may endanger national, public or economic security or social stability"),
    "third_party": ("《政府信息公开条例》第十五条：涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害",
                    "OGI Regulations art. 15: trade secret or personal privacy of a third party"),
    "internal": ("《政府信息公开条例》第十六条：内部事务信息或过程性信息、行政执法案卷信息",
                 "OGI Regulations art. 16: internal affairs, process information or law-enforcement case files"),
    "court_order": ("人民法院或其他有权机关依法要求不予公开", "a court or other competent authority ordered it withheld"),
}


def _enqueue_affected(record) -> None:
    unit_ids: set[int] = set()
    person_ids: set[int] = set()
    project_id = None
    if isinstance(record, Unit):
        unit_ids.add(record.id)
        person_ids.update(db.session.scalars(select(Employment.person_id).where(Employment.unit_id == record.id)))
    elif isinstance(record, Project):
        unit_ids.add(record.unit_id)
        project_id = record.id
    elif isinstance(record, (Review, Complaint)):
        unit_ids.add(record.project.unit_id)
        project_id = record.project_id
    elif isinstance(record, Penalty):
        if record.unit_id is not None:
            unit_ids.add(record.unit_id)
        else:
            person_ids.add(record.person_id)
    if project_id is not None:
        person_ids.update(db.session.scalars(select(ProjectRole.person_id).where(ProjectRole.project_id == project_id)))
    for unit_id in sorted(unit_ids):
        enqueue_for_index("unit", unit_id)
    for person_id in sorted(person_ids):
        enqueue_for_index("person", person_id)


@service
def mark_non_disclosed(actor: Actor, record_type: str, record_id: int, *, ground: str, explanation: str) -> object:
    """Withhold a record in the actor's jurisdiction from every public surface, with the legal ground."""
    model = RECORD_TYPES.get(record_type)
    record = db.session.get(model, record_id) if model is not None else None
    if record is None:
        raise RuleViolation("record", "没有这条记录", "no such record")
    # a firm's owning division is its registration jurisdiction: only that authority withholds its basic information
    require_jurisdiction(actor, "mark_non_disclosed", record, owning_division(record))
    if ground not in LEGAL_GROUNDS:
        raise RuleViolation("ground", "请选择不予公开的法律依据", "choose the legal ground")
    explanation = _reason(explanation, "explanation", "请说明不予公开的具体理由", "explain why the record is withheld")
    if record.non_disclosure_reason is not None:
        raise RuleViolation("record", "该记录已经标记为不予公开", "this record is already withheld")
    record.non_disclosure_reason = f"{LEGAL_GROUNDS[ground][0]}。{explanation}"
    record.non_disclosed_at = utcnow()
    after = {"non_disclosure_reason": record.non_disclosure_reason}
    if isinstance(record, Unit):
        record.non_disclosure_scope = after["non_disclosure_scope"] = jurisdiction_prefix(actor.division_code)
    record_event(actor, "marked_non_disclosed", record, before={"non_disclosure_reason": None},
                 after=after, division_code=owning_division(record))
    _enqueue_affected(record)
    return record


def _reason(text: str | None, field: str, zh: str, en: str) -> str:
    text = (text or "").strip()
    if len(text) < 4:
        raise RuleViolation(field, zh, en)
    if len(text) > 2000:
        raise RuleViolation(field, "说明不能超过2000个字", "the explanation is at most 2,000 characters")
    return text


@service
def lift_non_disclosure(actor: Actor, record_type: str, record_id: int, *, reason: str) -> object:
    """Publish a withheld record again, with the reason; the withhold stays in the audit trail."""
    model = RECORD_TYPES.get(record_type)
    record = db.session.get(model, record_id) if model is not None else None
    if record is None:
        raise RuleViolation("record", "没有这条记录", "no such record")
    require_jurisdiction(actor, "lift_non_disclosure", record, owning_division(record))
    scope = getattr(record, "non_disclosure_scope", None)
    if scope is not None:  # a wider authority's withhold of a firm (a city's, say) is not a district's to lift
        require_jurisdiction(actor, "lift_non_disclosure", record, scope.ljust(6, "0"))
    if record.non_disclosure_reason is None:
        raise RuleViolation("record", "该记录没有标记为不予公开", "this record is not withheld")
    reason = _reason(reason, "reason", "请说明恢复公开的理由", "give the reason for publishing the record again")
    before = {"non_disclosure_reason": record.non_disclosure_reason}
    if isinstance(record, Unit):
        before["non_disclosure_scope"] = record.non_disclosure_scope
        record.non_disclosure_scope = None
    record.non_disclosure_reason = None
    record.non_disclosed_at = None
    record_event(actor, "non_disclosure_lifted", record, before=before,
                 after={"non_disclosure_reason": None, "reason": reason}, division_code=owning_division(record))
    _enqueue_affected(record)
    return record
