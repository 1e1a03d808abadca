"""The second factor of regulators and administrators. TOTP (pyotp) enrolled through a QR code
drawn as SVG on the server, ten recovery codes kept only as keyed hashes, each code good once, wrong codes
counted by the sign-in lockout, and required of every regulator and administrator in production."""
import re
import time

import pyotp
import pytest
from sqlalchemy import func, select

from registry.access import SYSTEM
from registry.extensions import db as _db
from registry.models import Account, AuditEvent, LoginAttempt, RecoveryCode
from registry.services.accounts import create_account
from tests.factories import login

PASSWORD = "correct horse battery"


@pytest.fixture
def regulator(app):
    return create_account(SYSTEM, username="qingdao", password=PASSWORD, role="regulator", display_name="王监管",
                          division_code="370200", authority_name="青岛市生态环境局").id


def code(secret: str, steps_ahead: int = 0) -> str:
    """The authenticator's code now, or of a later half-minute (accepted for clock drift, and not yet used)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def enrol(client) -> tuple[str, list[str]]:
    """Set up the second factor through the page, as a person would; returns the key and the recovery codes."""
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    shown = client.post("/account/two-factor", data={"code": code(secret)}).get_data(as_text=True)
    return secret, re.findall(r"<li><code>([a-z0-9-]+)</code></li>", shown)


def signed_in(client) -> bool:
    return client.get("/regulator/").status_code == 200


def test_enrolment_shows_an_svg_qr_code_and_ten_recovery_codes_kept_only_hashed(app, client, regulator, db):
    login(client, "qingdao", PASSWORD)
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert '<svg' in page and 'class="segno"' in page and "<script" not in page
    assert client.get("/account/two-factor").get_data(as_text=True).count(
        re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)) == 1  # the same key across reloads
    secret, recovery = enrol(client)
    assert len(recovery) == 10 and len(set(recovery)) == 10
    account = db.session.get(Account, regulator)
    assert account.has_second_factor and secret.encode() not in account.totp_secret_ciphertext
    stored = [row.code_hmac for row in db.session.scalars(select(RecoveryCode))]
    assert len(stored) == 10 and not any(c.replace("-", "") in h for c in recovery for h in stored)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "second_factor_enrolled"))
    assert secret not in str(event.after) and "totp_secret" not in str(event.after)


def test_a_wrong_first_code_enrols_nothing(client, regulator, db):
    login(client, "qingdao", PASSWORD)
    client.get("/account/two-factor")
    page = client.post("/account/two-factor", data={"code": "000000"}).get_data(as_text=True)
    assert "验证码不正确" in page
    assert not db.session.get(Account, regulator).has_second_factor
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0


def test_after_enrolment_the_password_alone_does_not_sign_in_and_a_code_does_once(app, client, regulator):
    login(client, "qingdao", PASSWORD)
    secret, _ = enrol(client)
    client.post("/logout")
    browser = app.test_client()
    response = login(browser, "qingdao", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login/code")
    assert not signed_in(browser)  # the password alone opens nothing
    later = code(secret, 1)
    assert browser.post("/login/code", data={"code": later}).status_code == 302
    assert signed_in(browser)
    replay = app.test_client()
    login(replay, "qingdao", PASSWORD)
    page = replay.post("/login/code", data={"code": later}).get_data(as_text=True)
    assert "验证码不正确或已使用" in page and not signed_in(replay)  # the same code, a second time


def test_a_recovery_code_signs_in_once(app, client, regulator, db):
    login(client, "qingdao", PASSWORD)
    _, recovery = enrol(client)
    first = app.test_client()
    login(first, "qingdao", PASSWORD)
    assert first.post("/login/code", data={"code": recovery[3].upper().replace("-", " ")}).status_code == 302
    assert signed_in(first)
    again = app.test_client()
    login(again, "qingdao", PASSWORD)
    assert again.post("/login/code", data={"code": recovery[3]}).status_code == 400
    assert not signed_in(again)
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode).where(RecoveryCode.used_at.is_(None))) == 9


def test_wrong_codes_count_towards_the_lockout_and_a_right_password_does_not_reset_it(app, client, regulator, db):
    login(client, "qingdao", PASSWORD)
    secret, _ = enrol(client)
    guesser = app.test_client()
    for attempt in range(5):
        login(guesser, "qingdao", PASSWORD)  # the right password each time: it must not clear the failures
        assert guesser.post("/login/code", data={"code": f"{123450 + attempt}"}).status_code == 400
    locked = login(guesser, "qingdao", PASSWORD, refused=True)
    assert "失败次数过多" in locked.get_data(as_text=True)  # the lock holds at the password step
    page = guesser.post("/login/code", data={"code": code(secret, 1)}).get_data(as_text=True)
    assert "失败次数过多" in page and not signed_in(guesser)  # and at the code step, even for the right code
    # five wrong codes, then the password and the right code each refused by the lock
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt).where(~LoginAttempt.succeeded)) == 7


def test_the_code_step_expires_and_needs_the_password_first(app, client, regulator):
    login(client, "qingdao", PASSWORD)
    secret, _ = enrol(client)
    browser = app.test_client()
    assert browser.post("/login/code", data={"code": code(secret, 1)}).status_code == 302  # no password yet
    assert not signed_in(browser)
    login(browser, "qingdao", PASSWORD)
    with browser.session_transaction() as session:
        session["second_factor_pending"][2] -= 6 * 60
        session.modified = True
    browser.post("/login/code", data={"code": code(secret, 1)})
    assert not signed_in(browser)


def test_when_required_a_regulator_without_a_second_factor_reaches_only_its_enrolment(app, client, regulator):
    app.config["SECOND_FACTOR_REQUIRED"] = True  # what REGISTRY_PRODUCTION=1 sets
    login(client, "qingdao", PASSWORD)
    response = client.get("/regulator/projects")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-factor")
    enrol(client)
    assert client.get("/regulator/projects").status_code == 200


def test_production_requires_the_second_factor(monkeypatch, tmp_path):
    import base64

    from registry.config import load_config

    monkeypatch.setenv("SECRET_KEY", "a production session key")
    monkeypatch.setenv("ID_NUMBER_KEY", base64.b64encode(b"k" * 32).decode())
    monkeypatch.setenv("REGISTRY_PRODUCTION", "1")
    assert load_config(tmp_path)["SECOND_FACTOR_REQUIRED"] is True
    monkeypatch.setenv("REGISTRY_PRODUCTION", "")
    assert load_config(tmp_path)["SECOND_FACTOR_REQUIRED"] is False


def test_new_recovery_codes_replace_the_old_ones(app, client, regulator):
    login(client, "qingdao", PASSWORD)
    secret, old = enrol(client)
    page = client.post("/account/two-factor", data={"code": code(secret, 1)}).get_data(as_text=True)
    new = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    browser = app.test_client()
    login(browser, "qingdao", PASSWORD)
    assert browser.post("/login/code", data={"code": old[0]}).status_code == 400
    assert browser.post("/login/code", data={"code": new[0]}).status_code == 302


def test_the_administrator_resets_a_lost_second_factor_from_the_command_line(app, client, runner, regulator, db):
    login(client, "qingdao", PASSWORD)
    enrol(client)
    result = runner.invoke(args=["accounts", "reset-second-factor", "qingdao", "--reason", "手机遗失，已当面核实"])
    assert result.exit_code == 0, result.output
    assert not signed_in(client)  # its sessions ended
    _db.session.expire_all()
    assert not db.session.get(Account, regulator).has_second_factor
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    assert login(app.test_client(), "qingdao", PASSWORD).headers["Location"].endswith("/regulator/")
    refused = runner.invoke(args=["accounts", "reset-second-factor", "qingdao", "--reason", ""])
    assert refused.exit_code != 0 and "Traceback" not in refused.output


def test_the_demo_prints_the_key_of_its_regulators_and_they_sign_in_with_its_code(app, runner):
    from registry.services.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

    loaded = runner.invoke(args=["registry", "demo", "--firms", "3"])
    assert loaded.exit_code == 0, loaded.output
    assert f"TOTP key {DEMO_TOTP_SECRET}" in loaded.output
    browser = app.test_client()
    response = login(browser, "regulator-qingdao", DEMO_PASSWORD)
    assert response.headers["Location"].startswith("/login/code")
    assert browser.post("/login/code", data={"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()}).status_code == 302
    assert signed_in(browser)


def test_odd_codes_are_refused_with_a_message_and_full_width_digits_are_read(app, client, regulator):
    login(client, "qingdao", PASSWORD)
    secret, _ = enrol(client)
    browser = app.test_client()
    login(browser, "qingdao", PASSWORD)
    assert browser.post("/login/code", data={"code": "\x80" + "x" * 40}).status_code == 400
    for odd in ("１２３", "²²²²²²", "-0"):  # (three: a fifth failure would lock the account)
        response = browser.post("/login/code", data={"code": odd})
        assert response.status_code == 400 and "验证码不正确或已使用" in response.get_data(as_text=True), odd
    login(browser, "qingdao", PASSWORD)
    full_width = code(secret, 1).translate({0x30 + d: 0xFF10 + d for d in range(10)})
    assert browser.post("/login/code", data={"code": full_width}).status_code == 302


def test_the_administrator_resets_a_lost_second_factor_on_the_accounts_page(app, client, regulator, db):
    from registry.services.regulator_accounts import create_admin
    from tests.regulator.conftest import PASSWORD as ADMIN_PASSWORD

    login(client, "qingdao", PASSWORD)
    enrol(client)
    create_admin(SYSTEM, username="national-admin", display_name="部管理员", password=ADMIN_PASSWORD)
    admin = app.test_client()
    login(admin, "national-admin", ADMIN_PASSWORD)
    page = admin.get("/regulator/accounts").get_data(as_text=True)
    assert f'/regulator/accounts/{regulator}/second-factor-reset' in page
    refused = admin.post(f"/regulator/accounts/{regulator}/second-factor-reset", data={"reason": ""},
                         follow_redirects=True)
    assert "请填写理由" in refused.get_data(as_text=True)
    _db.session.expire_all()
    assert db.session.get(Account, regulator).has_second_factor
    done = admin.post(f"/regulator/accounts/{regulator}/second-factor-reset", data={"reason": "手机遗失，已当面核实"},
                      follow_redirects=True)
    assert "第二重验证已重置" in done.get_data(as_text=True)
    _db.session.expire_all()
    assert not db.session.get(Account, regulator).has_second_factor
    assert not signed_in(client)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "second_factor_reset"))
    assert event.actor == "national-admin" and event.detail == "手机遗失，已当面核实"
