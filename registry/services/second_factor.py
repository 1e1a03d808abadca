"""The second factor of regulators and administrators (ASVS 2.7, 2.8): a TOTP key (RFC 6238, pyotp) and ten
one-time recovery codes.

The key is kept encrypted by the vault, the recovery codes only as keyed hashes. A code is accepted once: the
last time step used is kept, so a code seen over a shoulder or in a log cannot sign in again. Wrong codes are
failed sign-in attempts under the account's username, so the sign-in lockout (5 in 15 minutes) bounds guessing.
"""
import hmac
import secrets
import time

import pyotp
from flask import current_app
from sqlalchemy import delete, func, select

from registry.access import STAFF_ROLES, AccessDenied, Actor, is_national_admin
from registry.extensions import db
from registry.models import Account, LoginAttempt, RecoveryCode
from registry.models.base import utcnow
from registry.rules.errors import RuleViolation
from registry.services import service
from registry.services.accounts import ONE_TIME_ALPHABET, LoginResult, clean_reason, locked_until
from registry.services.audit import record_event

ISSUER = "土壤修复从业信用记录"
RECOVERY_CODES = 10
SEALED_AS = "totp key"


def new_secret() -> str:
    """A fresh TOTP key (160 bits, base32), shown to the user once at enrolment."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def _normalize(code: str | None) -> str:
    """A code as typed: spaces and hyphens dropped, full-width digits made ASCII, letters lower case."""
    text = "".join(ch for ch in (code or "") if ch not in " -\u3000")
    return text.translate({0xFF10 + d: 0x30 + d for d in range(10)}).lower()[:40]


def _matching_step(secret: str, code: str, after: int | None) -> int | None:
    """The time step (this one or a neighbour, for clock drift) whose code this is, if it was not used yet."""
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time() // totp.interval)
    for step in (now - 1, now, now + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _recovery_hash(code: str) -> str:
    return current_app.extensions["id_vault"].keyed_hash("recovery code:" + code)


def _new_recovery_codes(account: Account) -> list[str]:
    """Ten new recovery codes in place of any earlier ones; returned once, in groups of five characters."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    codes = ["".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(account_id=account.id, code_hmac=_recovery_hash(code)) for code in codes)
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def remaining_recovery_codes(account: Account) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None)))


def second_factor_required(account: Account) -> bool:
    """Whether this account must enrol before it may do anything (every regulator and administrator, in
    production)."""
    return account.role in STAFF_ROLES and current_app.config["SECOND_FACTOR_REQUIRED"]


@service
def enrol(actor: Actor, secret: str, code: str) -> list[str]:
    """Turn the second factor on with the key the user's app now holds, proved by one of its codes; returns
    the ten recovery codes, shown once."""
    account = db.session.get(Account, actor.account_id)
    if account.role not in STAFF_ROLES:
        raise AccessDenied(actor, "enrol_second_factor", "account", account.id)
    if account.has_second_factor:
        raise RuleViolation("code", "已启用第二重验证", "the second factor is already on")
    step = _matching_step(secret, _normalize(code), None)
    if step is None:
        raise RuleViolation("code", "验证码不正确，请核对手机上的时间后重试",
                            "the code is wrong; check the time on the phone and try again")
    account.totp_secret_ciphertext = current_app.extensions["id_vault"].seal(secret, SEALED_AS)
    account.totp_enrolled_at = utcnow()
    account.totp_last_step = step
    codes = _new_recovery_codes(account)
    record_event(actor, "second_factor_enrolled", account, after={"recovery_codes": RECOVERY_CODES})
    return codes


@service
def verify(account_id: int, code: str, ip: str | None = None) -> LoginResult:
    """The second step of a sign-in: a code of the account's authenticator, or one of its recovery codes (then
    used up). Every try is a sign-in attempt; the lockout refuses even a right code."""
    account = db.session.get(Account, account_id)
    now = utcnow()
    lifted_at = locked_until(account.username, now)
    if lifted_at is not None:
        db.session.add(LoginAttempt(username=account.username, at=now, succeeded=False, ip=ip))
        record_event(Actor(None, account.username, ip=ip), "login_refused_locked", detail="account locked")
        return LoginResult(None, lifted_at)
    code = _normalize(code)
    used = None
    if code.isdigit():
        secret = current_app.extensions["id_vault"].unseal(account.totp_secret_ciphertext, SEALED_AS)
        step = _matching_step(secret, code, account.totp_last_step)
        if step is not None:
            account.totp_last_step, used = step, "authenticator code"
    elif code:
        recovery = db.session.scalar(select(RecoveryCode).where(
            RecoveryCode.account_id == account.id, RecoveryCode.code_hmac == _recovery_hash(code),
            RecoveryCode.used_at.is_(None)))
        if recovery is not None:
            recovery.used_at, used = now, "recovery code"
    db.session.add(LoginAttempt(username=account.username, at=now, succeeded=used is not None, ip=ip))
    if used is None:
        record_event(Actor(None, account.username, ip=ip), "login_failed", detail="second factor")
        return LoginResult(None)
    record_event(Actor.of(account, ip), "login", account, detail=used)
    return LoginResult(account)


@service
def renew_recovery_codes(actor: Actor, code: str) -> list[str]:
    """Ten new recovery codes (the earlier ones stop working), after a code of the authenticator."""
    account = db.session.get(Account, actor.account_id)
    if not account.has_second_factor:
        raise RuleViolation("code", "尚未启用第二重验证", "the second factor is not on")
    secret = current_app.extensions["id_vault"].unseal(account.totp_secret_ciphertext, SEALED_AS)
    step = _matching_step(secret, _normalize(code), account.totp_last_step)
    if step is None:
        raise RuleViolation("code", "验证码不正确或已使用", "the code is wrong or already used")
    account.totp_last_step = step
    codes = _new_recovery_codes(account)
    record_event(actor, "recovery_codes_renewed", account)
    return codes


@service
def reset_second_factor(actor: Actor, account_id: int, reason: str) -> Account:
    """The national administrator turns off a regulator's lost second factor (checked offline, with a reason);
    the account enrols again at its next sign-in, and its sessions end."""
    if not is_national_admin(actor):
        raise AccessDenied(actor, "reset_second_factor", "account", account_id)
    account = db.session.get(Account, account_id)
    if account is None or account.role not in STAFF_ROLES:
        raise RuleViolation("account", "没有这个监管账户", "no such regulator account")
    reason = clean_reason(reason)
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    account.totp_secret_ciphertext = account.totp_enrolled_at = account.totp_last_step = None
    account.session_version += 1
    record_event(actor, "second_factor_reset", account, detail=reason)
    return account
