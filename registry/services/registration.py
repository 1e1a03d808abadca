"""Self-registration: a firm registers itself (its account's username is its credit code), and a staff member
redeems the one-time invitation code the firm gave them to create their own account."""
import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from registry.access import Actor
from registry.extensions import db
from registry.models import Account, Invitation, Person, Unit, UnitVersion
from registry.models.base import aware, utcnow
from registry.models.versions import next_version
from registry.rules.divisions import validate_county_code
from registry.rules.errors import Checks, RuleViolation
from registry.rules.identifiers import validate_id_number, validate_uscc
from registry.rules.normalize import normalize_text, optional_text, required_text  # noqa: F401 (re-exported)
from registry.services import service
from registry.services.accounts import create_account
from registry.services.audit import enqueue_for_index, record_event, snapshot
from registry.services.people import join_firm, vault

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def validate_email(value: str | None, field: str = "contact_email", required: bool = True) -> str | None:
    """A plausible e-mail address (one @, a dot in the domain), or RuleViolation."""
    email = normalize_text(value, field)
    if not email:
        if required:
            raise RuleViolation(field, "请填写联系邮箱", "a contact e-mail is required")
        return None
    if len(email) > 200 or not EMAIL.match(email):
        raise RuleViolation(field, "电子邮箱格式不正确", "the e-mail address is malformed")
    return email


@dataclass(frozen=True)
class Registration:
    unit: Unit
    account: Account


def validated_firm(*, uscc: str, name: str, division_code: str, legal_representative: str,
                   contact_email: str) -> tuple[str, str, str, str, str]:
    """A registering firm's credit code, name, division, representative and e-mail, or RuleViolation(s)
    naming every field at fault at once."""
    checks = Checks()
    code = checks.run(validate_uscc, uscc, "uscc")
    name = checks.run(required_text, name, "name", 200, "单位名称", "the firm's name")
    division = checks.run(validate_county_code, division_code, "division_code", city_allowed=True)
    representative = checks.run(required_text, legal_representative, "legal_representative", 100, "法定代表人",
                                "the legal representative")
    email = checks.run(validate_email, contact_email)
    checks.done()
    return code, name, division, representative, email


@service
def register_firm(actor: Actor, *, uscc: str, name: str, division_code: str, legal_representative: str,
                  contact_email: str, password: str) -> Registration:
    """Create a firm and its account (username = credit code) in one transaction; a code registers once."""
    code, name, division, representative, email = validated_firm(
        uscc=uscc, name=name, division_code=division_code, legal_representative=legal_representative,
        contact_email=contact_email)
    unit = db.session.scalar(select(Unit).where(Unit.uscc == code))
    if unit is not None and not unit.registered:
        # a firm a penalty decision created (Soil Law art. 90): its registration takes the record over, penalties
        # and all, instead of a duplicate; its penalties keep the name and representative as decided
        return _claim(actor, unit, name=name, division=division, representative=representative, email=email,
                      password=password)
    if unit is not None:
        # Also when a regulator's record (an import) created the firm: claiming it needs the authority.
        raise RuleViolation(
            "uscc",
            "该统一社会信用代码已经注册，不能重复注册。如忘记密码或尚无账号，请联系所在地生态环境主管部门。",
            "This credit code is already registered; it cannot register twice. If you lost the password or "
            "have no account, contact your local ecology-environment department.",
        )
    if db.session.scalar(select(Account.id).where(Account.username == code)) is not None:
        raise RuleViolation("uscc", "该统一社会信用代码已被用作用户名", "this credit code is already taken as a username")
    unit = Unit(uscc=code, name=name, division_code=division, legal_representative=representative,
                contact_email=email)
    db.session.add(unit)
    db.session.flush()
    account = _firm_account(actor, unit, name, email, password)
    record_event(actor, "unit_registered", unit, after=snapshot(unit))
    return Registration(unit, account)


def _claim(actor: Actor, unit: Unit, *, name: str, division: str, representative: str, email: str,
           password: str) -> Registration:
    before = snapshot(unit)
    db.session.add(next_version(unit, UnitVersion, before))
    unit.name, unit.division_code, unit.legal_representative, unit.contact_email = name, division, representative, email
    unit.registered = True
    account = _firm_account(actor, unit, name, email, password)
    record_event(actor, "unit_registration_claimed", unit, before=before, after=snapshot(unit),
                 detail="registered the credit code of a firm a penalty decision had created")
    enqueue_for_index("unit", unit.id)
    return Registration(unit, account)


def _firm_account(actor: Actor, unit: Unit, name: str, email: str, password: str) -> Account:
    try:
        return create_account(actor, username=unit.uscc, password=password, role="unit", display_name=name,
                              email=email, unit_id=unit.id)
    except RuleViolation as error:
        if error.field != "username":
            raise
        # the username is the credit code: say so on the field the firm typed
        raise RuleViolation("uscc", error.message_zh, error.message_en) from None


def looks_like_uscc(text: str) -> bool:
    """True when the text is a valid credit code: those usernames are kept for firms."""
    try:
        validate_uscc(text)
    except RuleViolation:
        return False
    return True


def normalize_invitation_code(code: str) -> str:
    """Codes are shown in groups (`ABCD-EFGH-JKLM-NPQR`); spaces, dashes and case do not matter."""
    return re.sub(r"[\s-]", "", code or "").upper()


@service
def redeem_invitation(actor: Actor, *, code: str, id_number: str, username: str, email: str | None,
                      password: str) -> Account:
    """A staff member creates their own account with the firm's one-time code and their own ID number."""
    normalized = normalize_invitation_code(code)
    invalid = RuleViolation("code", "邀请码无效、已使用或已过期", "the invitation code is invalid, used or expired")
    if not normalized:
        raise RuleViolation("code", "请填写邀请码", "the invitation code is required")
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.code_hmac == vault().keyed_hash(normalized))
    )
    now = utcnow()
    if invitation is None or invitation.used_at is not None or aware(invitation.expires_at) <= now:
        raise invalid
    number = validate_id_number(id_number, "id_number")
    person = db.session.get(Person, invitation.person_id)
    if person.id_number_hmac != vault().lookup_hash(number):
        raise RuleViolation("id_number", "身份证号码与邀请不符", "the ID number does not match the invitation")
    if db.session.scalar(select(Account.id).where(Account.person_id == person.id)) is not None:
        raise RuleViolation("code", "您已有账号，请直接登录", "you already have an account; sign in instead")
    if looks_like_uscc(username):
        raise RuleViolation("username", "个人用户名不能是统一社会信用代码", "a personal username may not be a credit code")
    email = validate_email(email, "email", required=False)
    account = create_account(actor, username=username, password=password, role="person",
                             display_name=person.name, email=email, person_id=person.id)
    invitation.used_at = now
    record_event(actor, "invitation_redeemed", invitation, detail=f"person {person.id}")
    if invitation.proposed_name is not None:
        # redeeming a firm's proposal is the person's confirmation: they join the firm now
        join_firm(actor, invitation, person)
    return account


def anonymous(label: str, ip: str | None) -> Actor:
    """The actor of a not-yet-signed-in visitor who registers or redeems an invitation."""
    return Actor(account_id=None, label=label[:100] or "anonymous", role="anonymous", ip=ip)


def invitation_lifetime_days() -> int:
    """How long an invitation code stays valid (configurable, 14 days by default)."""
    return int(current_app.config.get("INVITATION_DAYS", 14))
