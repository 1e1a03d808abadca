"""Accounts: the national administrator resets a firm's or a person's sign-in (a one-time password
that opens only the password change page), suspends and reinstates the account, on the page and with
`flask accounts`; each is audited with its reason, and nobody else may do it."""
import re

import pytest
from sqlalchemy import func, select

from registry.access import SYSTEM, AccessDenied
from registry.models import Account, AuditEvent, Unit
from registry.rules.errors import RuleViolation
from registry.services import accounts
from registry.services.accounts import create_account
from tests.factories import login
from tests.regulator.conftest import PASSWORD, actor_for, login_as

FIRM = "firm-qingdao"


@pytest.fixture
def firm_account(db, world):
    unit = db.session.get(Unit, world.qd.unit)
    return create_account(SYSTEM, username=FIRM, password=PASSWORD, role="unit", display_name=unit.name,
                          unit_id=unit.id).id


def account(db, account_id) -> Account:
    db.session.expire_all()
    return db.session.get(Account, account_id)


def events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_administrator_resets_a_firms_sign_in_and_the_one_time_password_opens_only_the_password_page(
        app, db, world, firm_account):
    firm = app.test_client()
    login(firm, FIRM, PASSWORD)
    admin = app.test_client()
    login_as(admin, world, "admin")
    listing = admin.get("/regulator/accounts/practitioners?q=firm-qing").get_data(as_text=True)
    assert FIRM in listing
    page = admin.post(f"/regulator/accounts/practitioners/{firm_account}/reset",
                      data={"reason": "法定代表人持营业执照到窗口申请"}).get_data(as_text=True)
    one_time = re.search(r'id="one-time-password">([^<]+)<', page).group(1)
    assert len(one_time) == 19
    assert firm.get("/practitioner/").status_code == 302  # the firm's earlier session has ended
    login(app.test_client(), FIRM, PASSWORD, refused=True)  # the old password is gone
    holder = app.test_client()
    login(holder, FIRM, one_time)
    response = holder.get("/practitioner/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    new = "the firm's own passphrase"
    holder.post("/account/password", data={"current_password": one_time, "new_password": new, "confirm": new})
    assert holder.get("/practitioner/").status_code == 200
    [event] = events(db, "sign_in_reset")
    assert event.actor == "national-admin" and event.detail == "法定代表人持营业执照到窗口申请"
    assert one_time not in str(event.after) and one_time not in event.detail


def test_suspension_ends_the_session_and_refuses_sign_in_until_reinstated(app, db, world, firm_account):
    firm = app.test_client()
    login(firm, FIRM, PASSWORD)
    admin = app.test_client()
    login_as(admin, world, "admin")
    admin.post(f"/regulator/accounts/practitioners/{firm_account}/suspend", data={"reason": "疑似冒名注册"})
    assert account(db, firm_account).active is False
    assert firm.get("/practitioner/").status_code == 302
    login(app.test_client(), FIRM, PASSWORD, refused=True)  # refused: the form again
    admin.post(f"/regulator/accounts/practitioners/{firm_account}/reinstate", data={"reason": "核实为本单位注册"})
    assert account(db, firm_account).active is True
    login(app.test_client(), FIRM, PASSWORD)
    assert [e.detail for e in events(db, "account_suspended")] == ["疑似冒名注册"]
    assert [e.detail for e in events(db, "account_reinstated")] == ["核实为本单位注册"]


def test_a_recovery_without_a_reason_changes_nothing(app, db, world, firm_account):
    admin = app.test_client()
    login_as(admin, world, "admin")
    response = admin.post(f"/regulator/accounts/practitioners/{firm_account}/suspend", data={"reason": "  "},
                          follow_redirects=True)
    assert "请填写理由" in response.get_data(as_text=True)
    assert account(db, firm_account).active is True
    with pytest.raises(RuleViolation):
        accounts.suspend_account(actor_for(db, world, "admin"), firm_account, "")


def test_only_the_administrator_resets_and_a_regulator_suspends_only_firms_in_its_jurisdiction(db, world,
                                                                                               firm_account):
    with pytest.raises(AccessDenied):
        accounts.reset_sign_in(actor_for(db, world, "qingdao"), firm_account, "请求")
    with pytest.raises(AccessDenied):
        accounts.suspend_account(actor_for(db, world, "hefei"), firm_account, "不在辖区")
    accounts.suspend_account(actor_for(db, world, "qingdao"), firm_account, "营业执照核查不符")
    assert account(db, firm_account).active is False
    with pytest.raises(RuleViolation):  # staff accounts are not recovered here
        accounts.suspend_account(actor_for(db, world, "admin"), world.accounts["qingdao"], "x")
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "access_denied")) == 2


def test_the_commands_reset_suspend_and_reinstate(app, runner, db, world, firm_account):
    reset = runner.invoke(args=["accounts", "reset-sign-in", FIRM, "--reason", "窗口申请"])
    assert reset.exit_code == 0, reset.output
    one_time = reset.output.strip().rsplit(" ", 1)[-1]
    login(app.test_client(), FIRM, one_time)
    assert account(db, firm_account).must_change_password
    assert runner.invoke(args=["accounts", "suspend", FIRM, "--reason", "冒名"]).exit_code == 0
    assert account(db, firm_account).active is False
    assert runner.invoke(args=["accounts", "reinstate", FIRM, "--reason", "已核实"]).exit_code == 0
    assert account(db, firm_account).active is True
    missing = runner.invoke(args=["accounts", "suspend", "nobody", "--reason", "x"])
    assert missing.exit_code != 0 and "Traceback" not in missing.output
    no_reason = runner.invoke(args=["accounts", "suspend", FIRM, "--reason", " "])
    assert no_reason.exit_code != 0 and "reason" in no_reason.output
    assert [e.actor for e in events(db, "account_suspended")] == ["system"]
