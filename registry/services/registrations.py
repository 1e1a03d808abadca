"""What the firm's regulator does with a self-registration: confirm it against the business licence,
suspend it (a squatted credit code, say), and hand the credit code to the rightful firm after checking its
licence offline. The Measures make firms answer for what they self-report, so a registration is public at once,
marked 单位自主填报，尚未核验 until confirmed.

The firm's regulator is its registration jurisdiction; the national administrator (and the command line) may
act anywhere.
"""
from dataclasses import dataclass

from sqlalchemy import select

from registry.access import Actor, is_national_admin, require_jurisdiction
from registry.extensions import db
from registry.models import Account, Employment, Unit, UnitVersion
from registry.models.base import utcnow
from registry.models.versions import next_version
from registry.rules.errors import RuleViolation
from registry.services import service
from registry.services.accounts import hash_password, one_time_password
from registry.services.audit import enqueue_for_index, record_event
from registry.services.registration import required_text
from registry.services.units import unit_snapshot

# what the firm's own view says confirmation needs
CONFIRMATION_NEEDS = ("所在地生态环境主管部门将您填报的单位名称、统一社会信用代码和法定代表人与营业执照核对；"
                      "请准备营业执照（或加盖公章的复印件），按主管部门的要求提交或出示。核验前，公开页面标注“单位自主填报，尚未核验”。")


def _registration(actor: Actor, unit_id: int, action: str) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise RuleViolation("unit", "没有这个单位", "no such firm")
    if not is_national_admin(actor):
        require_jurisdiction(actor, action, unit, unit.division_code)
    return unit


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise RuleViolation("reason", "请写明理由（至少4个字）", "give the reason (at least 4 characters)")
    if len(reason) > 1000:
        raise RuleViolation("reason", "理由不能超过1000个字", "the reason is at most 1,000 characters")
    return reason


def _enqueue(unit: Unit) -> None:
    enqueue_for_index("unit", unit.id)
    for person_id in db.session.scalars(select(Employment.person_id).where(Employment.unit_id == unit.id)):
        enqueue_for_index("person", person_id)


@service
def confirm_registration(actor: Actor, unit_id: int) -> Unit:
    """The regulator checked the registration against the business licence: the mark on public pages goes."""
    unit = _registration(actor, unit_id, "confirm_registration")
    if unit.registration_suspended_at is not None:
        raise RuleViolation("unit", "该单位的注册已暂停，请先核实营业执照后移交给合法单位",
                            "the registration is suspended: hand it over to the rightful firm first")
    if unit.registration_confirmed_at is not None:
        return unit
    unit.registration_confirmed_at = utcnow()
    record_event(actor, "registration_confirmed", unit, before={"registration_confirmed_at": None},
                 after={"registration_confirmed_at": unit.registration_confirmed_at.isoformat()})
    _enqueue(unit)
    return unit


@service
def suspend_registration(actor: Actor, unit_id: int, reason: str) -> Unit:
    """Suspend a registration: the firm's accounts can no longer sign in (their sessions end), and what it
    self-reported leaves the public pages; the authorities' records about the credit code stay."""
    unit = _registration(actor, unit_id, "suspend_registration")
    reason = _reason(reason)
    if unit.registration_suspended_at is not None:
        raise RuleViolation("unit", "该单位的注册已经暂停", "the registration is already suspended")
    before = {"registration_suspended_at": None,
              "registration_confirmed_at": unit.registration_confirmed_at.isoformat()
              if unit.registration_confirmed_at else None}
    unit.registration_suspended_at = utcnow()
    unit.registration_confirmed_at = None
    for account in db.session.scalars(select(Account).where(Account.unit_id == unit.id, Account.role == "unit")):
        if account.active:
            account.active = False
            account.session_version += 1
    record_event(actor, "registration_suspended", unit, before=before,
                 after={"registration_suspended_at": unit.registration_suspended_at.isoformat()}, detail=reason)
    _enqueue(unit)
    return unit


@dataclass
class HandOver:
    unit: Unit
    username: str
    one_time_password: str  # shown once, handed over offline


@service
def hand_over_registration(actor: Actor, unit_id: int, *, name: str, legal_representative: str,
                           reason: str) -> HandOver:
    """After checking the rightful firm's business licence offline: the suspended registration passes to it,
    with the licence's name and legal representative, confirmed. Its sign-in (the credit code) gets a one-time
    password to change at first sign-in; the earlier holder's contact details and sessions go. The earlier
    basic information is kept as a version."""
    unit = _registration(actor, unit_id, "hand_over_registration")
    if unit.registration_suspended_at is None:
        raise RuleViolation("unit", "请先暂停该单位的注册，再移交给合法单位", "suspend the registration before handing it over")
    name = required_text(name, "name", 200, "营业执照上的单位名称", "the name on the business licence")
    representative = required_text(legal_representative, "legal_representative", 100, "营业执照上的法定代表人",
                                   "the legal representative on the business licence")
    reason = _reason(reason)
    before = unit_snapshot(unit)
    db.session.add(next_version(unit, UnitVersion, before, replaced_by_account_id=actor.account_id))
    unit.name, unit.legal_representative = name, representative
    unit.contact_email = unit.contact_phone = None
    unit.registration_suspended_at = None
    unit.registration_confirmed_at = utcnow()
    one_time = one_time_password()
    account = db.session.scalar(select(Account).where(Account.username == unit.uscc))
    if account is None:
        account = Account(username=unit.uscc, role="unit", unit_id=unit.id, display_name=name, password_hash="")
        db.session.add(account)
    account.display_name, account.email, account.active = name, None, True
    account.password_hash = hash_password(one_time)
    account.password_changed_at = utcnow()
    account.must_change_password = True
    account.session_version = (account.session_version or 1) + 1
    db.session.flush()
    record_event(actor, "registration_handed_over", unit, before=before, after=unit_snapshot(unit), detail=reason)
    _enqueue(unit)
    return HandOver(unit, account.username, one_time)
