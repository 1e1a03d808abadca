"""The practitioners' stories: helpers that register firms, sign in, and add staff through the pages."""
import re

import pytest
from flask import g
from sqlalchemy import func, select
from stdnum.cn import ric

from registry.extensions import db as _db
from registry.models import Account, Person, Unit

PASSWORD = "soil-remediation-2026"


def make_id(body: str) -> str:
    """A valid resident ID number from its first 17 digits (stdnum's ric wants a placeholder check digit)."""
    return body + ric.calc_check_digit(body + "0")


QINGDAO = "9137020035791357M0"  # valid codes (check characters included): the contract example's two firms
HEFEI = "9134010024681357NB"
LIN = make_id("37020219840312045")          # 370202198403120458
GAO = make_id("11010519491231002")
WANG = make_id("44030519900101123")


def count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


def firm_data(**overrides) -> dict:
    data = {
        "uscc": QINGDAO, "name": "青岛海岸带土壤修复有限公司", "division_code": "370202",
        "legal_representative": "张海", "contact_email": "office@example.cn",
        "password": PASSWORD, "confirm": PASSWORD,
    }
    data.update(overrides)
    return data


def register(client, **overrides):
    return client.post("/practitioner/register", data=firm_data(**overrides))


def errors_of(html: str, field_id: str) -> list[str]:
    """The error messages rendered beside one field (the `field` macro's list)."""
    match = re.search(rf'<ul class="errors" id="{field_id}-errors">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(1), re.S) if match else []


def sign(client, signer="张海", consent=True, url="/practitioner/commitment", version="1"):
    data = {"text_version": version, "signer": signer, "truthfulness": "y"}
    if consent:
        data["consent_to_publish"] = "y"
    return client.post(url, data=data)


def add_staff(client, name, id_number, title="项目负责人"):
    """The firm proposes the person; nothing changes until the person confirms."""
    return client.post("/practitioner/staff", data={"name": name, "id_number": id_number, "title": title})


def hire(client, name, id_number, title="项目负责人"):
    """The firm proposes the person and the person confirms on their own page (the service a signed-in person's
    confirmation calls), so the person is on the firm's staff without an account of their own."""
    from registry.models import Invitation
    from registry.access import Actor
    from registry.services.people import find_person_by_id_number
    from registry.services.staff import confirm_proposal

    response = add_staff(client, name, id_number, title)
    person = find_person_by_id_number(id_number)
    invitation = _db.session.scalar(select(Invitation).where(Invitation.person_id == person.id, Invitation.used_at.is_(None))
                                    .order_by(Invitation.id.desc()))
    confirm_proposal(Actor(account_id=None, label=name, role="person", person_id=person.id), invitation.id)
    return response


def get_in(client, url: str, lang: str) -> str:
    """A page in one language. The test keeps one app context open, where Flask-Babel caches the locale
    of the first request; refresh() forgets it so each page chooses its language like a real request."""
    from flask_babel import refresh

    refresh()
    page = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}").get_data(as_text=True)
    refresh()
    return page


def shown_code(html: str) -> str:
    return re.search(r'<p class="code"[^>]*>([A-Z0-9-]+)</p>', html).group(1)


@pytest.fixture(autouse=True)
def fresh_request_globals(app):
    """Each request forgets the signed-in user and locale of the one before, as in production.

    The `app` fixture keeps one application context open for the whole test, and a test request reuses it,
    so `g` (where Flask-Login and Flask-Babel cache the user and the locale) would otherwise leak from one
    browser (test client) to the next."""

    def forget():
        g.pop("_login_user", None)
        g.pop("_flask_babel", None)

    app.before_request_funcs.setdefault(None, []).insert(0, forget)


@pytest.fixture
def firm(app):
    """A registered, signed-in firm (Qingdao) with its own browser."""
    client = app.test_client()
    response = register(client)
    assert response.status_code == 302
    return client


@pytest.fixture
def other_firm(app):
    """A second registered, signed-in firm (Hefei) with its own browser."""
    client = app.test_client()
    response = register(client, uscc=HEFEI, name="合肥庐州环境检测有限公司", division_code="340102",
                        legal_representative="李庐", contact_email="hf@example.cn")
    assert response.status_code == 302
    return client


def unit_by(code: str) -> Unit:
    return _db.session.scalar(select(Unit).where(Unit.uscc == code))


def person_by_name(name: str) -> Person:
    return _db.session.scalar(select(Person).where(Person.name == name))


def account_by(username: str) -> Account:
    return _db.session.scalar(select(Account).where(Account.username == username))
