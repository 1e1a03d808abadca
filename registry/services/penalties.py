"""Administrative penalties (行政处罚) with the national "double publicity" fields, practice bans under
Soil Law art. 90, and credit repair.

The deciding authority is the acting regulator's own: a regulator records only its authority's decisions,
and later acts only on penalties whose authority lies within its jurisdiction.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from registry.access import AccessDenied, Actor, may_decide_penalty
from registry.clock import today
from registry.extensions import db
from registry.models import Penalty, Person, Unit
from registry.reference import CATEGORIES, PENALTY_KINDS, SEVERITIES
from registry.rules.amounts import check_amount
from registry.rules.ban_terms import check_ban_terms
from registry.rules.divisions import jurisdiction_prefix
from registry.rules.double_publicity import check_double_publicity_fields
from registry.rules.errors import RuleViolation
from registry.rules.penalties import check_ban_matches_kinds, check_fine_given, decision_text
from registry.rules.identifiers import validate_id_number, validate_uscc
from registry.rules.publicity import Governing, check_decision_date, default_publicity_end, governing_period, repair_possible_from
from registry.services import service
from registry.services.audit import enqueue_for_index, record_event, snapshot
from registry.services.people import add_person, find_person_by_id_number
from registry.services.registration import required_text
from registry.visibility import publicity_rules

BAN_CHOICES = ("none", "until", "lifetime")
ID_TYPE_RESIDENT_CARD = "resident_id_card"  # 居民身份证, the only ID type the registry keeps (GB 11643)


@dataclass
class PenaltyInput:
    """What a regulator enters for one penalty decision."""

    subject_kind: str  # "unit" or "person"
    decision_number: str
    decided_on: date | None
    kinds: list[str]
    severity: str = "ordinary"
    subject_uscc: str | None = None
    subject_id_number: str | None = None
    # an unregistered party (Soil Law art. 90 reaches it all the same): its record is created from the decision
    subject_name: str | None = None
    subject_legal_representative: str | None = None
    violation_type: str | None = None
    violation: str | None = None
    basis: str | None = None
    content: str | None = None
    fine_yuan: Decimal | None = None
    confiscated_yuan: Decimal | None = None
    licence_action: str | None = None
    ban: str = "none"
    ban_until: date | None = None
    crime_found: bool = False  # a person's lifetime ban: the decision found a crime (Soil Law art. 90)
    ban_categories: list[str] | None = None  # a firm's banned business; none named: all of the firm's
    authority_uscc: str | None = None
    data_source: str | None = None


def governing_for(severity: str, kinds, decided_on: date) -> Governing:
    """The severity (and the kind that implied it, if any) whose period applies to a decision."""
    return governing_period(severity, kinds, decided_on, publicity_rules())


def publicity_end_for(severity: str, decided_on: date, kinds=()) -> date:
    """The publicity end date of a decision: its date plus the longest maximum period of its kinds and severity
    under the rule then in force."""
    return default_publicity_end(governing_for(severity, kinds, decided_on).severity, decided_on, publicity_rules())


def repair_date_for(penalty: Penalty) -> date:
    """The first day credit repair may be granted for this penalty."""
    governing = governing_for(penalty.severity, penalty.kinds, penalty.decided_on)
    return repair_possible_from(governing.severity, penalty.decided_on, publicity_rules())


def _subject(actor: Actor, data: PenaltyInput) -> tuple[Unit | None, Person | None]:
    """The firm (by credit code) or the person (by full ID number). A party not registered is created from the
    decision when its name is given (Soil Law art. 90 reaches firms and persons whether or not they registered).
    Jurisdiction over such a party: its credit code's registration division (characters 3-8, GB 32100) or its ID
    number's first six digits lie in the acting authority's jurisdiction. A party from elsewhere is recorded by
    the authority of its place, or registers first, so that `may_decide_penalty` can judge it by its projects."""
    if data.subject_kind == "unit":
        code = validate_uscc(data.subject_uscc or "", "subject_uscc")
        unit = db.session.scalar(select(Unit).where(Unit.uscc == code))
        if unit is None:
            unit = _new_unit(actor, code, data)
        return unit, None
    if data.subject_kind == "person":
        person = find_person_by_id_number(data.subject_id_number or "", "subject_id_number")
        if person is None:
            person = _new_person(actor, data)
        return None, person
    raise RuleViolation("subject_kind", "请选择处罚对象是单位还是个人", "choose whether a firm or a person is penalised")


def _unregistered_party_in_jurisdiction(actor: Actor, unit: Unit | None, person: Person | None) -> None:
    """A party not registered lies in the jurisdiction where its place of registration does (the masked ID
    number keeps the first six digits)."""
    division = unit.uscc[2:8] if unit else person.id_number_masked[:6]
    if not division.startswith(jurisdiction_prefix(actor.division_code)):
        field = "subject_uscc" if unit else "subject_id_number"
        raise RuleViolation(field, "该当事人未登记，且其登记地（统一社会信用代码第3至8位或身份证号码前6位）不在本机关辖区内",
                            "the party is not registered and its place of registration (characters 3 to 8 of the "
                            "credit code, or the first six digits of the ID number) is not in your jurisdiction")


def _new_unit(actor: Actor, code: str, data: PenaltyInput) -> Unit:
    name = required_text(data.subject_name, "subject_name", 200, "当事人名称（该单位尚未登记，按处罚决定书填写）",
                         "the party's name (the firm is not registered: as the decision gives it)")
    representative = required_text(data.subject_legal_representative, "subject_legal_representative", 100,
                                   "法定代表人", "the legal representative")
    unit = Unit(uscc=code, name=name, legal_representative=representative, division_code=code[2:8], registered=False)
    db.session.add(unit)
    db.session.flush()
    record_event(actor, "unit_created_from_penalty", unit, after=snapshot(unit), division_code=actor.division_code)
    return unit


def _new_person(actor: Actor, data: PenaltyInput) -> Person:
    name = required_text(data.subject_name, "subject_name", 100, "当事人姓名（此人尚未登记，按处罚决定书填写）",
                         "the party's name (the person is not registered: as the decision gives it)")
    number = validate_id_number(data.subject_id_number or "", "subject_id_number")
    person = add_person(number, name, None, "subject_id_number")
    person.registered = False
    db.session.flush()
    record_event(actor, "person_created_from_penalty", person, after=snapshot(person), division_code=actor.division_code)
    return person


def _check_penalty(data: PenaltyInput) -> None:
    if data.decided_on is None:
        raise RuleViolation("decided_on", "请填写处罚决定日期", "the decision date is required")
    check_decision_date(data.decided_on, today())
    if not data.kinds or any(kind not in PENALTY_KINDS for kind in data.kinds):
        raise RuleViolation("kinds", "请至少选择一种处罚类别", "choose at least one kind of penalty")
    if data.severity not in SEVERITIES:
        raise RuleViolation("severity", "请选择失信程度", "choose the severity")
    data.fine_yuan = check_amount(data.fine_yuan, "fine_yuan")
    data.confiscated_yuan = check_amount(data.confiscated_yuan, "confiscated_yuan")
    check_fine_given(data.kinds, data.fine_yuan)
    if data.ban not in BAN_CHOICES:
        raise RuleViolation("ban", "请选择禁止从业期限", "choose the practice ban's term")
    check_ban_matches_kinds(data.kinds, data.ban != "none")
    if data.ban == "until" and data.ban_until is None:
        raise RuleViolation("ban_until", "请填写禁止从业的截止日期", "enter the date the ban ends")
    data.ban_categories = check_ban_terms(
        subject_kind=data.subject_kind, severity=data.severity, decided_on=data.decided_on,
        ban_until=data.ban_until if data.ban == "until" else None, ban_lifetime=data.ban == "lifetime",
        crime_found=data.crime_found, categories=data.ban_categories, known_categories=CATEGORIES)
    if data.authority_uscc:
        validate_uscc(data.authority_uscc, "authority_uscc")


@service
def record_penalty(actor: Actor, data: PenaltyInput) -> Penalty:
    """Record a penalty decided by the actor's authority; its publicity end follows from severity and date."""
    if actor.role != "regulator" or not actor.division_code:
        raise AccessDenied(actor, "record_penalty", "penalty", None)
    decision_number = decision_text(data.decision_number, "decision_number")
    if not decision_number:
        raise RuleViolation("decision_number", "请填写处罚决定书文号", "the decision number is required")
    if db.session.scalar(select(Penalty.id).where(Penalty.decision_number == decision_number)) is not None:
        raise RuleViolation("decision_number", "该处罚决定书文号已经登记", "this decision number is already recorded")
    _check_penalty(data)
    check_double_publicity_fields({name: getattr(data, name) for name in (
        "violation_type", "violation", "basis", "content", "licence_action", "authority_uscc", "data_source")},
        data.kinds, data.confiscated_yuan)
    unit, person = _subject(actor, data)
    if not (unit or person).registered:
        _unregistered_party_in_jurisdiction(actor, unit, person)
    elif not may_decide_penalty(actor.division_code, unit.id if unit else None, person.id if person else None):
        raise RuleViolation("subject_uscc" if unit else "subject_id_number",
                            "该当事人的登记地和从业项目所在地都不在本机关辖区内，本机关不能登记对其的行政处罚",
                            "neither the party's registered division nor any of its projects lies in your "
                            "jurisdiction: your authority cannot record a penalty on this party")
    penalty = Penalty(
        decision_number=decision_number, unit_id=unit.id if unit else None, person_id=person.id if person else None,
        # the party as decided: its name and legal representative stay as published whatever changes later
        party_name=unit.name if unit else person.name, legal_representative=unit.legal_representative if unit else None,
        id_type=None if unit else ID_TYPE_RESIDENT_CARD,
        authority=actor.authority_name or actor.label, authority_division_code=actor.division_code,
        authority_uscc=validate_uscc(data.authority_uscc, "authority_uscc") if data.authority_uscc else None,
        decided_on=data.decided_on, kinds=list(dict.fromkeys(data.kinds)), severity=data.severity,
        violation_type=decision_text(data.violation_type, "violation_type"),
        violation=decision_text(data.violation, "violation"),
        basis=decision_text(data.basis, "basis"), content=decision_text(data.content, "content"),
        fine_yuan=data.fine_yuan, confiscated_yuan=data.confiscated_yuan,
        licence_action=decision_text(data.licence_action, "licence_action"),
        ban_until=data.ban_until if data.ban == "until" else None, ban_lifetime=data.ban == "lifetime",
        ban_categories=data.ban_categories,
        publicity_ends_on=publicity_end_for(data.severity, data.decided_on, data.kinds),
        data_source=decision_text(data.data_source, "data_source"), recorded_by_account_id=actor.account_id,
    )
    db.session.add(penalty)
    db.session.flush()
    record_event(actor, "penalty_recorded", penalty, after=snapshot(penalty), division_code=actor.division_code)
    enqueue_penalty_subject(penalty)
    return penalty


def enqueue_penalty_subject(penalty: Penalty) -> None:
    """A penalty changes what the public search shows about its firm or person."""
    if penalty.unit_id is not None:
        enqueue_for_index("unit", penalty.unit_id)
    else:
        enqueue_for_index("person", penalty.person_id)


def correct_penalty(penalty: Penalty, *, decided_on: date | None, violation: str | None, basis: str | None,
                    content: str | None, fine_yuan: Decimal | None) -> None:
    """Give a recorded decision corrected values under the rules that recorded it (its ban, kinds and severity
    as decided); a corrected date gives the publicity end that follows from it. The double-publicity template's
    completeness binds a new decision (`record_penalty`), not a correction of some of an older one's values. The
    caller keeps the earlier version."""
    data = PenaltyInput(
        subject_kind="unit" if penalty.unit_id is not None else "person", decision_number=penalty.decision_number,
        decided_on=decided_on, kinds=list(penalty.kinds or []), severity=penalty.severity,
        violation_type=penalty.violation_type, violation=violation, basis=basis, content=content,
        fine_yuan=fine_yuan, confiscated_yuan=penalty.confiscated_yuan, licence_action=penalty.licence_action,
        ban="lifetime" if penalty.ban_lifetime else "until" if penalty.ban_until else "none",
        ban_until=penalty.ban_until, crime_found=penalty.ban_lifetime, ban_categories=penalty.ban_categories,
        authority_uscc=penalty.authority_uscc, data_source=penalty.data_source)
    _check_penalty(data)
    texts = {name: decision_text(getattr(data, name), name) for name in ("violation", "basis", "content")}
    if data.decided_on != penalty.decided_on:
        penalty.publicity_ends_on = publicity_end_for(penalty.severity, data.decided_on, data.kinds)
    penalty.decided_on, penalty.fine_yuan = data.decided_on, data.fine_yuan
    penalty.violation, penalty.basis, penalty.content = texts["violation"], texts["basis"], texts["content"]
    enqueue_penalty_subject(penalty)
