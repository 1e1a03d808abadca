"""ASVS 4.0.3 chapters 2 and 3: the password policy on every path that sets a password, the
lockout shared by separate app instances through the database, a new session on sign-in, old cookies refused
after logout and password change for firms and persons too, and production cookies Secure, HttpOnly and
SameSite=Lax. (Tested elsewhere and not repeated: five failures lock an account, a regulator's replayed cookie
after logout, password change ending other regulator sessions, the regulators' idle timeout: tests/test_auth.py.)"""
import re
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from sqlalchemy import select, update

from registry.access import SYSTEM, Actor
from registry.app import create_app
from registry.extensions import db as _db
from registry.models import Account, LoginAttempt, Unit
from registry.models.base import utcnow
from registry.rules.passwords import MIN_LENGTH, common_passwords
from registry.models import Person
from registry.services import registration, staff
from registry.services.accounts import create_account
from tests import factories as f
from tests.conftest import RequestIsolatedClient
from tests.practitioner.conftest import PASSWORD as PRACTITIONER_PASSWORD
from tests.practitioner.conftest import QINGDAO, errors_of, firm_data, make_id, register, shown_code
from tests.factories import login
from tests.regulator.conftest import PASSWORD
from tests.security.conftest import refused_for_csrf

COMMON = sorted(common_passwords())
GOOD = "a river of twelve"  # 17 characters, not on the list
ELEVEN = "river-stone"


@pytest.fixture
def invitation(app, client):
    """A registered firm's invitation code for a new staff member, and the staff member's ID number."""
    register(client)
    id_number = make_id("37020219900101123")
    page = client.post("/practitioner/staff", data={"name": "林海燕", "id_number": id_number, "title": "工程师"})
    return shown_code(page.get_data(as_text=True)), id_number


def redeem(client, invitation, password):
    code, id_number = invitation
    return client.post("/practitioner/invitation", data={"code": code, "id_number": id_number, "username": "linhaiyan",
                                                         "password": password, "confirm": password})


def change(client, password, current=PASSWORD):
    return client.post("/account/password", data={"current_password": current, "new_password": password,
                                                  "confirm": password})


@pytest.fixture
def official(app):
    """The national administrator's account, with a known password."""
    return create_account(SYSTEM, username="official", password=PASSWORD, role="admin", display_name="部管理员")


def test_the_bundled_list_holds_the_common_passwords_the_policy_refuses():
    assert len(COMMON) == 68
    assert {"password1234", "1qaz2wsx3edc", "woaini131452", "qwerty123456"} <= set(COMMON)


def test_registration_refuses_every_common_password_and_a_short_one_and_takes_a_good_one(app):
    accepted = []
    for password in [ELEVEN, *COMMON, COMMON[0].upper()]:
        page = app.test_client().post("/practitioner/register", data=firm_data(password=password, confirm=password))
        if not errors_of(page.get_data(as_text=True), "password"):
            accepted.append(password)
    assert accepted == []
    assert _db.session.scalar(select(Unit.id)) is None
    accepted = app.test_client().post("/practitioner/register", data=firm_data(password=GOOD, confirm=GOOD))
    assert accepted.status_code == 302


def test_an_invitation_refuses_every_common_password_and_a_short_one_and_takes_a_good_one(app, invitation):
    accepted = [password for password in [ELEVEN, *COMMON]
                if not errors_of(redeem(app.test_client(), invitation, password).get_data(as_text=True), "password")]
    assert accepted == []
    assert _db.session.scalar(select(Account.id).where(Account.username == "linhaiyan")) is None
    assert redeem(app.test_client(), invitation, GOOD).status_code == 302


def test_a_password_change_refuses_common_passwords_and_a_short_one_and_takes_twelve_characters(app, official):
    """A sample of the list (each change first checks the current password's hash); the same rule as above."""
    client = app.test_client()
    login(client, "official", PASSWORD)
    accepted = [password for password in [ELEVEN, COMMON[0], COMMON[-1], "PassWord1234"]
                if not errors_of(change(client, password).get_data(as_text=True), "new_password")]
    assert accepted == []
    assert change(client, "x" * (MIN_LENGTH - 1) + "y").status_code == 302  # exactly twelve characters is enough


# -- the lockout --------------------------------------------------------------------------------------------

def test_two_app_instances_on_one_database_share_the_lockout(app, app_config, official):
    """Two workers: three failures on one and two on the other lock the account on both."""
    other_worker = create_app(app_config)
    try:
        for _ in range(3):
            login(app.test_client(), "official", "a wrong password, guessed", refused=True)
        for _ in range(2):
            with other_worker.app_context():
                login(other_worker.test_client(), "official", "another wrong password", refused=True)
        with other_worker.app_context():
            locked = login(other_worker.test_client(), "official", PASSWORD, refused=True)
            assert "失败次数过多" in locked.get_data(as_text=True)
        assert "失败次数过多" in login(app.test_client(), "official", PASSWORD, refused=True).get_data(as_text=True)
    finally:
        with other_worker.app_context():
            _db.session.remove()
            _db.engine.dispose()


def test_four_failures_do_not_lock_and_a_lock_lifts_after_fifteen_minutes(app, official):
    for _ in range(4):
        login(app.test_client(), "official", "a wrong password, guessed", refused=True)
    login(app.test_client(), "official", PASSWORD)  # four failures: still open
    for _ in range(5):
        login(app.test_client(), "official", "a wrong password, guessed", refused=True)
    assert "失败次数过多" in login(app.test_client(), "official", PASSWORD, refused=True).get_data(as_text=True)
    # the failures were sixteen minutes ago: the window has passed
    _db.session.execute(update(LoginAttempt).values(at=utcnow() - timedelta(minutes=16)))
    _db.session.commit()
    login(app.test_client(), "official", PASSWORD)


# -- session identity ---------------------------------------------------------------------------------------

def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.fixture
def csrf_app(app_config):
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    app.test_client_class = RequestIsolatedClient  # Flask-WTF keeps the token in `g`: a fresh one per request
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


def sign_in_request(entry: str) -> tuple[str, dict]:
    """The page and form that start a session: sign-in, a firm's registration, or an invitation's redemption."""
    if entry == "registration":
        return "/practitioner/register", firm_data()
    firm = registration.register_firm(registration.anonymous(QINGDAO, "127.0.0.1"), **{
        k: v for k, v in firm_data().items() if k not in ("confirm",)}).account
    if entry == "login":
        return "/login", {"username": QINGDAO, "password": PRACTITIONER_PASSWORD}
    id_number = make_id("37020219900101123")
    added = staff.add_staff(Actor.of(firm), name="林海燕", id_number=id_number, title="工程师")
    return "/practitioner/invitation", {"code": added.invitation_code, "id_number": id_number, "username": "linhaiyan",
                                        "password": GOOD, "confirm": GOOD}


@pytest.mark.parametrize("entry", ["login", "registration", "invitation"])
def test_signing_in_starts_a_new_session_and_nothing_from_before_survives(csrf_app, entry):
    """A session fixed before sign-in (its CSRF token, any value) is gone after it: the session is new."""
    path, data = sign_in_request(entry)
    browser = csrf_app.test_client()
    fixed_token = csrf_token(browser.get(path).get_data(as_text=True))
    with browser.session_transaction() as session:
        session["planted"] = "set before sign-in"
    cookie_before = browser.get_cookie("session").value
    assert browser.post(path, data={**data, "csrf_token": fixed_token}).status_code == 302
    with browser.session_transaction() as session:
        assert "planted" not in session and "_user_id" in session
    assert browser.get_cookie("session").value != cookie_before
    assert csrf_token(browser.get("/account/password").get_data(as_text=True)) != fixed_token
    refused = browser.post("/account/password", data={"current_password": GOOD, "new_password": GOOD + "!",
                                                      "confirm": GOOD + "!", "csrf_token": fixed_token})
    assert refused_for_csrf(refused)  # the fixed token is dead


@pytest.fixture
def accounts(app, db):
    """A firm and a person account, each with a known password, and the page each lands on."""
    unit = f.unit_record()
    f.create(unit, f.person_record(unit["uscc"], name="林海燕"))
    unit_id = db.session.scalar(select(Unit.id))
    person_id = db.session.scalar(select(Person.id))
    create_account(SYSTEM, username="firm", password=PASSWORD, role="unit", display_name="单位", unit_id=unit_id)
    create_account(SYSTEM, username="person", password=PASSWORD, role="person", display_name="林海燕",
                   person_id=person_id)
    return {"firm": "/practitioner/", "person": "/practitioner/me"}


@pytest.mark.parametrize("who", ["firm", "person"])
def test_a_practitioners_cookie_replayed_after_logout_is_refused(app, accounts, who):
    browser = app.test_client()
    login(browser, who, PASSWORD)
    assert browser.get(accounts[who]).status_code == 200
    stolen = browser.get_cookie("session").value
    browser.post("/logout")
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get(accounts[who])
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("who", ["firm", "person"])
def test_a_practitioners_other_sessions_end_when_the_password_changes(app, accounts, who):
    mine, other = app.test_client(), app.test_client()
    login(mine, who, PASSWORD)
    login(other, who, PASSWORD)
    stolen = other.get_cookie("session").value
    assert change(mine, GOOD).status_code == 302
    assert mine.get(accounts[who]).status_code == 200
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get(accounts[who]).headers["Location"].startswith("/login")


# -- production cookies -------------------------------------------------------------------------------------

def set_cookies(response) -> dict[str, str]:
    """Each Set-Cookie header of a response, by cookie name, as sent."""
    found = {}
    for header in response.headers.getlist("Set-Cookie"):
        name = next(iter(SimpleCookie(header.split(";")[0] + ";")))
        found[name] = header
    return found


def test_in_production_every_cookie_is_secure_httponly_and_samesite_lax_and_https_is_strict(app_config, monkeypatch, db):
    monkeypatch.setenv("REGISTRY_PRODUCTION", "1")
    production = create_app(app_config)
    try:
        with production.app_context():
            assert production.config["PRODUCTION"] is True
            create_account(SYSTEM, username="official", password=PASSWORD, role="admin", display_name="部管理员")
            browser, https = production.test_client(), "https://registry.example"
            chosen = set_cookies(browser.get("/login?lang=en", base_url=https))
            signed_in = set_cookies(browser.post("/login", data={"username": "official", "password": PASSWORD},
                                                 base_url=https))
            assert "session" in signed_in and "lang" in chosen
            assert not any(name.startswith("remember") for name in signed_in)  # no long-lived cookie is issued
            for name, header in {**chosen, **signed_in}.items():
                attributes = {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")[1:]}
                assert "secure" in attributes, (name, header)
                assert "httponly" in attributes, (name, header)
                assert attributes.get("samesite") == "SameSite=Lax", (name, header)
            hsts = browser.get("/", base_url=https).headers.get("Strict-Transport-Security")
            assert hsts == "max-age=31536000; includeSubDomains"  # ASVS 14.4.5: browsers keep to HTTPS
    finally:
        with production.app_context():
            _db.session.remove()
            _db.engine.dispose()
