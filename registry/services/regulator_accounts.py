"""Regulator and administrator accounts: created, suspended and restored by the national administrator.

Who a regulator may act on (its jurisdiction) is `registry.access`.
"""
from registry.access import STAFF_ROLES, Actor, require_admin
from registry.extensions import db
from registry.models import Account
from registry.rules.divisions import validate_division_code
from registry.rules.errors import RuleViolation
from registry.rules.normalize import normalize_text
from registry.services import service
from registry.services.accounts import create_account
from registry.services.audit import record_event


def _clean(value: str | None, field: str, zh: str, en: str, limit: int = 200) -> str:
    value = normalize_text(value, field)
    if not value:
        raise RuleViolation(field, zh, en)
    if len(value) > limit:
        raise RuleViolation(field, f"不能超过{limit}个字符", f"at most {limit} characters")
    return value


@service
def create_regulator(actor: Actor, *, username: str, display_name: str, division_code: str, authority_name: str,
                     password: str, email: str | None = None) -> Account:
    """A regulator account with its jurisdiction and authority; only the national administrator creates one."""
    require_admin(actor, "create_regulator", "account")
    display_name = _clean(display_name, "display_name", "请填写姓名", "a name is required")
    authority_name = _clean(authority_name, "authority_name", "请填写所属机关名称", "the authority's name is required")
    division_code = validate_division_code(division_code or "", "division_code")
    return create_account(actor, username=username, password=password, role="regulator",
                          display_name=display_name, email=email or None, division_code=division_code,
                          authority_name=authority_name)


@service
def create_admin(actor: Actor, *, username: str, display_name: str, password: str, email: str | None = None) -> Account:
    """A national administrator account (the command line, or another administrator)."""
    require_admin(actor, "create_admin", "account")
    display_name = _clean(display_name, "display_name", "请填写姓名", "a name is required")
    return create_account(actor, username=username, password=password, role="admin", display_name=display_name,
                          email=email or None)


@service
def set_account_active(actor: Actor, account_id: int, active: bool) -> Account:
    """Suspend or restore a regulator or administrator account; suspension ends its sessions at once."""
    require_admin(actor, "set_account_active", "account", account_id)
    account = db.session.get(Account, account_id)
    if account is None or account.role not in STAFF_ROLES:
        raise RuleViolation("account", "没有这个监管账户", "no such regulator account")
    if account.id == actor.account_id:
        raise RuleViolation("account", "不能停用自己的账户", "you cannot suspend your own account")
    if account.active == active:
        return account
    account.active = active
    account.session_version += 1
    record_event(actor, "account_activated" if active else "account_suspended", account,
                 before={"active": not active}, after={"active": active})
    return account

