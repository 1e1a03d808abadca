"""Regulator accounts: created by the national administrator (command line and page) with a jurisdiction;
regulators sign in to their desk, and are signed out after 30 idle minutes."""
import time

from sqlalchemy import select

from registry.auth import LAST_SEEN
from registry.models import Account, AuditEvent
from tests.factories import login
from tests.regulator.conftest import PASSWORD, login_as


def account(db, username):
    db.session.expire_all()
    return db.session.scalar(select(Account).where(Account.username == username))


def test_the_command_creates_a_regulator_with_its_jurisdiction(runner, db):
    result = runner.invoke(args=["accounts", "create-regulator", "--username", "qd-liu", "--name", "刘监管",
                                 "--division-code", "370200", "--authority", "青岛市生态环境局",
                                 "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert "370200" in result.output
    created = account(db, "qd-liu")
    assert (created.role, created.division_code, created.authority_name) == ("regulator", "370200", "青岛市生态环境局")
    assert created.password_hash != PASSWORD
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account_created"))
    assert event.actor == "system" and PASSWORD not in str(event.after)


def test_the_command_prompts_for_the_password_and_explains_refusals(runner, db):
    result = runner.invoke(args=["accounts", "create-admin", "--username", "admin2", "--name", "部管理员"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert account(db, "admin2").role == "admin"
    bad = runner.invoke(args=["accounts", "create-regulator", "--username", "x1", "--name", "某", "--division-code",
                              "990000", "--authority", "某局", "--password", PASSWORD])
    assert bad.exit_code != 0 and "division_code" in bad.output and "Traceback" not in bad.output
    weak = runner.invoke(args=["accounts", "create-regulator", "--username", "x2", "--name", "某", "--division-code",
                               "370000", "--authority", "某局", "--password", "short"])
    assert weak.exit_code != 0 and "password" in weak.output
    assert account(db, "x1") is None and account(db, "x2") is None


def test_the_administrator_creates_a_regulator_on_the_accounts_page(client, db, world):
    login_as(client, world, "admin")
    form = {"username": "yt-official", "display_name": "周监管", "authority_name": "烟台市生态环境局",
            "division_code": "370600", "email": "", "password": PASSWORD, "confirm": PASSWORD}
    page = client.post("/regulator/accounts", data=form, follow_redirects=True).get_data(as_text=True)
    assert "监管账户 yt-official 已创建。" in page and "烟台市生态环境局" in page
    assert account(db, "yt-official").division_code == "370600"
    refused = client.post("/regulator/accounts", data={**form, "username": "yt-2", "division_code": "37060"})
    assert refused.status_code == 400 and "行政区划代码应为6位数字" in refused.get_data(as_text=True)
    taken = client.post("/regulator/accounts", data=form)
    assert "该用户名已被注册" in taken.get_data(as_text=True)
    assert account(db, "yt-2") is None


def test_a_new_regulator_signs_in_to_the_desk_of_their_jurisdiction(client, world):
    world.accounts["qingdao"]
    response = login(client, "qd-official", PASSWORD)
    assert response.headers["Location"].endswith("/regulator/")
    page = client.get("/regulator/").get_data(as_text=True)
    assert "监管工作台" in page and "青岛市生态环境局" in page and "370200" in page
    assert "件举报待核查" in page


def test_a_suspended_regulator_is_signed_out_at_once(client, db, world):
    hefei = world.accounts["hefei"]
    login_as(client, world, "hefei")
    admin = world.accounts["admin"]
    with client.application.test_client() as admin_client:
        login(admin_client, "national-admin", PASSWORD)
        page = admin_client.post(f"/regulator/accounts/{hefei}/suspend", follow_redirects=True).get_data(as_text=True)
        assert "账户已停用。" in page
        assert "不能停用自己的账户" in admin_client.post(f"/regulator/accounts/{admin}/suspend",
                                                     follow_redirects=True).get_data(as_text=True)
    assert client.get("/regulator/").status_code == 302
    assert account(db, "hf-official").active is False


def test_a_regulator_is_signed_out_after_thirty_idle_minutes(as_qingdao, world):
    assert as_qingdao.get("/regulator/").status_code == 200
    with as_qingdao.session_transaction() as session:
        session[LAST_SEEN] = time.time() - 29 * 60
    assert as_qingdao.get("/regulator/").status_code == 200  # 29 minutes idle: still signed in
    with as_qingdao.session_transaction() as session:
        session[LAST_SEEN] = time.time() - 31 * 60
    response = as_qingdao.get("/regulator/penalties")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert as_qingdao.get("/regulator/").status_code == 302  # the session is gone, not only the page
