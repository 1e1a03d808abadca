"""Accounts: creation, login with a lockout counted in the database, logout, password change; the
administrator's recovery of a firm's or a person's account (sign-in reset, suspension, reinstatement).

Logout, password change, reset and suspension bump the account's session version, which every request checks,
so every earlier session ends (a signed cookie alone could be replayed).
"""
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from stdnum.cn import uscc
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from registry.access import PRACTITIONER_ROLES, SYSTEM, AccessDenied, Actor, is_national_admin
from registry.extensions import db
from registry.models import Account, LoginAttempt
from registry.models.base import utcnow
from registry.rules.errors import RuleViolation
from registry.rules.identifiers import looks_like_full_id_number
from registry.rules.normalize import normalize_text
from registry.rules.passwords import check_password_policy
from registry.services import service
from registry.rules.divisions import within_jurisdiction
from registry.services.audit import record_event

# Compared against when the username is unknown, so a miss costs as long as a hit.
_DUMMY_HASH = generate_password_hash("not a real password, only for timing")


@dataclass(frozen=True)
class LoginResult:
    account: Account | None
    locked_until: datetime | None = None
    second_factor_pending: bool = False  # the password was right; the code of the second factor is still due


def hash_password(password: str) -> str:
    return generate_password_hash(password)  # Werkzeug's default: scrypt


@service
def create_account(actor: Actor, *, username: str, password: str, role: str, display_name: str,
                   email: str | None = None, unit_id: int | None = None, person_id: int | None = None,
                   division_code: str | None = None, authority_name: str | None = None) -> Account:
    """A new account; the username (NFKC, no invisible characters) must be free and the password must meet
    the policy."""
    username = normalize_text(username, "username")
    if not username:
        raise RuleViolation("username", "请填写用户名", "a username is required")
    if looks_like_full_id_number(username) and not (role == "unit" and uscc.is_valid(username)):
        # a firm's username is its credit code, which may be all digits; anyone else's may not look like an ID
        raise RuleViolation("username", "用户名不能是身份证号码", "a username may not be an ID number")
    if db.session.scalar(select(Account.id).where(Account.username == username)) is not None:
        raise RuleViolation("username", "该用户名已被注册", "this username is already registered")
    check_password_policy(password)
    account = Account(username=username, password_hash=hash_password(password), role=role,
                      display_name=display_name, email=email, unit_id=unit_id, person_id=person_id,
                      division_code=division_code, authority_name=authority_name)
    db.session.add(account)
    record_event(actor, "account_created", account, after={"username": username, "role": role,
                                                            "division_code": division_code})
    return account


def _recent_failures(username: str, now: datetime) -> list[datetime]:
    window = timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.username == username, LoginAttempt.succeeded)
    )
    since = now - window
    if last_success is not None and last_success > since:
        since = last_success
    return list(
        db.session.scalars(
            select(LoginAttempt.at)
            .where(LoginAttempt.username == username, ~LoginAttempt.succeeded, LoginAttempt.at > since)
            .order_by(LoginAttempt.at)
        )
    )


def locked_until(key: str, now: datetime) -> datetime | None:
    """When the lockout of this key lifts, or None: 5 failures in 15 minutes lock it (sign-in and password
    change count together, so the current-password box is no way round the lockout)."""
    failures = _recent_failures(key, now)
    limit = current_app.config["LOGIN_LOCKOUT_FAILURES"]
    if len(failures) < limit:
        return None
    return failures[-limit] + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])


@service
def authenticate(username: str, password: str, ip: str | None = None) -> LoginResult:
    """Check a login; after 5 failures in 15 minutes the username is locked until the window passes."""
    username = unicodedata.normalize("NFKC", username).strip()[:100]  # as stored by create_account
    now = utcnow()
    account = db.session.scalar(select(Account).where(Account.username == username))
    key = _attempt_key(username, account)
    lifted_at = locked_until(key, now)
    if lifted_at is not None:
        db.session.add(LoginAttempt(username=key, at=now, succeeded=False, ip=ip))
        record_event(Actor(None, key, ip=ip), "login_refused_locked", detail="account locked")
        return LoginResult(None, lifted_at)
    ok = check_password_hash(account.password_hash if account else _DUMMY_HASH, password)
    ok = ok and account is not None and account.active
    if not ok:
        db.session.add(LoginAttempt(username=key, at=now, succeeded=False, ip=ip))
        record_event(Actor(None, key, ip=ip), "login_failed")
        return LoginResult(None)
    if account.has_second_factor:
        # not yet a successful attempt: that would reset the failure count between guesses of the code
        record_event(Actor.of(account, ip), "login_password_accepted", account)
        return LoginResult(account, second_factor_pending=True)
    db.session.add(LoginAttempt(username=key, at=now, succeeded=True, ip=ip))
    record_event(Actor.of(account, ip), "login", account)
    return LoginResult(account)


def _attempt_key(username: str, account: Account | None) -> str:
    """What a login attempt is recorded and counted under: the account's username, or, for a name that is no
    account, a keyed hash of it. People type their password (or ID number) into the username box by mistake,
    and neither may be kept (ASVS 7.1.1); the same mistyped name still counts towards its own lockout."""
    if account is not None:
        return account.username
    return "unknown:" + current_app.extensions["id_vault"].keyed_hash("username:" + username)[:24]


@service
def logout(actor: Actor) -> None:
    """End every session of the account."""
    account = db.session.get(Account, actor.account_id)
    account.session_version += 1
    record_event(actor, "logout", account)


@service
def change_password(actor: Actor, current_password: str, new_password: str) -> LoginResult:
    """Change the password after checking the current one; every other session ends. A wrong current password
    is a failed sign-in attempt, counted and audited (it returns no account), and the lockout refuses it too."""
    account = db.session.get(Account, actor.account_id)
    now = utcnow()
    lifted_at = locked_until(account.username, now)
    if lifted_at is not None or not check_password_hash(account.password_hash, current_password):
        db.session.add(LoginAttempt(username=account.username, at=now, succeeded=False, ip=actor.ip))
        record_event(actor, "password_change_refused_locked" if lifted_at else "password_change_failed", account)
        return LoginResult(None, lifted_at)
    if new_password == current_password:
        raise RuleViolation("new_password", "新密码不能与当前密码相同", "the new password must differ from the current one")
    check_password_policy(new_password, "new_password")
    account.password_hash = hash_password(new_password)
    account.password_changed_at = now
    account.must_change_password = False
    account.session_version += 1
    db.session.add(LoginAttempt(username=account.username, at=now, succeeded=True, ip=actor.ip))
    record_event(actor, "password_changed", account)
    return LoginResult(account)


# Without 0/O, 1/l/I: read aloud or copied from paper, a one-time password must not be misread.
ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _practitioner_account(actor: Actor, account_id: int, action: str) -> Account:
    """A firm's or a person's account that the actor may recover: the national administrator any, a regulator a
    firm's account registered within its jurisdiction (to suspend a squatted registration); anyone else 403."""
    if not is_national_admin(actor) and actor.role != "regulator":
        raise AccessDenied(actor, action, "account", account_id)
    account = db.session.get(Account, account_id)
    if account is None or account.role not in PRACTITIONER_ROLES:
        raise RuleViolation("account", "没有这个从业单位或从业个人账户", "no such firm or person account")
    if not is_national_admin(actor) and not (
            action != "reset_sign_in" and account.role == "unit"
            and within_jurisdiction(actor.division_code, account.unit.division_code)):
        raise AccessDenied(actor, action, "account", account_id)
    return account


def clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("reason", "请填写理由", "a reason is required")
    if len(reason) > 500:
        raise RuleViolation("reason", "理由不能超过500个字符", "the reason may have at most 500 characters")
    return reason


def one_time_password() -> str:
    """Sixteen unambiguous characters in four groups, to be read aloud or copied from paper."""
    return "-".join("".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(4)) for _ in range(4))


@service
def reset_sign_in(actor: Actor, account_id: int, reason: str) -> str:
    """Give a firm's or a person's account a new one-time password (returned, shown once, handed over offline);
    it opens only the password change page, and every earlier session ends. The national administrator only."""
    account = _practitioner_account(actor, account_id, "reset_sign_in")
    reason = clean_reason(reason)
    one_time = one_time_password()
    account.password_hash = hash_password(one_time)
    account.password_changed_at = utcnow()
    account.must_change_password = True
    account.session_version += 1
    record_event(actor, "sign_in_reset", account, after={"must_change_password": True}, detail=reason)
    return one_time


@service
def suspend_account(actor: Actor, account_id: int, reason: str) -> Account:
    """Suspend a firm's or a person's account: it cannot sign in, and its sessions end at once."""
    account = _practitioner_account(actor, account_id, "suspend_account")
    reason = clean_reason(reason)
    if account.active:
        account.active = False
        account.session_version += 1
        record_event(actor, "account_suspended", account, before={"active": True}, after={"active": False},
                     detail=reason)
    return account


@service
def reinstate_account(actor: Actor, account_id: int, reason: str) -> Account:
    """Let a suspended firm's or person's account sign in again."""
    account = _practitioner_account(actor, account_id, "reinstate_account")
    reason = clean_reason(reason)
    if not account.active:
        account.active = True
        record_event(actor, "account_reinstated", account, before={"active": False}, after={"active": True},
                     detail=reason)
    return account


def system_create_account(**fields) -> Account:
    """Create an account as the system (command line, demo)."""
    return create_account(SYSTEM, **fields)
