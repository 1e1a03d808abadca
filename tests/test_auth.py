"""Accounts: sign-in, the lockout counted in the database, logout and password change ending every session,
the regulators' idle timeout, CSRF and the security headers."""
import re
import time

import pytest
from sqlalchemy import func, select

from stdnum.cn import uscc

from registry.access import SYSTEM
from registry.extensions import db as _db
from registry.models import AuditEvent, LoginAttempt, Unit
from registry.services.accounts import create_account
from tests.factories import create, login, unit_record

PASSWORD = "correct horse battery"


@pytest.fixture
def regulator(app):
    return create_account(SYSTEM, username="qingdao", password=PASSWORD, role="regulator", display_name="青岛市生态环境局",
                          division_code="370200", authority_name="青岛市生态环境局")


def test_a_regulator_signs_in_and_lands_on_the_desk(client, regulator):
    response = login(client, "qingdao", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"].endswith("/regulator/")


def test_a_wrong_password_says_so_in_chinese_and_is_audited(client, regulator, db):
    page = login(client, "qingdao", "wrong password!", refused=True).get_data(as_text=True)
    assert "用户名或密码错误" in page
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "login_failed")) == 1


def test_five_failures_in_fifteen_minutes_lock_the_account_even_for_the_right_password(client, regulator, db):
    for _ in range(5):
        login(client, "qingdao", "wrong password!", refused=True)
    page = login(client, "qingdao", PASSWORD, refused=True).get_data(as_text=True)
    assert "失败次数过多" in page
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 6


def test_a_password_typed_into_the_username_box_is_kept_nowhere(client, regulator, db):
    for _ in range(6):
        login(client, PASSWORD, "x", refused=True)
    kept = [row.username for row in db.session.scalars(select(LoginAttempt))]
    kept += [event.actor for event in db.session.scalars(select(AuditEvent))]
    assert len(kept) == 13 and all(PASSWORD not in text for text in kept)
    assert "失败次数过多" in login(client, PASSWORD, "x", refused=True).get_data(as_text=True)
    login(client, "qingdao", PASSWORD)  # the real account is not locked by it


def test_the_lockout_is_counted_in_the_database_across_clients(app, regulator):
    for _ in range(5):
        # a fresh client each time, like separate workers
        login(app.test_client(), "qingdao", "wrong password!", refused=True)
    assert "失败次数过多" in login(app.test_client(), "qingdao", PASSWORD, refused=True).get_data(as_text=True)


def test_logout_ends_every_session_including_a_replayed_cookie(app, regulator):
    first, second = app.test_client(), app.test_client()
    login(first, "qingdao", PASSWORD)
    login(second, "qingdao", PASSWORD)
    stolen = first.get_cookie("session").value
    first.post("/logout")
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/regulator/").status_code == 302  # back to the sign-in page
    assert second.get("/regulator/").status_code == 302


def test_password_change_ends_other_sessions_and_keeps_this_one(app, regulator):
    mine, other = app.test_client(), app.test_client()
    login(mine, "qingdao", PASSWORD)
    login(other, "qingdao", PASSWORD)
    response = mine.post("/account/password", data={"current_password": PASSWORD, "new_password": "a new long passphrase",
                                                    "confirm": "a new long passphrase"})
    assert response.status_code == 302
    assert mine.get("/regulator/").status_code == 200
    assert other.get("/regulator/").status_code == 302
    login(app.test_client(), "qingdao", "a new long passphrase")


def test_password_change_refuses_a_weak_password_beside_its_field(client, regulator):
    login(client, "qingdao", PASSWORD)
    page = client.post("/account/password", data={"current_password": PASSWORD, "new_password": "password1234",
                                                   "confirm": "password1234"}).get_data(as_text=True)
    assert "该密码过于常见" in page
    login(client.application.test_client(), "qingdao", PASSWORD)  # the old password still works


def test_a_regulator_is_signed_out_after_thirty_idle_minutes(client, regulator):
    login(client, "qingdao", PASSWORD)
    assert client.get("/regulator/").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - 31 * 60
    response = client.get("/regulator/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/regulator/").status_code == 302


def test_sign_in_starts_the_idle_clock_so_a_replayed_sign_in_cookie_times_out(app, regulator):
    """The cookie set at sign-in carried no last_seen, and a missing value counted as now."""
    client = app.test_client()
    login(client, "qingdao", PASSWORD)
    with client.session_transaction() as session:
        signed_in_at = session["last_seen"]
    assert time.time() - signed_in_at < 60
    stolen = client.get_cookie("session").value
    with client.session_transaction() as session:
        session["last_seen"] = signed_in_at - 31 * 60  # the same cookie, replayed 31 minutes later
    assert client.get("/regulator/").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/regulator/").status_code == 200  # fresh, it still works: the clock is what ended it


def test_a_signed_in_session_without_last_seen_is_refused(app, regulator, db):
    client = app.test_client()
    login(client, "qingdao", PASSWORD)
    with client.session_transaction() as session:
        del session["last_seen"]
    response = client.get("/regulator/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/regulator/").status_code == 302  # signed out, not merely redirected once


def test_wrong_current_passwords_count_towards_the_lockout_and_are_audited(app, regulator, db):
    """20 wrong current passwords were all accepted as attempts, and then the right one worked."""
    client = app.test_client()
    login(client, "qingdao", PASSWORD)
    wrong = {"current_password": "not my password", "new_password": "a new long passphrase",
             "confirm": "a new long passphrase"}
    for _ in range(5):
        assert "当前密码不正确" in client.post("/account/password", data=wrong).get_data(as_text=True)
    right = dict(wrong, current_password=PASSWORD)
    assert "失败次数过多" in client.post("/account/password", data=right).get_data(as_text=True)
    failures = db.session.scalar(select(func.count()).select_from(LoginAttempt).where(~LoginAttempt.succeeded))
    assert failures == 6
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions.count("password_change_failed") == 5 and actions.count("password_change_refused_locked") == 1
    assert "password_changed" not in actions
    locked = login(app.test_client(), "qingdao", PASSWORD, refused=True)
    assert "失败次数过多" in locked.get_data(as_text=True)  # the sign-in lockout is the same one


def test_a_password_change_is_audited_and_counts_as_a_success(client, regulator, db):
    login(client, "qingdao", PASSWORD)
    login(client.application.test_client(), "qingdao", "wrong password!", refused=True)
    client.post("/account/password", data={"current_password": PASSWORD, "new_password": "a new long passphrase",
                                           "confirm": "a new long passphrase"})
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "password_changed"))
    assert event is not None and event.actor == "qingdao"
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.succeeded)) == 2


def test_login_redirects_only_to_this_site(client, regulator):
    response = client.post("/login?next=https://evil.example/", data={"username": "qingdao", "password": PASSWORD})
    assert response.headers["Location"].endswith("/regulator/")


def test_a_username_cannot_be_an_id_number(app):
    from registry.rules.errors import RuleViolation

    with pytest.raises(RuleViolation):
        create_account(SYSTEM, username="370202198403120458", password=PASSWORD, role="admin", display_name="x")


def test_forms_refuse_a_post_without_the_csrf_token(app_config):
    from registry.app import create_app

    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    with app.app_context():
        client = app.test_client()
        response = client.post("/login", data={"username": "x", "password": "y"})
        assert response.status_code == 400
        assert "安全令牌缺失或已失效" in response.get_data(as_text=True)  # says why, and what to do
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert client.post("/login", data={"username": "x", "password": "y", "csrf_token": token}).status_code == 200
        _db.session.remove()
        _db.engine.dispose()


def test_a_nul_character_is_refused_with_a_reason_in_the_readers_language(client, db):
    refused = client.post("/login", data={"username": "qing\x00dao", "password": "x"})
    assert refused.status_code == 400 and "NUL 控制字符" in refused.get_data(as_text=True)
    in_english = client.get("/api/v1/units?q=a%00b&lang=en").get_json()["error"]
    assert in_english["parameter"] == "q" and "NUL control character" in in_english["message"]
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 0  # nothing was written


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_with_personal_data_are_not_cached(client, regulator):
    login(client, "qingdao", PASSWORD)
    assert client.get("/regulator/").headers["Cache-Control"] == "no-store"


def test_the_interface_is_chinese_first_and_english_on_request(client):
    assert 'lang="zh-CN"' in client.get("/login").get_data(as_text=True)
    english = client.get("/login?lang=en").get_data(as_text=True)
    assert 'lang="en"' in english and "Sign in" in english
    assert 'lang="en"' in client.get("/login").get_data(as_text=True)  # the choice is remembered


def test_a_firm_whose_credit_code_is_all_digits_can_register_it_as_username(db):
    body = "91370200123456789"
    code = body + uscc.calc_check_digit(body)
    assert code.isdigit(), "the example must be an all-digit credit code"
    create(unit_record(code))
    unit_id = db.session.scalar(select(Unit.id))
    account = create_account(SYSTEM, username=code, password=PASSWORD, role="unit", display_name="数字代码单位",
                             unit_id=unit_id)
    assert account.username == code
